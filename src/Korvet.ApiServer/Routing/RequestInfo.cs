namespace Korvet.ApiServer.Routing;

/// <summary>
/// What a request path and method address, like upstream's <c>RequestInfo</c>. Resource requests have
/// <see cref="IsResourceRequest"/> set; everything else (discovery, /version, health) has only <see cref="Path"/>.
/// </summary>
public sealed record RequestInfo
{
    public required string Path { get; init; }

    public bool IsResourceRequest { get; init; }

    /// <summary>"get", "list", "watch", "create", "update", "patch", "delete", "deletecollection".</summary>
    public string Verb { get; init; } = "";

    /// <summary>"api" or "apis".</summary>
    public string Prefix { get; init; } = "";

    public string Group { get; init; } = "";

    public string Version { get; init; } = "";

    public string Namespace { get; init; } = "";

    public string Resource { get; init; } = "";

    public string Name { get; init; } = "";

    public string Subresource { get; init; } = "";

    /// <summary>Path segments after the subresource (proxy paths).</summary>
    public IReadOnlyList<string> Rest { get; init; } = [];
}
