using System.Net;
using Korvet.Api.Meta.V1;

namespace Korvet.Client;

/// <summary>
/// The API server answered with an error (HTTP status ≥ 400, or an ERROR watch event). <see cref="Status"/> is the
/// server's Status object when it sent one; <see cref="Reason"/> its machine-readable reason (NotFound, Conflict,
/// AlreadyExists, Expired, Gone, Invalid, ...).
/// </summary>
public sealed class ApiException : Exception
{
    public ApiException(HttpStatusCode statusCode, Status? status, string? fallbackMessage = null)
        : base(status?.Message ?? fallbackMessage ?? $"the server answered {(int)statusCode} {statusCode}")
    {
        StatusCode = statusCode;
        Status = status;
    }

    public HttpStatusCode StatusCode { get; }

    public Status? Status { get; }

    public string? Reason => Status?.Reason;

    public bool IsNotFound => StatusCode == HttpStatusCode.NotFound;

    /// <summary>409 with reason Conflict: a stale resourceVersion (re-read and retry).</summary>
    public bool IsConflict => StatusCode == HttpStatusCode.Conflict && Reason != "AlreadyExists";

    public bool IsAlreadyExists => StatusCode == HttpStatusCode.Conflict && Reason == "AlreadyExists";

    /// <summary>410: the requested resourceVersion was compacted (relist).</summary>
    public bool IsGone => StatusCode == HttpStatusCode.Gone;
}
