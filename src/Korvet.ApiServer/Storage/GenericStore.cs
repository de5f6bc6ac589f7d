using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Korvet.ApiServer.Errors;
using Korvet.ApiServer.Patching;
using Korvet.ApiServer.Registry;
using Korvet.ApiServer.Watch;
using Korvet.Storage;

namespace Korvet.ApiServer.Storage;

/// <summary>
/// The one store every resource goes through (upstream's genericregistry.Store): REST semantics over
/// <see cref="IBackend"/> with per-kind behaviour from <see cref="IResourceStrategy"/>. Objects are stored as JSON
/// without resourceVersion; the backend mod revision is the resourceVersion, spliced in on read.
/// Keys: <c>/registry/&lt;group or core&gt;/&lt;plural&gt;/[&lt;namespace&gt;/]&lt;name&gt;</c>. Thread-safe; all
/// concurrency control is the backend's compare-and-swap.
/// </summary>
public sealed partial class GenericStore
{
    private const string GenerateNameAlphabet = "bcdfghjklmnpqrstvwxz2456789";
    private const int MaxPatchRetries = 16;

    private readonly IBackend _backend;
    private readonly WatchCacheSet _caches;
    private readonly StrategyTable _strategies;
    private readonly IPatchApplier _patcher;
    private readonly TimeProvider _time;
    private readonly ResourceDefinition _namespaces;
    private readonly ServerSideApply _apply = new(Korvet.Api.Generated.ApiSchemas.Kubernetes);
    private readonly IWriteAllocator? _allocator;
    private readonly ResourceDefinition? _pdbs;

    public GenericStore(IBackend backend, WatchCacheSet caches, StrategyTable strategies, IPatchApplier patcher,
        ResourceRegistry registry, TimeProvider time, IWriteAllocator? allocator = null)
    {
        _allocator = allocator;
        _backend = backend;
        _caches = caches;
        _strategies = strategies;
        _patcher = patcher;
        _time = time;
        _namespaces = registry.Find("", "v1", "namespaces") ?? throw new ArgumentException("registry lacks namespaces", nameof(registry));
        Pods = registry.Find("", "v1", "pods") ?? throw new ArgumentException("registry lacks pods", nameof(registry));
        _pdbs = registry.Find("policy", "v1", "poddisruptionbudgets");
    }

    /// <summary>core/v1 pods (the target of the legacy <c>bindings</c> resource).</summary>
    public ResourceDefinition Pods { get; }

    public IBackend Backend => _backend;

    public static string KeyFor(ResourceDefinition resource, string ns, string name) =>
        resource.Namespaced ? $"{resource.KeyPrefix}{ns}/{name}" : resource.KeyPrefix + name;

    /// <summary>Key prefix of a list: the resource, narrowed to one namespace when given.</summary>
    public static string ListPrefix(ResourceDefinition resource, string ns) =>
        resource.Namespaced && ns.Length > 0 ? $"{resource.KeyPrefix}{ns}/" : resource.KeyPrefix;

    /// <summary>
    /// Reads one object. resourceVersion "0" may be served from the watch cache; otherwise a consistent backend read,
    /// reusing the cached response bytes when the cache holds the same revision.
    /// </summary>
    public async Task<StoredObject> GetAsync(ResourceDefinition resource, string ns, string name, string resourceVersion,
        CancellationToken cancellationToken)
    {
        string key = KeyFor(resource, ns, name);
        if (resourceVersion == "0")
        {
            WatchCache cache = _caches.For(resource);
            await cache.WaitReadyAsync(cancellationToken);
            return cache.TryGet(key) ?? throw StatusErrors.NotFound(resource, name);
        }

        // Consistent read: the newest revision. When the backend can tell the key's current mod revision cheaply and
        // the watch cache holds exactly that revision, the cached object (and its response bytes) is the answer.
        StoredObject? cached = _caches.Existing(resource)?.TryGet(key);
        if (cached is not null)
        {
            long? current;
            try
            {
                current = await _backend.TryGetModRevisionAsync(key, cancellationToken);
            }
            catch (StorageException e)
            {
                throw MapStorage(e, resource, name);
            }

            if (current == cached.ResourceVersion)
            {
                return cached;
            }
        }

        KeyValue kv = await GetLiveAsync(resource, key, name, cancellationToken);
        return cached is not null && cached.ResourceVersion == kv.ModRevision ? cached : new StoredObject(key, kv.Value, kv.ModRevision);
    }

    /// <summary>Lists objects with upstream's resourceVersion, limit and continue semantics.</summary>
    public async Task<ListPage> ListAsync(ResourceDefinition resource, string ns, ListRequest request, CancellationToken cancellationToken)
    {
        string prefix = ListPrefix(resource, ns);
        if (request.ResourceVersion == "0" && request.Continue.Length == 0 && request.ResourceVersionMatch != "Exact")
        {
            (List<StoredObject> snapshot, long rev) = await _caches.For(resource).SnapshotAsync(prefix, request.Filter, cancellationToken);
            return new ListPage(snapshot, rev, "", null);
        }

        long revision = 0;
        string? after = null;
        if (request.Continue.Length > 0)
        {
            (revision, string relative) = ContinueToken.Decode(request.Continue);
            after = prefix + relative;
        }
        else if (request.ResourceVersionMatch == "Exact")
        {
            revision = ParseResourceVersion(request.ResourceVersion);
        }

        WatchCache? cache = _caches.Existing(resource);
        var items = new List<StoredObject>();
        long? remaining = null;
        string continueToken = "";
        while (true)
        {
            long pageSize = request.Limit <= 0 ? 0 : request.Limit - items.Count;
            ListResult page;
            try
            {
                page = await _backend.ListAsync(prefix, new ListOptions(revision, pageSize, after), cancellationToken);
            }
            catch (StorageException e) when (e.Code == StorageErrorCode.Compacted && request.Continue.Length > 0)
            {
                throw StatusErrors.Expired("The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.");
            }
            catch (StorageException e)
            {
                throw MapStorage(e, resource, "");
            }

            revision = page.Revision;
            foreach (KeyValue kv in page.Items)
            {
                StoredObject? cached = cache?.TryGet(kv.Key);
                StoredObject obj = cached is not null && cached.ResourceVersion == kv.ModRevision ? cached
                    : new StoredObject(kv.Key, kv.Value, kv.ModRevision);
                if (request.Filter.Matches(obj))
                {
                    items.Add(obj);
                }
            }

            if (!page.More || page.Items.Count == 0)
            {
                break;
            }

            after = page.Items[^1].Key;
            if (request.Limit > 0 && items.Count >= request.Limit)
            {
                continueToken = ContinueToken.Encode(revision, after[prefix.Length..]);
                if (request.Filter.IsEmpty)
                {
                    remaining = page.RemainingCount;
                }

                break;
            }
        }

        return new ListPage(items, revision, continueToken, remaining);
    }

    /// <summary>Creates an object (POST). Returns 201 with the stored object.</summary>
    public async Task<WriteResult> CreateAsync(ResourceDefinition resource, string ns, JsonObject obj, WriteOptions options,
        CancellationToken cancellationToken)
    {
        IResourceStrategy strategy = _strategies.For(resource);
        JsonObject meta = PrepareTypeAndMeta(resource, obj);
        if (resource.Namespaced)
        {
            string bodyNs = (string?)meta["namespace"] ?? "";
            if (bodyNs.Length > 0 && bodyNs != ns)
            {
                throw StatusErrors.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
            }

            meta["namespace"] = ns;
        }
        else
        {
            meta.Remove("namespace");
        }

        string name = (string?)meta["name"] ?? "";
        if (name.Length == 0 && (string?)meta["generateName"] is { Length: > 0 } generateName)
        {
            name = GenerateName(generateName);
            meta["name"] = name;
        }

        var causes = new List<StatusCause>();
        if (name.Length == 0)
        {
            causes.Add(NameValidation.Required("metadata.name", "name or generateName is required"));
        }
        else
        {
            causes.AddRange(NameValidation.Validate(name, strategy.NameRule));
        }

        if (resource.Namespaced && ns.Length == 0)
        {
            causes.Add(NameValidation.Required("metadata.namespace", ""));
        }

        DateTimeOffset now = _time.GetUtcNow();
        meta["uid"] = Guid.NewGuid().ToString();
        meta["creationTimestamp"] = Timestamps.Format(now);
        meta.Remove("resourceVersion");
        meta.Remove("deletionTimestamp");
        meta.Remove("deletionGracePeriodSeconds");
        meta.Remove("selfLink");
        if (strategy.TracksGeneration)
        {
            meta["generation"] = 1;
        }
        else
        {
            meta.Remove("generation");
        }

        meta.Remove("managedFields");
        strategy.PrepareForCreate(resource, obj);
        causes.AddRange(strategy.Validate(resource, obj));
        if (causes.Count > 0)
        {
            throw StatusErrors.Invalid(resource, name, causes);
        }

        if (resource.Namespaced)
        {
            await EnsureNamespaceWritableAsync(resource, ns, name, cancellationToken);
        }

        // Held until the backend write below has finished (see IWriteAllocator).
        using IDisposable? allocation = await AllocateAsync(resource, KeyFor(resource, ns, name), obj, null, cancellationToken);
        if (options.ManagedFields is { } applied)
        {
            meta["managedFields"] = applied.DeepClone();
        }
        else
        {
            StampManagedFields(resource, obj, null, options, now, "");
        }

        byte[] bytes = ObjectBytes.Serialize(obj);
        CheckSize(bytes);
        if (options.DryRun)
        {
            return new WriteResult(201, bytes);
        }

        string key = KeyFor(resource, ns, name);
        long revision;
        try
        {
            revision = await _backend.CreateAsync(key, bytes, 0, cancellationToken);
        }
        catch (StorageException e) when (e.Code == StorageErrorCode.KeyExists)
        {
            throw StatusErrors.AlreadyExists(resource, name);
        }
        catch (StorageException e)
        {
            throw MapStorage(e, resource, name);
        }

        return new WriteResult(201, ObjectBytes.WithResourceVersion(bytes, revision));
    }

    private async Task<IDisposable?> AllocateAsync(ResourceDefinition resource, string key, JsonObject obj, JsonObject? old,
        CancellationToken cancellationToken) =>
        _allocator is not null && _allocator.Handles(resource)
            ? await _allocator.AllocateAsync(_backend, resource, key, obj, old, cancellationToken)
            : null;

    /// <summary>
    /// Upstream's NamespaceLifecycle admission: the namespace must exist and not be terminating. Like upstream, the
    /// namespace watch cache answers (no storage read on the create path); a namespace it does not hold (yet) is
    /// looked up live, so a namespace created a moment ago is never refused. A deletion that started a moment ago may
    /// still admit a create, exactly as upstream's informer-backed check does; the namespace controller deletes
    /// whatever is left in a terminating namespace.
    /// </summary>
    private async Task EnsureNamespaceWritableAsync(ResourceDefinition resource, string ns, string name, CancellationToken cancellationToken)
    {
        string key = KeyFor(_namespaces, "", ns);
        if (_caches.Existing(_namespaces)?.TryGet(key) is { } cached)
        {
            using JsonDocument cachedDoc = cached.Parse();
            if (IsTerminating(cachedDoc.RootElement))
            {
                throw NamespaceTerminating(resource, ns, name);
            }

            return;
        }

        KeyValue? nsKv = await Call(() => _backend.GetAsync(key, 0, cancellationToken), _namespaces, ns);
        if (nsKv is null)
        {
            throw StatusErrors.NotFound("", "namespaces", ns);
        }

        using JsonDocument doc = JsonDocument.Parse(nsKv.Value);
        if (IsTerminating(doc.RootElement))
        {
            throw NamespaceTerminating(resource, ns, name);
        }
    }

    private static bool IsTerminating(JsonElement root) =>
        root.TryGetProperty("metadata", out JsonElement m) && m.TryGetProperty("deletionTimestamp", out _);

    /// <summary>403 with the NamespaceTerminating cause, as upstream's NamespaceLifecycle admission answers.</summary>
    private static StatusException NamespaceTerminating(ResourceDefinition resource, string ns, string name)
    {
        string subject = name.Length == 0 ? resource.QualifiedName : $"{resource.QualifiedName} \"{name}\"";
        return new StatusException(403, "Forbidden",
            $"{subject} is forbidden: unable to create new content in namespace {ns} because it is being terminated",
            new StatusDetails(name.Length == 0 ? null : name, resource.Group.Length == 0 ? null : resource.Group, resource.Plural,
                [new StatusCause("NamespaceTerminating", $"namespace {ns} is being terminated", "metadata.namespace")]));
    }

    /// <summary>Checks and fills kind/apiVersion and returns the (created if absent) metadata object.</summary>
    private static JsonObject PrepareTypeAndMeta(ResourceDefinition resource, JsonObject obj)
    {
        string apiVersion = (string?)obj["apiVersion"] ?? "";
        string kind = (string?)obj["kind"] ?? "";
        if (apiVersion.Length > 0 && apiVersion != resource.ApiVersion)
        {
            throw StatusErrors.BadRequest(
                $"the API version in the data ({apiVersion}) does not match the expected API version ({resource.ApiVersion})");
        }

        if (kind.Length > 0 && kind != resource.Kind)
        {
            throw StatusErrors.BadRequest($"the kind in the data ({kind}) does not match the expected kind ({resource.Kind})");
        }

        // kind and apiVersion first, like upstream's serialization.
        var rest = obj.Where(p => p.Key is not ("kind" or "apiVersion")).Select(p => p.Key).ToList();
        var values = rest.Select(k => (k, obj[k])).ToList();
        obj.Clear();
        obj["kind"] = resource.Kind;
        obj["apiVersion"] = resource.ApiVersion;
        foreach ((string k, JsonNode? v) in values)
        {
            obj[k] = v;
        }

        if (obj["metadata"] is not JsonObject meta)
        {
            if (obj["metadata"] is not null)
            {
                throw StatusErrors.BadRequest("metadata must be an object");
            }

            meta = new JsonObject();
            obj["metadata"] = meta;
        }

        return meta;
    }

    private string GenerateName(string prefix)
    {
        const int maxBase = 63 - 5;
        string basePart = prefix.Length > maxBase ? prefix[..maxBase] : prefix;
        Span<char> suffix = stackalloc char[5];
        for (int i = 0; i < suffix.Length; i++)
        {
            suffix[i] = GenerateNameAlphabet[RandomNumberGenerator.GetInt32(GenerateNameAlphabet.Length)];
        }

        return basePart + new string(suffix);
    }

    private static void CheckSize(byte[] bytes)
    {
        if (bytes.Length > StorageLimits.MaxValueBytes)
        {
            throw StatusErrors.RequestEntityTooLarge(StorageLimits.MaxValueBytes);
        }
    }

    private static long ParseResourceVersion(string text)
    {
        if (!long.TryParse(text, out long rv) || rv < 0)
        {
            throw StatusErrors.BadRequest($"invalid resource version \"{text}\"");
        }

        return rv;
    }

    /// <summary>Reads the newest value of <paramref name="key"/>; a missing key is the resource's 404 NotFound.</summary>
    private async Task<KeyValue> GetLiveAsync(ResourceDefinition resource, string key, string name, CancellationToken cancellationToken) =>
        await Call(() => _backend.GetAsync(key, 0, cancellationToken), resource, name) ?? throw StatusErrors.NotFound(resource, name);

    private static async Task<T> Call<T>(Func<Task<T>> call, ResourceDefinition resource, string name)
    {
        try
        {
            return await call();
        }
        catch (StorageException e)
        {
            throw MapStorage(e, resource, name);
        }
    }

    internal static StatusException MapStorage(StorageException e, ResourceDefinition resource, string name) => e.Code switch
    {
        StorageErrorCode.KeyExists => StatusErrors.AlreadyExists(resource, name),
        StorageErrorCode.KeyNotFound => StatusErrors.NotFound(resource, name),
        StorageErrorCode.Conflict => StatusErrors.StaleResourceVersion(resource, name),
        StorageErrorCode.Compacted => StatusErrors.Expired($"too old resource version: {e.Message}"),
        StorageErrorCode.ValueTooLarge => StatusErrors.RequestEntityTooLarge(StorageLimits.MaxValueBytes),
        StorageErrorCode.FutureRevision => StatusErrors.Timeout($"Too large resource version: {e.Message}"),
        StorageErrorCode.Unavailable => StatusErrors.ServiceUnavailable(e.Message),
        _ => StatusErrors.Internal(e.Message),
    };

    /// <summary>
    /// Stamps the "Update" managedFields entry of a non-apply write on <paramref name="obj"/> (the stored form). With
    /// <see cref="WriteOptions.ManagedAs"/> the entry is computed on the served forms of the old and new objects and
    /// records the served apiVersion.
    /// </summary>
    private static void StampManagedFields(ResourceDefinition resource, JsonObject obj, JsonObject? old, WriteOptions options,
        DateTimeOffset now, string subresource)
    {
        if (options.ManagedAs is not { } conversion)
        {
            ManagedFields.Stamp(obj, old, options.FieldManager, resource.ApiVersion, now, subresource, resource.HasStatusSubresource);
            return;
        }

        JsonObject served = conversion.ToServed(obj);
        ManagedFields.Stamp(served, old is null ? null : conversion.ToServed(old), options.FieldManager, conversion.Served.ApiVersion, now,
            subresource, resource.HasStatusSubresource);
        var meta = (JsonObject)obj["metadata"]!;
        if (served["metadata"]?["managedFields"] is JsonArray stamped)
        {
            meta["managedFields"] = stamped.DeepClone();
        }
        else
        {
            meta.Remove("managedFields");
        }
    }
}
