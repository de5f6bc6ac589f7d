using System.Globalization;
using System.Runtime.ExceptionServices;
using Korvet.Api.Apps.V1;
using Korvet.Api.Core.V1;
using Korvet.Api.Meta.V1;
using Korvet.Client;
using Korvet.Client.Cache;
using Korvet.Client.Events;
using Korvet.Client.Queue;
using Korvet.Controllers.ReplicaSets;
using Microsoft.Extensions.Logging;
using LabelSelector = Korvet.Api.Selectors.LabelSelector;

namespace Korvet.Controllers.DaemonSets;

/// <summary>
/// Upstream's DaemonSetsController (pkg/controller/daemon): one pod per eligible node. Handlers only enqueue
/// "namespace/name" and lower expectations; <see cref="SyncAsync"/> reads the caches, claims pods, finds or creates the
/// current ControllerRevision, then (when earlier creates/deletes have been observed) runs manage() and the rolling
/// update from <see cref="DaemonPlanner"/>, prunes old revisions and writes status. Pods are created pinned to their
/// node by required node affinity and bound by the scheduler. Syncs are idempotent; one key never runs on two workers.
/// </summary>
public sealed partial class DaemonSetController : IController
{
    public const string ControllerName = "daemonset-controller";

    /// <summary>The apps/v1 annotation upstream's API server keeps as the template generation.</summary>
    public const string TemplateGenerationAnnotation = "deprecated.daemonset.template.generation";

    private readonly ResourceClient<DaemonSet> _client;
    private readonly ResourceClient<ControllerRevision> _revisionClient;
    private readonly SharedIndexInformer<DaemonSet> _sets;
    private readonly SharedIndexInformer<Pod> _pods;
    private readonly SharedIndexInformer<Node> _nodes;
    private readonly SharedIndexInformer<ControllerRevision> _revisions;
    private readonly IPodControl _podControl;
    private readonly EventRecorder _events;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly int _workers;
    private readonly WorkQueue<string> _queue;
    private readonly FailedPodBackoff _backoff;

    public DaemonSetController(ControllerContext context, IPodControl? podControl = null)
    {
        _client = context.Client.Resource<DaemonSet>();
        _revisionClient = context.Client.Resource<ControllerRevision>();
        _sets = context.Informers.For<DaemonSet>();
        _pods = context.Informers.For<Pod>();
        _nodes = context.Informers.For<Node>();
        _revisions = context.Informers.For<ControllerRevision>();
        _events = context.Events(ControllerName);
        _podControl = podControl ?? new PodControl(context.Client, _events);
        _time = context.Time;
        _logger = context.LoggerFactory.CreateLogger("Korvet.Controllers." + ControllerName);
        _workers = context.Options.ConcurrentSyncs;
        _queue = new WorkQueue<string>(time: context.Time);
        _backoff = new FailedPodBackoff(context.Time);
        Expectations = new ControllerExpectations(context.Time);
        ControllerRefs.EnsureIndexes(_pods.Store);
        ControllerRefs.EnsureIndexes(_revisions.Store);
        _sets.AddEventHandler(s => Enqueue(s), (_, s) => Enqueue(s), DeleteSet);
        _pods.AddEventHandler(AddPod, UpdatePod, DeletePod);
        _nodes.AddEventHandler(_ => EnqueueAll(), UpdateNode, _ => EnqueueAll());
    }

    public string Name => ControllerName;

    /// <summary>Creations/deletions issued and not yet observed, per key.</summary>
    public ControllerExpectations Expectations { get; }

    public async Task RunAsync(CancellationToken ct)
    {
        await Task.WhenAll(_sets.WaitForCacheSyncAsync(ct), _pods.WaitForCacheSyncAsync(ct), _nodes.WaitForCacheSyncAsync(ct),
            _revisions.WaitForCacheSyncAsync(ct));
        await QueueWorkers.RunAsync(_queue, _workers, SyncAsync, _logger, ct);
    }

    /// <summary>Reconciles one DaemonSet; throws (for a rate-limited retry) when a write failed.</summary>
    public async Task SyncAsync(string key, CancellationToken ct)
    {
        DaemonSet? ds = _sets.Store.Get(key);
        if (ds is null)
        {
            Expectations.Delete(key);
            return;
        }

        ObjectMeta meta = ds.Metadata ?? new ObjectMeta();
        LabelSelector? selector = ReplicaSetAdapter.Selector(ds.Spec?.Selector);
        if (selector is null || selector.IsNothing || selector.IsEverything)
        {
            _events.Warning(ds, "SelectingAll", "This daemon set is selecting all pods. A non-empty selector is required.");
            return;
        }

        if (meta.DeletionTimestamp is not null)
        {
            return;
        }

        List<Node> nodes = _nodes.Store.List();
        List<Pod> pods = await ClaimPodsAsync(ds, selector, ct);
        (ControllerRevision current, List<ControllerRevision> old) = await ConstructHistoryAsync(ds, ct);
        string hash = current.Metadata?.Labels?.GetValueOrDefault(DaemonPlanner.RevisionHashLabel) ?? DaemonSetHistory.Hash(ds);
        long? generation = TemplateGeneration(ds);
        PodSpec eligibility = DaemonNodes.WithDefaultTolerations(ds.Spec?.Template?.Spec);
        Dictionary<string, List<Pod>> byNode = DaemonPlanner.ByNode(pods);
        if (!Expectations.Satisfied(key))
        {
            await UpdateStatusAsync(ds, nodes, eligibility, byNode, hash, generation, observed: false, ct);
            return;
        }

        Exception? error = null;
        try
        {
            ManagePlan plan = DaemonPlanner.Manage(nodes, eligibility, byNode, hash, DaemonPlanner.AllowsSurge(ds.Spec?.UpdateStrategy),
                node => _backoff.TryDelete(meta.Uid + "/" + node));
            foreach (Pod failed in plan.FailedPods)
            {
                _events.Warning(ds, "FailedDaemonPod",
                    $"Found failed daemon pod {failed.Metadata?.Namespace}/{failed.Metadata?.Name} on node {DaemonNodes.TargetNode(failed)}, will try to kill it");
            }

            if (plan.RetryForBackoff)
            {
                _queue.AddAfter(key, FailedPodBackoff.Initial);
            }

            bool acted = plan.NodesToCreate.Count > 0 || plan.PodsToDelete.Count > 0;
            await SyncNodesAsync(ds, key, plan.PodsToDelete, plan.NodesToCreate, hash, generation, ct);
            if (!acted && (ds.Spec?.UpdateStrategy?.Type ?? "RollingUpdate") == "RollingUpdate")
            {
                RollingPlan rolling = DaemonPlanner.Rolling(nodes, eligibility, byNode, hash, generation, ds.Spec?.UpdateStrategy,
                    ds.Spec?.MinReadySeconds ?? 0, _time.GetUtcNow());
                await SyncNodesAsync(ds, key, rolling.PodsToDelete, rolling.NodesToCreate, hash, generation, ct);
            }

            await CleanupHistoryAsync(ds, old, pods, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            error = e;
        }

        await UpdateStatusAsync(ds, nodes, eligibility, byNode, hash, generation, observed: error is null, ct);
        if (error is not null)
        {
            ExceptionDispatchInfo.Throw(error);
        }
    }

    /// <summary>The template generation: upstream's annotation when present, else metadata.generation.</summary>
    public static long? TemplateGeneration(DaemonSet ds) =>
        ds.Metadata?.Annotations?.TryGetValue(TemplateGenerationAnnotation, out string? v) == true &&
        long.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out long g) ? g : ds.Metadata?.Generation;

    /// <summary>syncNodes: deletes and creates in parallel under one expectation record.</summary>
    private async Task SyncNodesAsync(DaemonSet ds, string key, List<Pod> deletes, List<string> creates, string hash, long? generation,
        CancellationToken ct)
    {
        if (deletes.Count == 0 && creates.Count == 0)
        {
            return;
        }

        string ns = ds.Metadata?.Namespace ?? "";
        Expectations.Expect(key, creates.Count, deletes.Select(p => PodState.Key(p.Metadata)));
        OwnerReference controllerRef = PodState.ControllerReference("apps/v1", "DaemonSet", ds.Metadata!);
        var errors = new List<Exception>();
        Task deleting = Task.WhenAll(deletes.Select(async pod =>
        {
            try
            {
                await _podControl.DeletePodAsync(ns, pod.Metadata?.Name ?? "", ds, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
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
        int index = 0;
        (int successes, Exception? createError) = await SlowStart.RunAsync(creates.Count, SlowStart.InitialBatchSize, async () =>
        {
            string node = creates[Interlocked.Increment(ref index) - 1];
            await _podControl.CreatePodAsync(ns, PodTemplate(ds, node, hash, generation), ds, controllerRef, ct);
        });
        for (int i = successes; i < creates.Count; i++)
        {
            Expectations.CreationObserved(key);
        }

        await deleting;
        if (createError is not null)
        {
            errors.Add(createError);
        }

        if (errors.Count > 0)
        {
            ExceptionDispatchInfo.Throw(errors[0]);
        }
    }

    /// <summary>CreatePodTemplate + NewPod: labels gain the generation and hash; spec gains tolerations and pinning.</summary>
    public static PodTemplateSpec PodTemplate(DaemonSet ds, string node, string hash, long? generation)
    {
        PodTemplateSpec template = ObjectCopy.Clone(ds.Spec?.Template ?? new PodTemplateSpec());
        template.Metadata ??= new ObjectMeta();
        template.Metadata.Labels ??= [];
        if (generation is long g)
        {
            template.Metadata.Labels[DaemonPlanner.TemplateGenerationLabel] = g.ToString(CultureInfo.InvariantCulture);
        }

        if (hash.Length > 0)
        {
            template.Metadata.Labels[DaemonPlanner.RevisionHashLabel] = hash;
        }

        template.Spec = DaemonNodes.ForNode(template.Spec ?? new PodSpec(), node);
        return template;
    }

    private async Task UpdateStatusAsync(DaemonSet ds, List<Node> nodes, PodSpec eligibility, Dictionary<string, List<Pod>> byNode,
        string hash, long? generation, bool observed, CancellationToken ct)
    {
        int minReady = ds.Spec?.MinReadySeconds ?? 0;
        DaemonSetStatus status = DaemonPlanner.Status(nodes, eligibility, byNode, hash, generation, minReady, _time.GetUtcNow());
        DaemonSetStatus? before = ds.Status;
        status.ObservedGeneration = observed ? ds.Metadata?.Generation : before?.ObservedGeneration;
        status.CollisionCount = before?.CollisionCount;
        status.Conditions = before?.Conditions;
        if (minReady > 0 && status.NumberReady != status.NumberAvailable)
        {
            _queue.AddAfter(PodState.Key(ds.Metadata), TimeSpan.FromSeconds(minReady));
        }

        if (before is not null && SameStatus(before, status))
        {
            return;
        }

        DaemonSet current = ds;
        for (int attempt = 0; ; attempt++)
        {
            DaemonSet copy = ObjectCopy.Clone(current);
            copy.Status = status;
            try
            {
                await _client.UpdateStatusAsync(copy, ct);
                return;
            }
            catch (ApiException e) when (attempt == 0 && e.IsConflict)
            {
                current = await _client.GetAsync(ds.Metadata?.Name ?? "", ds.Metadata?.Namespace, ct);
                status.CollisionCount = current.Status?.CollisionCount;
            }
        }
    }

    private static bool SameStatus(DaemonSetStatus a, DaemonSetStatus b) =>
        a.DesiredNumberScheduled == b.DesiredNumberScheduled && a.CurrentNumberScheduled == b.CurrentNumberScheduled &&
        a.NumberMisscheduled == b.NumberMisscheduled && a.NumberReady == b.NumberReady &&
        (a.NumberAvailable ?? 0) == (b.NumberAvailable ?? 0) && (a.UpdatedNumberScheduled ?? 0) == (b.UpdatedNumberScheduled ?? 0) &&
        (a.NumberUnavailable ?? 0) == (b.NumberUnavailable ?? 0) && a.ObservedGeneration == b.ObservedGeneration;
}
