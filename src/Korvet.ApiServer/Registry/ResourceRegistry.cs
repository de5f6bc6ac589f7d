namespace Korvet.ApiServer.Registry;

/// <summary>One served group with its versions, preferred version first.</summary>
public sealed record ApiGroupDefinition(string Name, IReadOnlyList<string> Versions)
{
    public string PreferredVersion => Versions[0];
}

/// <summary>
/// Lookup of served resources by group/version/plural. Immutable after construction; safe for concurrent readers.
/// </summary>
public sealed class ResourceRegistry
{
    private readonly Dictionary<(string Group, string Version, string Plural), ResourceDefinition> _byPath = new();
    private readonly Dictionary<(string Group, string Version), List<ResourceDefinition>> _byGroupVersion = new();

    public ResourceRegistry(IEnumerable<ResourceDefinition> resources)
    {
        var groups = new List<ApiGroupDefinition>();
        var versionsByGroup = new Dictionary<string, List<string>>();
        var all = new List<ResourceDefinition>();
        foreach (ResourceDefinition resource in resources)
        {
            if (!_byPath.TryAdd((resource.Group, resource.Version, resource.Plural), resource))
            {
                throw new ArgumentException($"duplicate resource {resource.Plural} in {resource.ApiVersion}", nameof(resources));
            }

            all.Add(resource);
            if (!_byGroupVersion.TryGetValue((resource.Group, resource.Version), out List<ResourceDefinition>? gv))
            {
                gv = [];
                _byGroupVersion.Add((resource.Group, resource.Version), gv);
            }

            gv.Add(resource);
            if (!versionsByGroup.TryGetValue(resource.Group, out List<string>? versions))
            {
                versions = [];
                versionsByGroup.Add(resource.Group, versions);
                groups.Add(new ApiGroupDefinition(resource.Group, versions));
            }

            if (!versions.Contains(resource.Version))
            {
                versions.Add(resource.Version);
            }
        }

        Groups = groups;
        All = all;
    }

    /// <summary>Every group in discovery order, the core group ("") first.</summary>
    public IReadOnlyList<ApiGroupDefinition> Groups { get; }

    public IReadOnlyList<ResourceDefinition> All { get; }

    public static ResourceRegistry CreateBuiltin() => new(BuiltinResources.Build());

    public ResourceDefinition? Find(string group, string version, string plural) =>
        _byPath.TryGetValue((group, version, plural), out ResourceDefinition? r) ? r : null;

    /// <summary>Resources of one group-version, or null when that group-version is not served.</summary>
    public IReadOnlyList<ResourceDefinition>? ResourcesOf(string group, string version) =>
        _byGroupVersion.TryGetValue((group, version), out List<ResourceDefinition>? list) ? list : null;

    public ApiGroupDefinition? FindGroup(string group)
    {
        foreach (ApiGroupDefinition g in Groups)
        {
            if (g.Name == group)
            {
                return g;
            }
        }

        return null;
    }
}
