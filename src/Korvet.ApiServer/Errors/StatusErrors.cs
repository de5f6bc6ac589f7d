using Korvet.ApiServer.Registry;

namespace Korvet.ApiServer.Errors;

/// <summary>Factories for the Status errors upstream's apiserver returns, with its exact messages and reasons.</summary>
public static class StatusErrors
{
    public const int MaxRequestBodyBytes = 3 * 1024 * 1024;

    public static StatusException NotFound(ResourceDefinition resource, string name) =>
        NotFound(resource.Group, resource.Plural, name);

    public static StatusException NotFound(string group, string plural, string name) =>
        new(404, "NotFound", $"{Qualified(group, plural)} \"{name}\" not found", new StatusDetails(name, NullIfEmpty(group), plural));

    /// <summary>The path names no served resource.</summary>
    public static StatusException NoSuchResource() =>
        new(404, "NotFound", "the server could not find the requested resource", new StatusDetails(null, null, null));

    public static StatusException AlreadyExists(ResourceDefinition resource, string name) =>
        new(409, "AlreadyExists", $"{resource.QualifiedName} \"{name}\" already exists",
            new StatusDetails(name, NullIfEmpty(resource.Group), resource.Plural));

    public static StatusException Conflict(ResourceDefinition resource, string name, string why) =>
        new(409, "Conflict", $"Operation cannot be fulfilled on {resource.QualifiedName} \"{name}\": {why}",
            new StatusDetails(name, NullIfEmpty(resource.Group), resource.Plural));

    public const string ModifiedMessage =
        "the object has been modified; please apply your changes to the latest version and try again";

    public static StatusException StaleResourceVersion(ResourceDefinition resource, string name) =>
        Conflict(resource, name, ModifiedMessage);

    /// <summary>422 Invalid: message <c>Kind "name" is invalid: err</c> or <c>... is invalid: [err1, err2]</c>.</summary>
    public static StatusException Invalid(ResourceDefinition resource, string name, IReadOnlyList<StatusCause> causes)
    {
        var parts = causes.Select(c => c.Field.Length == 0 ? c.Message : $"{c.Field}: {c.Message}").ToList();
        string joined = parts.Count == 1 ? parts[0] : "[" + string.Join(", ", parts) + "]";
        return new StatusException(422, "Invalid", $"{resource.Kind} \"{name}\" is invalid: {joined}",
            new StatusDetails(name, NullIfEmpty(resource.Group), resource.Kind, causes));
    }

    public static StatusException BadRequest(string message) => new(400, "BadRequest", message);

    public static StatusException MethodNotAllowed() =>
        new(405, "MethodNotAllowed", "the server does not allow this method on the requested resource");

    public static StatusException UnsupportedMediaType(IEnumerable<string> accepted) =>
        new(415, "UnsupportedMediaType",
            $"the body of the request was in an unknown format - accepted media types include: {string.Join(", ", accepted)}");

    public static StatusException NotAcceptable(IEnumerable<string> accepted) =>
        new(406, "NotAcceptable",
            $"only the following media types are accepted: {string.Join(", ", accepted)}");

    public static StatusException RequestEntityTooLarge(long limit) =>
        new(413, "RequestEntityTooLarge", $"Request entity too large: limit is {limit}");

    /// <summary>410 Expired for a watch or list from a compacted resourceVersion.</summary>
    public static StatusException Expired(string message) => new(410, "Expired", message);

    public static StatusException Gone(string message) => new(410, "Gone", message);

    public static StatusException Unauthorized() => new(401, "Unauthorized", "Unauthorized");

    public static StatusException Forbidden(string message) => new(403, "Forbidden", message);

    public static StatusException Internal(string message) =>
        new(500, "InternalError", $"Internal error occurred: {message}", new StatusDetails(null, null, null,
            [new StatusCause("", message, "")]));

    public static StatusException ServiceUnavailable(string message) => new(503, "ServiceUnavailable", message);

    public static StatusException Timeout(string message) => new(504, "Timeout", message);

    private static string Qualified(string group, string plural) => group.Length == 0 ? plural : $"{plural}.{group}";

    private static string? NullIfEmpty(string s) => s.Length == 0 ? null : s;
}
