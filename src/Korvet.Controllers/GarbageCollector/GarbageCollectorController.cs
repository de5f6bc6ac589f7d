using System.Text.Json.Nodes;
using Korvet.Api.Discovery;
using Korvet.Api.Meta.V1;
using Korvet.Api.Serialization;
using Korvet.Client;
using Korvet.Client.Queue;
using Microsoft.Extensions.Logging;

namespace Korvet.Controllers.GarbageCollector;

/// <summary>
/// The garbage collector (upstream's pkg/controller/garbagecollector): metadata watches of every listable built-in
/// resource feed an <see cref="OwnerGraph"/>; two queues act on it with live reads (never the cache) before any write.
/// <list type="bullet">
/// <item>attemptToDelete(uid): an object whose owners are all gone (absent, or present with another uid) is deleted —
/// Background, or as its own finalizers ask; owners waiting in foreground deletion get their dependents deleted
/// (Foreground when those have dependents themselves); an object with a live owner only loses references to
/// gone/waiting owners. An owner in foreground deletion drops <c>foregroundDeletion</c> once no dependent blocks it.</item>
/// <item>attemptToOrphan(uid): an owner with the <c>orphan</c> finalizer has its uid removed from every dependent's
/// ownerReferences, then loses the finalizer.</item>
/// </list>
/// Writes carry the object's resourceVersion (patches) or uid (deletes) as preconditions; conflicts retry.
/// </summary>
public sealed class GarbageCollectorController : IController
{
    /// <summary>Resources the collector never watches (upstream's ignored resources, plus kinds that cannot be listed).</summary>
    private static readonly HashSet<(string Group, string Plural)> Ignored =
    [
        ("", "events"), ("events.k8s.io", "events"), ("", "bindings"), ("", "componentstatuses"),
        ("authentication.k8s.io", "tokenreviews"), ("authentication.k8s.io", "selfsubjectreviews"),
        ("authorization.k8s.io", "localsubjectaccessreviews"), ("authorization.k8s.io", "selfsubjectaccessreviews"),
        ("authorization.k8s.io", "selfsubjectrulesreviews"), ("authorization.k8s.io", "subjectaccessreviews"),
    ];

    private readonly ControllerContext _context;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly OwnerGraph _graph = new();
    private readonly WorkQueue<string> _attemptToDelete;
    private readonly WorkQueue<string> _attemptToOrphan;
    private readonly Dictionary<(string ApiVersion, string Kind), MetadataClient> _clients = [];

    public GarbageCollectorController(ControllerContext context)
    {
        _context = context;
        _logger = context.LoggerFactory.CreateLogger<GarbageCollectorController>();
        _attemptToDelete = new WorkQueue<string>(time: context.Time);
        _attemptToOrphan = new WorkQueue<string>(time: context.Time);
        foreach (BuiltinKind kind in WatchedKinds())
        {
            _clients.TryAdd((kind.ApiVersion, kind.Kind), new MetadataClient(context.Client, kind));
        }
    }

    public string Name => "garbage-collector-controller";

    /// <summary>The graph's size (for tests and diagnostics).</summary>
    public int GraphSize
    {
        get
        {
            lock (_lock)
            {
                return _graph.Count;
            }
        }
    }

    /// <summary>Every built-in resource with list and watch, one version per group and resource.</summary>
    public static IReadOnlyList<BuiltinKind> WatchedKinds()
    {
        var seen = new HashSet<(string, string)>();
        return BuiltinKinds.All.Where(k => !Ignored.Contains((k.Group, k.Plural)) && seen.Add((k.Group, k.Plural))).ToList();
    }

    public async Task RunAsync(CancellationToken ct)
    {
        var informers = _clients.Values.Select(c => new MetadataInformer(c, Observe, Forget, _logger)).ToList();
        var running = informers.Select(i => Task.Run(() => i.RunAsync(ct), CancellationToken.None)).ToList();
        try
        {
            // The graph must be complete before deciding anything (a foreground owner must see all its dependents).
            await Task.WhenAll(informers.Select(i => i.Synced)).WaitAsync(ct).ConfigureAwait(false);
            int workers = Math.Max(1, _context.Options.ConcurrentSyncs);
            await Task.WhenAll(
                QueueWorkers.RunAsync(_attemptToDelete, workers, AttemptToDeleteAsync, _logger, ct),
                QueueWorkers.RunAsync(_attemptToOrphan, workers, AttemptToOrphanAsync, _logger, ct)).ConfigureAwait(false);
        }
        finally
        {
            _attemptToDelete.ShutDown();
            _attemptToOrphan.ShutDown();
            await Task.WhenAll(running).ConfigureAwait(false);
        }
    }

    private void Observe(PartialObjectMetadata obj)
    {
        ObjectMeta meta = obj.Metadata!;
        var identity = new GcIdentity(obj.ApiVersion ?? "", obj.Kind ?? "", meta.Namespace ?? "", meta.Name ?? "", meta.Uid ?? "");
        GcWork work;
        lock (_lock)
        {
            work = _graph.Observe(identity, meta);
        }

        Enqueue(work);
    }

    private void Forget(string uid)
    {
        GcWork work;
        lock (_lock)
        {
            work = _graph.Remove(uid);
        }

        Enqueue(work);
    }

    private void Enqueue(GcWork work)
    {
        foreach (string uid in work.AttemptToDelete)
        {
            _attemptToDelete.Add(uid);
        }

        foreach (string uid in work.AttemptToOrphan)
        {
            _attemptToOrphan.Add(uid);
        }
    }

    private GcNodeView? Node(string uid)
    {
        lock (_lock)
        {
            return _graph.Get(uid);
        }
    }

    private MetadataClient? ClientFor(string apiVersion, string kind)
    {
        if (_clients.TryGetValue((apiVersion, kind), out MetadataClient? client))
        {
            return client;
        }

        // Owners may be of kinds the collector does not watch (or another served version).
        return BuiltinKinds.Find(apiVersion, kind) is { } found ? new MetadataClient(_context.Client, found) : null;
    }

    /// <summary>Reads an object live; null when it is absent or has another uid (a different object of that name).</summary>
    private static async Task<PartialObjectMetadata?> LiveAsync(MetadataClient client, string name, string ns, string uid, CancellationToken ct)
    {
        PartialObjectMetadata? latest = await client.TryGetAsync(name, client.Kind.Namespaced ? ns : null, ct).ConfigureAwait(false);
        return latest?.Metadata?.Uid == uid ? latest : null;
    }

    private async Task AttemptToDeleteAsync(string uid, CancellationToken ct)
    {
        GcNodeView? node = Node(uid);
        if (node is null)
        {
            return;
        }

        MetadataClient? client = ClientFor(node.Identity.ApiVersion, node.Identity.Kind);
        if (client is null)
        {
            return; // Unknown kind: nothing can be decided about it.
        }

        PartialObjectMetadata? latest = await LiveAsync(client, node.Identity.Name, node.Identity.Namespace, uid, ct).ConfigureAwait(false);
        if (latest is null)
        {
            // Absent (for a virtual owner: never existed or already gone): its dependents are re-checked.
            Forget(uid);

            return;
        }

        if (node.Virtual)
        {
            return; // The owner exists; its own watch reports it.
        }

        ObjectMeta meta = latest.Metadata!;
        DeletionState state = OwnerGraph.StateOf(meta);
        if (state == DeletionState.DeletingDependents)
        {
            await ProcessDeletingDependentsAsync(client, latest, node, ct).ConfigureAwait(false);
            return;
        }

        if (state != DeletionState.Live || meta.OwnerReferences is not { Count: > 0 } owners)
        {
            return;
        }

        var solid = new List<OwnerReference>();
        var dangling = new List<OwnerReference>();
        var waiting = new List<OwnerReference>();
        foreach (OwnerReference owner in owners)
        {
            MetadataClient? ownerClient = ClientFor(owner.ApiVersion, owner.Kind);
            if (ownerClient is null)
            {
                solid.Add(owner); // Cannot be looked up: never collect on a guess.
                continue;
            }

            PartialObjectMetadata? found = await LiveAsync(ownerClient, owner.Name, meta.Namespace ?? "", owner.Uid, ct).ConfigureAwait(false);
            if (found is null)
            {
                dangling.Add(owner);
            }
            else if (OwnerGraph.StateOf(found.Metadata!) == DeletionState.DeletingDependents)
            {
                waiting.Add(owner);
            }
            else
            {
                solid.Add(owner);
            }
        }

        if (solid.Count > 0)
        {
            if (dangling.Count + waiting.Count > 0)
            {
                // Keep the object for its live owners; drop the references that block or dangle.
                await PatchOwnerReferencesAsync(client, latest, solid, ct).ConfigureAwait(false);
            }

            return;
        }

        string policy = waiting.Count > 0 && node.Dependents.Count > 0 ? "Foreground"
            : meta.Finalizers?.Contains("orphan") == true ? "Orphan"
            : meta.Finalizers?.Contains("foregroundDeletion") == true ? "Foreground"
            : "Background";
        if (_logger.IsEnabled(LogLevel.Information))
        {
            _logger.LogInformation("deleting {Object} (owners gone), propagation {Policy}", node.Identity, policy);
        }

        await DeleteAsync(client, latest, policy, ct).ConfigureAwait(false);
    }

    private async Task ProcessDeletingDependentsAsync(MetadataClient client, PartialObjectMetadata owner, GcNodeView node, CancellationToken ct)
    {
        var blocking = node.Dependents.Where(d => d.BlocksOwner).ToList();
        if (blocking.Count == 0)
        {
            await RemoveFinalizerAsync(client, owner, "foregroundDeletion", ct).ConfigureAwait(false);
            return;
        }

        foreach (GcDependentView dependent in blocking.Where(d => d.State == DeletionState.Live))
        {
            _attemptToDelete.Add(dependent.Identity.Uid);
        }
    }

    private async Task AttemptToOrphanAsync(string uid, CancellationToken ct)
    {
        GcNodeView? node = Node(uid);
        if (node is null || ClientFor(node.Identity.ApiVersion, node.Identity.Kind) is not { } client)
        {
            return;
        }

        PartialObjectMetadata? owner = await LiveAsync(client, node.Identity.Name, node.Identity.Namespace, uid, ct).ConfigureAwait(false);
        if (owner is null || OwnerGraph.StateOf(owner.Metadata!) != DeletionState.Orphaning)
        {
            return;
        }

        foreach (GcDependentView dependent in node.Dependents)
        {
            if (ClientFor(dependent.Identity.ApiVersion, dependent.Identity.Kind) is not { } dependentClient)
            {
                continue;
            }

            PartialObjectMetadata? latest = await LiveAsync(dependentClient, dependent.Identity.Name, dependent.Identity.Namespace,
                dependent.Identity.Uid, ct).ConfigureAwait(false);
            if (latest?.Metadata?.OwnerReferences is { } refs && refs.Any(r => r.Uid == uid))
            {
                await PatchOwnerReferencesAsync(dependentClient, latest, refs.Where(r => r.Uid != uid).ToList(), ct).ConfigureAwait(false);
            }
        }

        await RemoveFinalizerAsync(client, owner, "orphan", ct).ConfigureAwait(false);
    }

    private static async Task PatchOwnerReferencesAsync(MetadataClient client, PartialObjectMetadata obj, List<OwnerReference> keep, CancellationToken ct)
    {
        JsonNode? refs = keep.Count == 0 ? null : new JsonArray(keep.Select(r => JsonNode.Parse(ApiJson.SerializeToUtf8Bytes(r))).ToArray());
        await PatchMetadataAsync(client, obj, "ownerReferences", refs, ct).ConfigureAwait(false);
    }

    private static async Task RemoveFinalizerAsync(MetadataClient client, PartialObjectMetadata obj, string finalizer, CancellationToken ct)
    {
        var rest = (obj.Metadata?.Finalizers ?? []).Where(f => f != finalizer).ToList();
        JsonNode? value = rest.Count == 0 ? null : new JsonArray(rest.Select(f => (JsonNode?)JsonValue.Create(f)).ToArray());
        await PatchMetadataAsync(client, obj, "finalizers", value, ct).ConfigureAwait(false);
    }

    /// <summary>A merge patch of one metadata field guarded by the object's resourceVersion (409 → the queue retries).</summary>
    private static async Task PatchMetadataAsync(MetadataClient client, PartialObjectMetadata obj, string field, JsonNode? value, CancellationToken ct)
    {
        var patch = new JsonObject
        {
            ["metadata"] = new JsonObject { [field] = value, ["resourceVersion"] = obj.Metadata?.ResourceVersion },
        };
        try
        {
            await client.PatchAsync(obj.Metadata!.Name!, obj.Metadata.Namespace, PatchType.Merge, patch.ToJsonString(), ct).ConfigureAwait(false);
        }
        catch (ApiException e) when (e.IsNotFound)
        {
            // Gone meanwhile: nothing left to change.
        }
    }

    private static async Task DeleteAsync(MetadataClient client, PartialObjectMetadata obj, string policy, CancellationToken ct)
    {
        var options = new DeleteOptions { PropagationPolicy = policy, Preconditions = new Preconditions { Uid = obj.Metadata!.Uid } };
        try
        {
            await client.DeleteAsync(obj.Metadata.Name!, obj.Metadata.Namespace, options, ct).ConfigureAwait(false);
        }
        catch (ApiException e) when (e.IsNotFound)
        {
            // Already gone.
        }
    }
}
