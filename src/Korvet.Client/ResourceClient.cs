using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using Korvet.Api;
using Korvet.Api.Discovery;
using Korvet.Api.Generated;
using Korvet.Api.Meta.V1;
using Korvet.Api.Serialization;

namespace Korvet.Client;

/// <summary>
/// Typed CRUD, patch and watch of one built-in resource. <c>ns</c> is ignored for cluster-scoped kinds; null for a
/// namespaced kind lists/watches all namespaces. Objects passed in get their Kind/ApiVersion filled when null.
/// Thread-safe.
/// </summary>
public sealed class ResourceClient<T>
    where T : class, IKubernetesObject
{
    private readonly KubernetesClient _client;
    private readonly Type _listType;

    internal ResourceClient(KubernetesClient client, BuiltinKind kind)
    {
        _client = client;
        Kind = kind;
        _listType = ApiTypes.Find(kind.ApiVersion, kind.Kind + "List") ?? throw new ArgumentException($"{kind.Kind} has no list type");
    }

    public BuiltinKind Kind { get; }

    public async Task<T> GetAsync(string name, string? ns = null, CancellationToken ct = default) =>
        Decode(await _client.RequestAsync(HttpMethod.Get, Path(ns, name), null, ct).ConfigureAwait(false));

    /// <summary>The object, or null when it does not exist (404).</summary>
    public async Task<T?> TryGetAsync(string name, string? ns = null, CancellationToken ct = default)
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

    /// <summary>One page (all items unless <c>options.Limit</c> is set); items get Kind/ApiVersion filled.</summary>
    public async Task<ResourceList<T>> ListAsync(string? ns = null, ListOptions? options = null, CancellationToken ct = default)
    {
        byte[] body = await _client.RequestAsync(HttpMethod.Get, Path(ns, null) + Query(options, watch: false), null, ct).ConfigureAwait(false);
        var list = (IKubernetesList<T>)_client.Codec.Deserialize(body, _listType);
        List<T> items = list.Items ?? [];
        foreach (T item in items)
        {
            item.Kind ??= Kind.Kind;
            item.ApiVersion ??= Kind.ApiVersion;
        }

        return new ResourceList<T>(items, list.Metadata?.ResourceVersion ?? "", NullIfEmpty(list.Metadata?.Continue), list.Metadata?.RemainingItemCount);
    }

    public async Task<T> CreateAsync(T obj, CancellationToken ct = default) =>
        Decode(await _client.RequestAsync(HttpMethod.Post, Path(obj.Metadata?.Namespace, null), Body(obj), ct).ConfigureAwait(false));

    /// <summary>PUT: fails with a conflict when <c>metadata.resourceVersion</c> is stale.</summary>
    public async Task<T> UpdateAsync(T obj, CancellationToken ct = default) =>
        Decode(await _client.RequestAsync(HttpMethod.Put, Path(obj.Metadata?.Namespace, NameOf(obj)), Body(obj), ct).ConfigureAwait(false));

    public async Task<T> UpdateStatusAsync(T obj, CancellationToken ct = default) =>
        Decode(await _client.RequestAsync(HttpMethod.Put, Path(obj.Metadata?.Namespace, NameOf(obj), "status"), Body(obj), ct).ConfigureAwait(false));

    /// <param name="fieldManager">Required for <see cref="PatchType.Apply"/>.</param>
    /// <param name="force">Apply: take over conflicting fields.</param>
    public async Task<T> PatchAsync(string name, string? ns, PatchType type, string patch, string? subresource = null,
        string? fieldManager = null, bool force = false, CancellationToken ct = default)
    {
        var query = new StringBuilder();
        Param(query, "fieldManager", fieldManager);
        Param(query, "force", type == PatchType.Apply && force ? "true" : null);
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(patch));
        content.Headers.ContentType = new MediaTypeHeaderValue(type switch
        {
            PatchType.Json => "application/json-patch+json",
            PatchType.Merge => "application/merge-patch+json",
            PatchType.StrategicMerge => "application/strategic-merge-patch+json",
            _ => "application/apply-patch+yaml",
        });
        return Decode(await _client.RequestAsync(HttpMethod.Patch, Path(ns, name, subresource) + query, content, ct).ConfigureAwait(false));
    }

    /// <summary>Deletes (or marks for deletion when finalizers/graceful deletion apply). 404 throws.</summary>
    public async Task DeleteAsync(string name, string? ns = null, DeleteOptions? options = null, CancellationToken ct = default) =>
        await _client.RequestAsync(HttpMethod.Delete, Path(ns, name), options is null ? null : Body(options), ct).ConfigureAwait(false);

    public async Task DeleteCollectionAsync(string? ns = null, ListOptions? listOptions = null, DeleteOptions? options = null,
        CancellationToken ct = default) =>
        await _client.RequestAsync(HttpMethod.Delete, Path(ns, null) + Query(listOptions, watch: false), options is null ? null : Body(options), ct)
            .ConfigureAwait(false);

    /// <summary>POSTs <paramref name="body"/> (a typed API object: Binding, Eviction, ...) to a subresource.</summary>
    public async Task CreateSubresourceAsync(string name, string? ns, string subresource, object body, CancellationToken ct = default) =>
        await _client.RequestAsync(HttpMethod.Post, Path(ns, name, subresource), Body(body), ct).ConfigureAwait(false);

    /// <summary>
    /// Watches until the server ends the stream (normal end: resume from the last seen resourceVersion) or
    /// <paramref name="ct"/> fires. An ERROR event throws <see cref="ApiException"/> (410 Expired: relist).
    /// </summary>
    public async IAsyncEnumerable<WatchEvent<T>> WatchAsync(string? ns = null, ListOptions? options = null,
        [EnumeratorCancellation] CancellationToken ct = default)
    {
        using HttpResponseMessage response = await _client.OpenStreamAsync(Path(ns, null) + Query(options, watch: true), ct).ConfigureAwait(false);
        await using Stream stream = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        var lines = new WatchLineReader(stream);
        while (await lines.ReadLineAsync(ct).ConfigureAwait(false) is { } line)
        {
            if (WatchDecoder.Decode<T>(line.Span, _client.Codec) is { } e)
            {
                yield return e;
            }
        }
    }

    internal string Path(string? ns, string? name, string? subresource = null)
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

        if (subresource is not null)
        {
            sb.Append('/').Append(subresource);
        }

        return sb.ToString();
    }

    private static string Query(ListOptions? o, bool watch)
    {
        var sb = new StringBuilder();
        Param(sb, "watch", watch ? "true" : null);
        if (o is not null)
        {
            Param(sb, "labelSelector", o.LabelSelector);
            Param(sb, "fieldSelector", o.FieldSelector);
            Param(sb, "limit", o.Limit?.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Param(sb, "continue", o.Continue);
            Param(sb, "resourceVersion", o.ResourceVersion);
            Param(sb, "resourceVersionMatch", o.ResourceVersionMatch);
            Param(sb, "timeoutSeconds", o.TimeoutSeconds?.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Param(sb, "allowWatchBookmarks", watch && o.AllowWatchBookmarks == true ? "true" : null);
            Param(sb, "sendInitialEvents", o.SendInitialEvents == true ? "true" : null);
        }

        return sb.ToString();
    }

    private static void Param(StringBuilder sb, string key, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            sb.Append(sb.Length == 0 ? '?' : '&').Append(key).Append('=').Append(Uri.EscapeDataString(value));
        }
    }

    private ByteArrayContent Body(object obj)
    {
        if (obj is T typed)
        {
            typed.Kind ??= Kind.Kind;
            typed.ApiVersion ??= Kind.ApiVersion;
        }

        var content = new ByteArrayContent(ApiJson.SerializeToUtf8Bytes(obj));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    private static string NameOf(T obj) =>
        obj.Metadata?.Name is { Length: > 0 } name ? name : throw new ArgumentException("the object has no metadata.name", nameof(obj));

    private T Decode(byte[] body) => _client.Codec.Deserialize<T>(body);

    private static string? NullIfEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;
}
