using System.Text.Json;
using Korvet.ApiServer.Registry;

namespace Korvet.ApiServer.Discovery;

/// <summary>
/// Every discovery response, serialized once at startup: legacy <c>/api</c> (APIVersions), <c>/apis</c>
/// (APIGroupList), <c>/apis/&lt;g&gt;</c> (APIGroup), <c>/api/v1</c> and <c>/apis/&lt;g&gt;/&lt;v&gt;</c>
/// (APIResourceList), and the aggregated APIGroupDiscoveryList (v2 and v2beta1) for <c>/api</c> and <c>/apis</c>.
/// Immutable and thread-safe.
/// </summary>
public sealed class DiscoveryDocuments
{
    public const string AggregatedV2 = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";
    public const string AggregatedV2Beta1 = "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList";
    private const string Json = "application/json";

    private readonly Dictionary<string, DiscoveryDocument> _legacy = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Path, string Version), DiscoveryDocument> _aggregated = new();

    public DiscoveryDocuments(ResourceRegistry registry, string serverAddress)
    {
        _legacy["/api"] = new DiscoveryDocument(Write(w =>
        {
            w.WriteString("kind", "APIVersions");
            w.WriteStartArray("versions");
            foreach (string v in registry.FindGroup("")?.Versions ?? [])
            {
                w.WriteStringValue(v);
            }

            w.WriteEndArray();
            w.WriteStartArray("serverAddressByClientCIDRs");
            w.WriteStartObject();
            w.WriteString("clientCIDR", "0.0.0.0/0");
            w.WriteString("serverAddress", serverAddress);
            w.WriteEndObject();
            w.WriteEndArray();
        }), Json);

        _legacy["/apis"] = new DiscoveryDocument(Write(w =>
        {
            w.WriteString("kind", "APIGroupList");
            w.WriteString("apiVersion", "v1");
            w.WriteStartArray("groups");
            foreach (ApiGroupDefinition g in registry.Groups.Where(g => g.Name.Length > 0))
            {
                w.WriteStartObject();
                WriteGroupBody(w, g);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }), Json);

        foreach (ApiGroupDefinition group in registry.Groups)
        {
            if (group.Name.Length > 0)
            {
                _legacy["/apis/" + group.Name] = new DiscoveryDocument(Write(w =>
                {
                    w.WriteString("kind", "APIGroup");
                    w.WriteString("apiVersion", "v1");
                    WriteGroupBody(w, group);
                }), Json);
            }

            foreach (string version in group.Versions)
            {
                string path = group.Name.Length == 0 ? "/api/" + version : $"/apis/{group.Name}/{version}";
                IReadOnlyList<ResourceDefinition> resources = registry.ResourcesOf(group.Name, version)!;
                _legacy[path] = new DiscoveryDocument(Write(w => WriteResourceList(w, group.Name, version, resources)), Json);
            }
        }

        foreach ((string version, string contentType) in new[] { ("v2", AggregatedV2), ("v2beta1", AggregatedV2Beta1) })
        {
            _aggregated[("/api", version)] = new DiscoveryDocument(
                Write(w => WriteAggregated(w, registry, version, core: true)), contentType);
            _aggregated[("/apis", version)] = new DiscoveryDocument(
                Write(w => WriteAggregated(w, registry, version, core: false)), contentType);
        }
    }

    /// <summary>The legacy document at <paramref name="path"/>, or null.</summary>
    public DiscoveryDocument? Legacy(string path) => _legacy.TryGetValue(path.TrimEnd('/'), out DiscoveryDocument? d) ? d : null;

    /// <summary>The aggregated document for "/api" or "/apis" in "v2" or "v2beta1", or null.</summary>
    public DiscoveryDocument? Aggregated(string path, string version) =>
        _aggregated.TryGetValue((path.TrimEnd('/'), version), out DiscoveryDocument? d) ? d : null;

    /// <summary>
    /// The aggregated discovery version the Accept header asks for first ("v2", "v2beta1"), or null when it asks for
    /// the legacy format (clients list the aggregated types before plain JSON).
    /// </summary>
    public static string? AggregatedVersionRequested(string? accept)
    {
        if (string.IsNullOrEmpty(accept))
        {
            return null;
        }

        foreach (string clause in accept.Split(','))
        {
            string c = clause.Replace(" ", "", StringComparison.Ordinal);
            if (c.Contains("as=APIGroupDiscoveryList", StringComparison.Ordinal) && c.Contains("g=apidiscovery.k8s.io", StringComparison.Ordinal))
            {
                if (c.Contains("v=v2beta1", StringComparison.Ordinal))
                {
                    return "v2beta1";
                }

                if (c.Contains("v=v2", StringComparison.Ordinal))
                {
                    return "v2";
                }
            }
            else if (c.StartsWith("application/json", StringComparison.Ordinal) || c.StartsWith("*/*", StringComparison.Ordinal))
            {
                return null;
            }
        }

        return null;
    }

    private static void WriteGroupBody(Utf8JsonWriter w, ApiGroupDefinition g)
    {
        w.WriteString("name", g.Name);
        w.WriteStartArray("versions");
        foreach (string v in g.Versions)
        {
            WriteGroupVersion(w, g.Name, v);
        }

        w.WriteEndArray();
        w.WritePropertyName("preferredVersion");
        WriteGroupVersion(w, g.Name, g.PreferredVersion);
    }

    private static void WriteGroupVersion(Utf8JsonWriter w, string group, string version)
    {
        w.WriteStartObject();
        w.WriteString("groupVersion", group.Length == 0 ? version : $"{group}/{version}");
        w.WriteString("version", version);
        w.WriteEndObject();
    }

    private static void WriteResourceList(Utf8JsonWriter w, string group, string version, IReadOnlyList<ResourceDefinition> resources)
    {
        w.WriteString("kind", "APIResourceList");
        w.WriteString("apiVersion", "v1");
        w.WriteString("groupVersion", group.Length == 0 ? version : $"{group}/{version}");
        w.WriteStartArray("resources");
        foreach (ResourceDefinition r in resources)
        {
            w.WriteStartObject();
            w.WriteString("name", r.Plural);
            w.WriteString("singularName", r.Singular);
            w.WriteBoolean("namespaced", r.Namespaced);
            w.WriteString("kind", r.Kind);
            WriteStrings(w, "verbs", r.Verbs);
            if (r.ShortNames.Count > 0)
            {
                WriteStrings(w, "shortNames", r.ShortNames);
            }

            if (r.Categories.Count > 0)
            {
                WriteStrings(w, "categories", r.Categories);
            }

            w.WriteEndObject();
            foreach (SubresourceDefinition sub in r.Subresources)
            {
                w.WriteStartObject();
                w.WriteString("name", $"{r.Plural}/{sub.Name}");
                w.WriteString("singularName", "");
                w.WriteBoolean("namespaced", r.Namespaced);
                if (sub.Group != r.Group || sub.Version != r.Version)
                {
                    w.WriteString("group", sub.Group);
                    w.WriteString("version", sub.Version);
                }

                w.WriteString("kind", sub.Kind);
                WriteStrings(w, "verbs", sub.Verbs);
                w.WriteEndObject();
            }
        }

        w.WriteEndArray();
    }

    private static void WriteAggregated(Utf8JsonWriter w, ResourceRegistry registry, string version, bool core)
    {
        w.WriteString("kind", "APIGroupDiscoveryList");
        w.WriteString("apiVersion", "apidiscovery.k8s.io/" + version);
        w.WriteStartObject("metadata");
        w.WriteEndObject();
        w.WriteStartArray("items");
        foreach (ApiGroupDefinition g in registry.Groups.Where(g => (g.Name.Length == 0) == core))
        {
            w.WriteStartObject();
            w.WriteStartObject("metadata");
            if (g.Name.Length > 0)
            {
                w.WriteString("name", g.Name);
            }

            w.WriteNull("creationTimestamp");
            w.WriteEndObject();
            w.WriteStartArray("versions");
            foreach (string v in g.Versions)
            {
                w.WriteStartObject();
                w.WriteString("version", v);
                w.WriteStartArray("resources");
                foreach (ResourceDefinition r in registry.ResourcesOf(g.Name, v)!)
                {
                    WriteAggregatedResource(w, r);
                }

                w.WriteEndArray();
                w.WriteString("freshness", "Current");
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    private static void WriteAggregatedResource(Utf8JsonWriter w, ResourceDefinition r)
    {
        w.WriteStartObject();
        w.WriteString("resource", r.Plural);
        WriteKind(w, "responseKind", r.Group, r.Version, r.Kind);
        w.WriteString("scope", r.Namespaced ? "Namespaced" : "Cluster");
        w.WriteString("singularResource", r.Singular);
        WriteStrings(w, "verbs", r.Verbs);
        if (r.ShortNames.Count > 0)
        {
            WriteStrings(w, "shortNames", r.ShortNames);
        }

        if (r.Categories.Count > 0)
        {
            WriteStrings(w, "categories", r.Categories);
        }

        if (r.Subresources.Count > 0)
        {
            w.WriteStartArray("subresources");
            foreach (SubresourceDefinition sub in r.Subresources)
            {
                w.WriteStartObject();
                w.WriteString("subresource", sub.Name);
                WriteKind(w, "responseKind", sub.Group, sub.Version, sub.Kind);
                WriteStrings(w, "verbs", sub.Verbs);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        w.WriteEndObject();
    }

    private static void WriteKind(Utf8JsonWriter w, string name, string group, string version, string kind)
    {
        w.WriteStartObject(name);
        w.WriteString("group", group);
        w.WriteString("version", version);
        w.WriteString("kind", kind);
        w.WriteEndObject();
    }

    private static void WriteStrings(Utf8JsonWriter w, string name, IEnumerable<string> values)
    {
        w.WriteStartArray(name);
        foreach (string v in values)
        {
            w.WriteStringValue(v);
        }

        w.WriteEndArray();
    }

    private static byte[] Write(Action<Utf8JsonWriter> body)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            body(w);
            w.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
