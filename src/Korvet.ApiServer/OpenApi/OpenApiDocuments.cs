using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;
using Korvet.Api.Schema;
using Korvet.ApiServer.Registry;

namespace Korvet.ApiServer.OpenApi;

/// <summary>A serialized OpenAPI document and its content hash (upstream: uppercase hex SHA-512).</summary>
public sealed class OpenApiDocument(byte[] body)
{
    public byte[] Body { get; } = body;

    public string Hash { get; } = Convert.ToHexString(SHA512.HashData(body));

    public string ETag => $"\"{Hash}\"";
}

/// <summary>
/// The OpenAPI documents of the served API: <c>/openapi/v3</c> (a root listing each group-version with its hash, and
/// one document per group-version) and <c>/openapi/v2</c>. Each document is built on first request, once, and then
/// served as cached bytes; nothing is built at server start. Thread-safe: every slot is an
/// <see cref="Lazy{T}"/> with ExecutionAndPublication.
/// </summary>
public sealed class OpenApiDocuments
{
    private static readonly string[] MetaRoots =
        ["DeleteOptions", "Status", "Patch", "WatchEvent", "APIResourceList"];

    private readonly Lazy<SchemaCatalog> _lazyCatalog;
    private readonly ResourceRegistry _registry;
    private readonly string _version;
    private readonly Dictionary<string, Lazy<OpenApiDocument>> _groupVersions = new(StringComparer.Ordinal);
    private readonly Lazy<OpenApiDocument> _root;
    private readonly Lazy<OpenApiDocument> _v2;
    private readonly Lazy<OpenApiDocument> _v2Protobuf;

    /// <param name="schema">Called on first document build, not before: constructing this type costs nothing at start.</param>
    public OpenApiDocuments(ResourceRegistry registry, Func<ApiSchema> schema, string gitVersion)
    {
        _registry = registry;
        _version = gitVersion;
        _lazyCatalog = new Lazy<SchemaCatalog>(() => new SchemaCatalog(schema(), registry), LazyThreadSafetyMode.ExecutionAndPublication);
        foreach (ApiGroupDefinition group in registry.Groups)
        {
            foreach (string version in group.Versions)
            {
                (string g, string v) = (group.Name, version);
                _groupVersions.Add(GroupVersionPath(g, v),
                    new Lazy<OpenApiDocument>(() => BuildGroupVersion(g, v), LazyThreadSafetyMode.ExecutionAndPublication));
            }
        }

        _root = new Lazy<OpenApiDocument>(BuildRoot, LazyThreadSafetyMode.ExecutionAndPublication);
        _v2 = new Lazy<OpenApiDocument>(BuildV2, LazyThreadSafetyMode.ExecutionAndPublication);
        _v2Protobuf = new Lazy<OpenApiDocument>(() => new OpenApiDocument(SwaggerProtobuf.Convert(V2.Body)), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    private SchemaCatalog Catalog => _lazyCatalog.Value;

    /// <summary>"api/v1", "apis/apps/v1", ... in discovery order.</summary>
    public IReadOnlyCollection<string> GroupVersionPaths => _groupVersions.Keys;

    public OpenApiDocument V3Root => _root.Value;

    public OpenApiDocument V2 => _v2.Value;

    /// <summary>The v2 document as gnostic <c>openapi.v2.Document</c> protobuf (what client-go's OpenAPISchema reads).</summary>
    public OpenApiDocument V2Protobuf => _v2Protobuf.Value;

    /// <summary>The document of one group-version ("api/v1", "apis/apps/v1"), or null when it is not served.</summary>
    public OpenApiDocument? V3(string groupVersionPath) =>
        _groupVersions.TryGetValue(groupVersionPath, out Lazy<OpenApiDocument>? doc) ? doc.Value : null;

    public static string GroupVersionPath(string group, string version) => group.Length == 0 ? $"api/{version}" : $"apis/{group}/{version}";

    private OpenApiDocument BuildRoot()
    {
        var buffer = new ArrayBufferWriter<byte>(8192);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteStartObject("paths");
            foreach ((string path, Lazy<OpenApiDocument> doc) in _groupVersions)
            {
                w.WriteStartObject(path);
                w.WriteString("serverRelativeURL", $"/openapi/v3/{path}?hash={doc.Value.Hash}");
                w.WriteEndObject();
            }

            w.WriteEndObject();
            w.WriteEndObject();
        }

        return new OpenApiDocument(buffer.WrittenSpan.ToArray());
    }

    private OpenApiDocument BuildGroupVersion(string group, string version)
    {
        var synthetic = new List<(string, Action<Utf8JsonWriter>)>();
        IReadOnlyList<ResourceDefinition> resources = _registry.ResourcesOf(group, version) ?? [];
        IReadOnlyList<PathSpec> paths = PathBuilder.Build(group, version, resources, (g, v, k) => SchemaFor(g, v, k, synthetic));
        IReadOnlyList<MessageDescriptor> messages = Catalog.Closure(Roots(resources));
        byte[] body = DocumentWriter.Write(true, "Kubernetes", _version, paths, messages, Distinct(synthetic), Catalog);
        return new OpenApiDocument(body);
    }

    private OpenApiDocument BuildV2()
    {
        var synthetic = new List<(string, Action<Utf8JsonWriter>)>();
        var paths = new List<PathSpec>();
        foreach (ApiGroupDefinition group in _registry.Groups)
        {
            foreach (string version in group.Versions)
            {
                paths.AddRange(PathBuilder.Build(group.Name, version, _registry.ResourcesOf(group.Name, version) ?? [],
                    (g, v, k) => SchemaFor(g, v, k, synthetic)));
            }
        }

        paths.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        IReadOnlyList<MessageDescriptor> messages = Catalog.Closure(Roots(_registry.All));
        return new OpenApiDocument(DocumentWriter.Write(false, "Kubernetes", _version, paths, messages, Distinct(synthetic), Catalog));
    }

    private IEnumerable<string> Roots(IEnumerable<ResourceDefinition> resources)
    {
        foreach (string meta in MetaRoots)
        {
            yield return ApiSchema.MetaV1Package + "." + meta;
        }

        foreach (ResourceDefinition r in resources)
        {
            foreach ((string g, string v, string k) in new[] { (r.Group, r.Version, r.Kind), (r.Group, r.Version, r.ListKind) }
                         .Concat(r.Subresources.Select(s => (s.Group, s.Version, s.Kind))))
            {
                if (Catalog.MessageOf(g, v, k) is { } message)
                {
                    yield return message.FullName;
                }
            }
        }
    }

    /// <summary>The definition name of a kind; kinds the schema lacks (kube-aggregator's APIService) get a permissive
    /// object schema carrying their GVK so that kubectl still finds them.</summary>
    private string SchemaFor(string group, string version, string kind, List<(string, Action<Utf8JsonWriter>)> synthetic)
    {
        if (Catalog.MessageOf(group, version, kind) is { } message)
        {
            return SchemaNames.FromProto(message.FullName);
        }

        string package = group == "apiregistration.k8s.io"
            ? $"io.k8s.kube-aggregator.pkg.apis.apiregistration.{version}"
            : $"io.k8s.api.{group.Split('.')[0]}.{version}";
        string name = $"{package}.{kind}";
        var gvk = new GroupVersionKind(group, version, kind);
        synthetic.Add((name, w => SyntheticSchema(w, gvk)));
        return name;
    }

    private static void SyntheticSchema(Utf8JsonWriter w, GroupVersionKind gvk)
    {
        w.WriteStartObject();
        w.WriteString("type", "object");
        w.WriteStartArray("x-kubernetes-group-version-kind");
        SchemaWriter.WriteGvk(w, gvk);
        w.WriteEndArray();
        w.WriteBoolean("x-kubernetes-preserve-unknown-fields", true);
        w.WriteEndObject();
    }

    private static List<(string, Action<Utf8JsonWriter>)> Distinct(List<(string Name, Action<Utf8JsonWriter> Write)> synthetic) =>
        [.. synthetic.DistinctBy(s => s.Name)];
}
