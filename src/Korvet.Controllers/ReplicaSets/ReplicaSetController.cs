using System.Runtime.ExceptionServices;
using Korvet.Api;
using Korvet.Api.Core.V1;
using Korvet.Api.Meta.V1;
using Korvet.Client;
using Korvet.Client.Cache;
using Korvet.Client.Queue;
using Microsoft.Extensions.Logging;

namespace Korvet.Controllers.ReplicaSets;

/// <summary>
/// Upstream's ReplicaSetController (pkg/controller/replicaset), for ReplicaSets and — through the adapter —
/// ReplicationControllers. Informer handlers only enqueue "namespace/name" and track expectations; <see cref="SyncAsync"/>
/// reads the informer caches (never lists from the API server), claims pods (adopting matching orphans, releasing
/// owned pods that stopped matching), creates or deletes the difference to spec.replicas (at most BurstReplicas per
/// sync; creates in parallel slow-start batches) and writes status. Syncs are idempotent; the work queue never runs one
/// key on two workers; a failed sync is retried with rate-limited backoff.
/// </summary>
public sealed partial class ReplicaSetController<T> : IController
    where T : class, IKubernetesObject
{
    /// <summary>Upstream's burstReplicas: at most this many creates or deletes per sync.</summary>
    public const int BurstReplicas = 500;

    private readonly IReplicaSetAdapter<T> _adapter;
    private readonly ResourceClient<T> _client;
    private readonly SharedIndexInformer<T> _informer;
    private readonly SharedIndexInformer<Pod> _pods;
    private readonly IPodControl _podControl;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly int _workers;
    private readonly WorkQueue<string> _queue;

    /// <param name="podControl">The pod writer; null = the API with events from this controller.</param>
    public ReplicaSetController(ControllerContext context, IReplicaSetAdapter<T> adapter, IPodControl? podControl = null)
    {
        _adapter = adapter;
        _client = context.Client.Resource<T>();
        _informer = context.Informers.For<T>();
        _pods = context.Informers.For<Pod>();
        _podControl = podControl ?? new PodControl(context.Client, context.Events(adapter.ControllerName));
        _time = context.Time;
        _logger = context.LoggerFactory.CreateLogger("Korvet.Controllers." + adapter.ControllerName);
        _workers = context.Options.ConcurrentSyncs;
        _queue = new WorkQueue<string>(time: context.Time);
        Expectations = new ControllerExpectations(context.Time);
        ControllerRefs.EnsureIndexes(_pods.Store);
        _informer.AddEventHandler(AddOwner, UpdateOwner, DeleteOwner);
        _pods.AddEventHandler(AddPod, UpdatePod, DeletePod);
    }

    public string Name => _adapter.ControllerName;

    /// <summary>Creations/deletions issued and not yet observed, per key.</summary>
    public ControllerExpectations Expectations { get; }

    /// <summary>Waits for the caches, then runs the workers until <paramref name="ct"/> fires.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        await Task.WhenAll(_informer.WaitForCacheSyncAsync(ct), _pods.WaitForCacheSyncAsync(ct));
        await QueueWorkers.RunAsync(_queue, _workers, SyncAsync, _logger, ct);
    }

    /// <summary>Reconciles one object; throws (for a rate-limited retry) when a create, delete or write failed.</summary>
    public async Task SyncAsync(string key, CancellationToken ct)
    {
        T? obj = _informer.Store.Get(key);
        if (obj is null)
        {
            Expectations.Delete(key);
            return;
        }

        ReplicaSetView view = _adapter.View(obj);
        bool needsSync = Expectations.Satisfied(key);
        if (view.Selector is null)
        {
            _logger.LogError("{Kind} {Key} has an invalid selector", _adapter.Kind, key);
            return;
        }

        string ns = view.Meta.Namespace ?? "";
        List<Pod> candidates = [.. ControllerRefs.Candidates(_pods.Store, view.Meta.Uid ?? "", ns).Where(p => p.Metadata?.Namespace == ns && PodState.IsActive(p))];
        List<Pod> pods = await ClaimPodsAsync(view, candidates, ct);

        Exception? manageError = null;
        if (needsSync && view.Meta.DeletionTimestamp is null)
        {
            try
            {
                await ManageReplicasAsync(obj, view, pods, key, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                manageError = e;
            }
        }

        DateTimeOffset now = _time.GetUtcNow();
        ReplicaStatus status = ReplicaStatus.Calculate(view.Status, view.Replicas, view.Template?.Metadata?.Labels, view.MinReadySeconds, pods, manageError, now);
        await UpdateStatusAsync(obj, view, status, ct);
        if (manageError is null && view.MinReadySeconds > 0 && status.ReadyReplicas == view.Replicas && status.AvailableReplicas != view.Replicas)
        {
            _queue.AddAfter(key, TimeSpan.FromSeconds(view.MinReadySeconds));
        }

        if (manageError is not null)
        {
            ExceptionDispatchInfo.Throw(manageError);
        }
    }

    private async Task ManageReplicasAsync(T obj, ReplicaSetView view, List<Pod> pods, string key, CancellationToken ct)
    {
        int diff = pods.Count - view.Replicas;
        string ns = view.Meta.Namespace ?? "";
        if (diff < 0)
        {
            int count = Math.Min(-diff, BurstReplicas);
            PodTemplateSpec template = view.Template ?? throw new InvalidOperationException($"{_adapter.Kind} {key} has no pod template");
            OwnerReference controllerRef = PodState.ControllerReference(_adapter.ApiVersion, _adapter.Kind, view.Meta);
            Expectations.ExpectCreations(key, count);
            (int successes, Exception? error) = await SlowStart.RunAsync(count, SlowStart.InitialBatchSize, async () =>
            {
                try
                {
                    await _podControl.CreatePodAsync(ns, template, obj, controllerRef, ct);
                }
                catch (ApiException e) when (IsNamespaceTerminating(e))
                {
                    // Upstream ignores creates refused because the namespace is going away.
                }
            });

            // Creations never attempted (or failed) will not be observed: stop expecting them.
            for (int i = successes; i < count; i++)
            {
                Expectations.CreationObserved(key);
            }

            if (error is not null)
            {
                ExceptionDispatchInfo.Throw(error);
            }
        }
        else if (diff > 0)
        {
            int count = Math.Min(diff, BurstReplicas);
            List<Pod> victims = PodDeletionOrder.PodsToDelete(pods, RelatedPods(view), count, _time.GetUtcNow());
            Expectations.ExpectDeletions(key, victims.Select(p => PodState.Key(p.Metadata)));
            var errors = new List<Exception>();
            await Task.WhenAll(victims.Select(async pod =>
            {
                try
                {
                    await _podControl.DeletePodAsync(ns, pod.Metadata?.Name ?? "", obj, ct);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // The delete will not be observed; a pod that is already gone is not an error.
                    Expectations.DeletionObserved(key, PodState.Key(pod.Metadata));
                    if (e is not ApiException { IsNotFound: true })
                    {
                        lock (errors)
                        {
                            errors.Add(e);
                        }
                    }
                }
            }));
            if (errors.Count > 0)
            {
                ExceptionDispatchInfo.Throw(errors[0]);
            }
        }
    }

    /// <summary>ClaimPods: owned and matching pods, plus matching orphans adopted now; owned non-matching pods released.</summary>
    private Task<List<Pod>> ClaimPodsAsync(ReplicaSetView view, List<Pod> candidates, CancellationToken ct) =>
        ControllerRefs.ClaimAsync(candidates, view.Meta, _adapter.ApiVersion, _adapter.Kind,
            pod => view.Selector!.Matches((IReadOnlyDictionary<string, string>?)pod.Metadata?.Labels ?? new Dictionary<string, string>()),
            token => CanAdoptAsync(view, token),
            (pod, patch, token) => _podControl.PatchPodAsync(view.Meta.Namespace ?? "", pod.Metadata!.Name!, patch, token), ct);

    /// <summary>RecheckDeletionTimestamp: a live read confirms the owner is the same object and not being deleted.</summary>
    private async Task<bool> CanAdoptAsync(ReplicaSetView view, CancellationToken ct)
    {
        T? fresh = await _client.TryGetAsync(view.Meta.Name ?? "", view.Meta.Namespace, ct);
        return fresh?.Metadata?.Uid == view.Meta.Uid && fresh?.Metadata?.DeletionTimestamp is null;
    }

    /// <summary>Pods of every set that shares this set's controller (the deployment's other ReplicaSets), for ranking.</summary>
    private List<Pod> RelatedPods(ReplicaSetView view)
    {
        string? ownerUid = PodState.ControllerOf(view.Meta)?.Uid;
        if (ownerUid is null)
        {
            return _pods.Store.ByIndex(ControllerRefs.ByControllerUid, view.Meta.Uid ?? "");
        }

        return [.. _informer.Store.ByIndex(Store<T>.NamespaceIndex, view.Meta.Namespace ?? "")
            .Where(s => PodState.ControllerOf(s.Metadata)?.Uid == ownerUid)
            .SelectMany(s => _pods.Store.ByIndex(ControllerRefs.ByControllerUid, s.Metadata?.Uid ?? ""))];
    }

    private async Task UpdateStatusAsync(T obj, ReplicaSetView view, ReplicaStatus status, CancellationToken ct)
    {
        long generation = view.Meta.Generation ?? 0;
        ReplicaStatus desired = status with { ObservedGeneration = generation };
        if (desired.SameAs(view.Status))
        {
            return;
        }

        T current = obj;
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                await _client.UpdateStatusAsync(_adapter.WithStatus(current, desired), ct);
                return;
            }
            catch (ApiException) when (attempt == 0)
            {
                current = await _client.GetAsync(view.Meta.Name ?? "", view.Meta.Namespace, ct);
            }
        }
    }

    private static bool IsNamespaceTerminating(ApiException e) =>
        e.Status?.Details?.Causes?.Any(c => c.Type == "NamespaceTerminating") == true;
}
