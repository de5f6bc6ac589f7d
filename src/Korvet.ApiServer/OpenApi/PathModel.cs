namespace Korvet.ApiServer.OpenApi;

/// <summary>A query or path parameter. <paramref name="Type"/> is "string", "integer" or "boolean".</summary>
internal sealed record ParamSpec(string Name, string In, string Type, string? Description = null);

/// <summary>A response: <paramref name="Schema"/> is a definition name, or null for a plain string body.</summary>
internal sealed record ResponseSpec(string Code, string Description, string? Schema);

/// <summary>One operation as upstream documents it (operationId, x-kubernetes-action, GVK, parameters, body).</summary>
internal sealed record OperationSpec(
    string Method,
    string Description,
    string OperationId,
    string Action,
    GroupVersionKind Gvk,
    IReadOnlyList<ParamSpec> Parameters,
    string? BodySchema,
    IReadOnlyList<string> Consumes,
    IReadOnlyList<ResponseSpec> Responses,
    bool Streams,
    string Tag);

/// <summary>A path with its path-level parameters and operations (in upstream's method order).</summary>
internal sealed record PathSpec(string Path, IReadOnlyList<ParamSpec> Parameters, IReadOnlyList<OperationSpec> Operations);
