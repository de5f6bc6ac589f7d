using Korvet.Api.Schema;
using Korvet.ApiServer.Registry;

namespace Korvet.ApiServer.OpenApi;

/// <summary>
/// What the OpenAPI documents know about API messages beyond the descriptors: which group/version/kinds each message
/// encodes (for <c>x-kubernetes-group-version-kind</c>), the message behind a served kind, and the transitive set of
/// messages a document must define. Built once per server from immutable inputs; read-only afterwards.
/// </summary>
public sealed class SchemaCatalog
{
    /// <summary>meta.k8s.io/v1 types that every served group-version lists (upstream registers them in each).</summary>
    private static readonly string[] PerGroupVersionMetaKinds = ["DeleteOptions", "WatchEvent"];

    private readonly Dictionary<string, List<GroupVersionKind>> _gvks = new(StringComparer.Ordinal);

    public SchemaCatalog(ApiSchema schema, ResourceRegistry registry)
    {
        Schema = schema;
        foreach (KindDescriptor kind in schema.Kinds)
        {
            AddGvk(kind.MessageName, new GroupVersionKind(kind.Group, kind.Version, kind.Kind));
            if (kind.ListKind is { } listKind && schema.FindMessage(Package(kind.MessageName) + "." + listKind) is { } list)
            {
                AddGvk(list.FullName, new GroupVersionKind(kind.Group, kind.Version, listKind));
            }
        }

        var servedGroupVersions = new SortedSet<(string, string)> { ("", "v1") };
        foreach (ApiGroupDefinition group in registry.Groups)
        {
            foreach (string version in group.Versions)
            {
                servedGroupVersions.Add((group.Name, version));
            }
        }

        foreach (string metaKind in PerGroupVersionMetaKinds)
        {
            foreach ((string group, string version) in servedGroupVersions)
            {
                AddGvk(ApiSchema.MetaV1Package + "." + metaKind, new GroupVersionKind(group, version, metaKind));
            }
        }

        foreach (string metaKind in new[] { "Status", "APIResourceList", "APIGroup", "APIGroupList", "APIVersions" })
        {
            AddGvk(ApiSchema.MetaV1Package + "." + metaKind, new GroupVersionKind("", "v1", metaKind));
        }

        foreach (List<GroupVersionKind> list in _gvks.Values)
        {
            list.Sort((a, b) => string.CompareOrdinal($"{a.Group}/{a.Version}/{a.Kind}", $"{b.Group}/{b.Version}/{b.Kind}"));
        }
    }

    public ApiSchema Schema { get; }

    /// <summary>The group/version/kinds a message encodes, sorted; empty for non-kind messages.</summary>
    public IReadOnlyList<GroupVersionKind> GvksOf(string messageFullName) =>
        _gvks.TryGetValue(messageFullName, out List<GroupVersionKind>? list) ? list : [];

    /// <summary>The message encoding <paramref name="kind"/> in group/version, or null when the schema lacks it (e.g.
    /// kube-aggregator's APIService).</summary>
    public MessageDescriptor? MessageOf(string group, string version, string kind) =>
        Schema.ResolveMessage(group.Length == 0 ? version : $"{group}/{version}", kind);

    /// <summary>The roots plus every message reachable through their fields, ordered by full name.</summary>
    public IReadOnlyList<MessageDescriptor> Closure(IEnumerable<string> roots)
    {
        var seen = new SortedDictionary<string, MessageDescriptor>(StringComparer.Ordinal);
        var pending = new Stack<string>(roots);
        while (pending.TryPop(out string? name))
        {
            if (seen.ContainsKey(name) || Schema.FindMessage(name) is not { } message)
            {
                continue;
            }

            seen.Add(name, message);
            foreach (FieldDescriptor field in message.Fields)
            {
                if (field.MessageName is { } next && !seen.ContainsKey(next))
                {
                    pending.Push(next);
                }
            }
        }

        return [.. seen.Values];
    }

    private void AddGvk(string message, GroupVersionKind gvk)
    {
        if (!_gvks.TryGetValue(message, out List<GroupVersionKind>? list))
        {
            list = [];
            _gvks.Add(message, list);
        }

        if (!list.Contains(gvk))
        {
            list.Add(gvk);
        }
    }

    private static string Package(string fullName) => fullName[..fullName.LastIndexOf('.')];
}
