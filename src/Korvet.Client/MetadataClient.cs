using System.Globalization;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using Korvet.Api.Discovery;
using Korvet.Api.Meta.V1;
using Korvet.Api.Serialization;

namespace Korvet.Client;

/// <summary>
/// Metadata-only access to any built-in resource (client-go's metadata client): list, get and watch answer
/// <c>PartialObjectMetadata</c> (the server is asked for <c>as=PartialObjectMetadata[List]</c>, so objects' bodies never
/// travel); patch, delete and deletecollection act on the resource itself. For controllers that handle every kind
/// alike (garbage collector, namespace deleter). <c>ns</c> is ignored for cluster-scoped kinds. Thread-safe.
/// </summary>
public sealed class MetadataClient
{
    private const string AcceptObject = "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json";
    private const string AcceptList = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json";

    private readonly KubernetesClient _client;

    public MetadataClient(KubernetesClient client, BuiltinKind kind)
    {
        _client = client;
        Kind = kind;
    }

    public BuiltinKind Kind { get; }

    public async Task<PartialObjectMetadata> GetAsync(string name, string? ns = null, CancellationToken ct = default) =>
        Fill(_client.Codec.Deserialize<PartialObjectMetadata>(
            await _client.RequestAsync(HttpMethod.Get, Path(ns, name), null, ct, AcceptObject).ConfigureAwait(false)));

    /// <summary>The object's metadata, or null when it does not exist (404).</summary>
    public async Task<PartialObjectMetadata?> TryGetAsync(string name, string? ns = null, CancellationToken ct = default)
    {
        try
        {
            return await GetAsync(name, ns, ct).ConfigureAwait(false);
        }
        catch (ApiException e) when (e.IsNotFound)
        {
            return null;
        }
    }

    public async Task<ResourceList<PartialObjectMetadata>> ListAsync(string? ns = null, ListOptions? options = null, CancellationToken ct = default)
    {
        byte[] body = await _client.RequestAsync(HttpMethod.Get, Path(ns, null) + Query(options, false), null, ct, AcceptList).ConfigureAwait(false);
        PartialObjectMetadataList list = _client.Codec.Deserialize<PartialObjectMetadataList>(body);
        List<PartialObjectMetadata> items = list.Items ?? [];
        items.ForEach(i => Fill(i));
        return new ResourceList<PartialObjectMetadata>(items, list.Metadata?.ResourceVersion ?? "",
            string.IsNullOrEmpty(list.Metadata?.Continue) ? null : list.Metadata.Continue, list.Metadata?.RemainingItemCount);
    }

    /// <summary>Watches metadata; same contract as <see cref="ResourceClient{T}.WatchAsync"/>.</summary>
    public async IAsyncEnumerable<WatchEvent<PartialObjectMetadata>> WatchAsync(string? ns = null, ListOptions? options = null,
        [EnumeratorCancellation] CancellationToken ct = default)
    {
        using HttpResponseMessage response = await _client.OpenStreamAsync(Path(ns, null) + Query(options, true), ct, AcceptObject).ConfigureAwait(false);
        await using Stream stream = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        var lines = new WatchLineReader(stream);
        while (await lines.ReadLineAsync(ct).ConfigureAwait(false) is { } line)
        {
            if (WatchDecoder.Decode<PartialObjectMetadata>(line.Span, _client.Codec) is { } e)
            {
                Fill(e.Object);
                yield return e;
            }
        }
    }

    /// <summary>Patches the object (typically its metadata) and returns its new metadata.</summary>
    public async Task<PartialObjectMetadata> PatchAsync(string name, string? ns, PatchType type, string patch, CancellationToken ct = default)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(patch));
        content.Headers.ContentType = new MediaTypeHeaderValue(type switch
        {
            PatchType.Json => "application/json-patch+json",
            PatchType.Merge => "application/merge-patch+json",
            PatchType.StrategicMerge => "application/strategic-merge-patch+json",
            _ => throw new ArgumentException("apply patches need a field manager: use ResourceClient", nameof(type)),
        });
        return Fill(_client.Codec.Deserialize<PartialObjectMetadata>(
            await _client.RequestAsync(HttpMethod.Patch, Path(ns, name), content, ct, AcceptObject).ConfigureAwait(false)));
    }

    /// <summary>Deletes (or marks for deletion when finalizers/graceful deletion apply). 404 throws.</summary>
    public async Task DeleteAsync(string name, string? ns = null, DeleteOptions? options = null, CancellationToken ct = default) =>
        await _client.RequestAsync(HttpMethod.Delete, Path(ns, name), Body(options), ct).ConfigureAwait(false);

    public async Task DeleteCollectionAsync(string? ns = null, ListOptions? listOptions = null, DeleteOptions? options = null,
        CancellationToken ct = default) =>
        await _client.RequestAsync(HttpMethod.Delete, Path(ns, null) + Query(listOptions, false), Body(options), ct, AcceptList).ConfigureAwait(false);

    /// <summary>PUT of a subresource that takes the whole object (a namespace's <c>finalize</c>); <paramref name="body"/> is a typed API object.</summary>
    public async Task UpdateSubresourceAsync(string name, string? ns, string subresource, object body, CancellationToken ct = default)
    {
        var content = new ByteArrayContent(ApiJson.SerializeToUtf8Bytes(body));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        await _client.RequestAsync(HttpMethod.Put, Path(ns, name) + "/" + subresource, content, ct).ConfigureAwait(false);
    }

    private PartialObjectMetadata Fill(PartialObjectMetadata obj)
    {
        // The object's own kind, not PartialObjectMetadata: owners and events refer to it.
        obj.Kind = Kind.Kind;
        obj.ApiVersion = Kind.ApiVersion;
        return obj;
    }

    private static ByteArrayContent? Body(DeleteOptions? options)
    {
        if (options is null)
        {
            return null;
        }

        var content = new ByteArrayContent(ApiJson.SerializeToUtf8Bytes(options));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    private string Path(string? ns, string? name)
    {
        var sb = new StringBuilder(Kind.GroupVersionPath);
        if (Kind.Namespaced && !string.IsNullOrEmpty(ns))
        {
            sb.Append("/namespaces/").Append(Uri.EscapeDataString(ns));
        }

        sb.Append('/').Append(Kind.Plural);
        if (name is not null)
        {
            sb.Append('/').Append(Uri.EscapeDataString(name));
        }

        return sb.ToString();
    }

    private static string Query(ListOptions? o, bool watch)
    {
        var sb = new StringBuilder();
        void Param(string key, string? value)
        {
            if (!string.IsNullOrEmpty(value))
            {
                sb.Append(sb.Length == 0 ? '?' : '&').Append(key).Append('=').Append(Uri.EscapeDataString(value));
            }
        }

        Param("watch", watch ? "true" : null);
        if (o is not null)
        {
            Param("labelSelector", o.LabelSelector);
            Param("fieldSelector", o.FieldSelector);
            Param("limit", o.Limit?.ToString(CultureInfo.InvariantCulture));
            Param("continue", o.Continue);
            Param("resourceVersion", o.ResourceVersion);
            Param("timeoutSeconds", o.TimeoutSeconds?.ToString(CultureInfo.InvariantCulture));
            Param("allowWatchBookmarks", watch && o.AllowWatchBookmarks == true ? "true" : null);
        }

        return sb.ToString();
    }
}
