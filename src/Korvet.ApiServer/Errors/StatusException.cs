namespace Korvet.ApiServer.Errors;

/// <summary>One cause of an Invalid error (<c>details.causes[]</c>).</summary>
/// <param name="Reason">e.g. "FieldValueInvalid", "FieldValueRequired".</param>
/// <param name="Message">e.g. "Invalid value: \"X\": ...".</param>
/// <param name="Field">e.g. "metadata.name".</param>
public sealed record StatusCause(string Reason, string Message, string Field);

/// <summary>
/// A request failure that becomes a Kubernetes <c>Status</c> object with <see cref="Code"/> as the HTTP status.
/// Thrown anywhere below the HTTP handler; the handler writes it and nothing is stored.
/// </summary>
public sealed class StatusException : Exception
{
    public StatusException(int code, string reason, string message, StatusDetails? details = null)
        : base(message)
    {
        Code = code;
        Reason = reason;
        Details = details;
    }

    public int Code { get; }

    /// <summary>Upstream's StatusReason, e.g. "NotFound"; empty for reasonless errors.</summary>
    public string Reason { get; }

    public StatusDetails? Details { get; }
}

/// <summary><c>Status.details</c>. Kind is the resource plural in storage errors (upstream's qualified resource).</summary>
public sealed record StatusDetails(string? Name, string? Group, string? Kind, IReadOnlyList<StatusCause>? Causes = null,
    string? Uid = null, int? RetryAfterSeconds = null);
