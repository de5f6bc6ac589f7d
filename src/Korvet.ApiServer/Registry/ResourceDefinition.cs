namespace Korvet.ApiServer.Registry;

/// <summary>A subresource of a resource as discovery reports it (e.g. <c>pods/status</c>). Immutable.</summary>
/// <param name="Name">e.g. "status".</param>
/// <param name="Group">Group of the response kind ("" for core).</param>
/// <param name="Version">Version of the response kind.</param>
/// <param name="Kind">Response kind, e.g. "Pod" for status, "Scale" for scale.</param>
/// <param name="Verbs">Verbs allowed on the subresource.</param>
public sealed record SubresourceDefinition(string Name, string Group, string Version, string Kind, IReadOnlyList<string> Verbs);

/// <summary>One built-in resource at one group-version, as <c>kubectl api-resources</c> shows it. Immutable.</summary>
/// <param name="Group">API group; "" for the core group.</param>
/// <param name="Version">e.g. "v1".</param>
/// <param name="Plural">The URL name, e.g. "pods".</param>
/// <param name="Singular">e.g. "pod".</param>
/// <param name="Kind">e.g. "Pod".</param>
/// <param name="Namespaced">True for namespace-scoped resources.</param>
/// <param name="ShortNames">e.g. ["po"].</param>
/// <param name="Categories">e.g. ["all"].</param>
/// <param name="Verbs">Verbs on the resource itself, sorted like upstream discovery.</param>
/// <param name="Subresources">Subresources in name order.</param>
/// <param name="StorageGroup">The key segment objects are stored under ("core" for the core group); resources that
/// several group-versions serve share one storage group and plural.</param>
public sealed record ResourceDefinition(
    string Group,
    string Version,
    string Plural,
    string Singular,
    string Kind,
    bool Namespaced,
    IReadOnlyList<string> ShortNames,
    IReadOnlyList<string> Categories,
    IReadOnlyList<string> Verbs,
    IReadOnlyList<SubresourceDefinition> Subresources,
    string StorageGroup)
{
    /// <summary>"v1" for core, "group/version" otherwise.</summary>
    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    public string ListKind => Kind + "List";

    /// <summary>The resource as upstream error messages name it: "pods", "deployments.apps".</summary>
    public string QualifiedName => Group.Length == 0 ? Plural : $"{Plural}.{Group}";

    /// <summary>Key prefix of every object of this resource, ending in '/'.</summary>
    public string KeyPrefix => $"/registry/{StorageGroup}/{Plural}/";

    public bool HasVerb(string verb) => Verbs.Contains(verb);

    public SubresourceDefinition? FindSubresource(string name)
    {
        foreach (SubresourceDefinition sub in Subresources)
        {
            if (sub.Name == name)
            {
                return sub;
            }
        }

        return null;
    }

    public bool HasStatusSubresource => FindSubresource("status") is not null;
}
