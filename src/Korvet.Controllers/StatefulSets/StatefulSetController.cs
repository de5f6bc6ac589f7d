using System.Runtime.ExceptionServices;
using Korvet.Api.Apps.V1;
using Korvet.Api.Core.V1;
using Korvet.Client;
using Korvet.Client.Cache;
using Korvet.Client.Events;
using Korvet.Client.Queue;
using Korvet.Controllers.ReplicaSets;
using Microsoft.Extensions.Logging;
using Selector = Korvet.Api.Selectors.LabelSelector;

namespace Korvet.Controllers.StatefulSets;

/// <summary>
/// Upstream's StatefulSet controller (pkg/controller/statefulset). Handlers only enqueue "namespace/name"; a sync reads
/// the informer caches, claims the set's pods (selector + name "&lt;set&gt;-&lt;ordinal&gt;") and ControllerRevisions,
/// finds or creates the update revision, then executes <see cref="StatefulSetPlanner"/>'s plan (create claims and pods,
/// replace failed pods, scale down from the highest ordinal, roll pods to the update revision from the highest ordinal
/// down), writes status and trims the history. No expectations (as upstream): pods have fixed names, so a create from a
/// stale cache fails AlreadyExists and the key is retried. A key never runs on two workers.
/// </summary>
public sealed partial class StatefulSetController : IController
{
    private const string ComponentName = "statefulset-controller";

    private readonly ResourceClient<StatefulSet> _client;
    private readonly ResourceClient<ControllerRevision> _revisionClient;
    private readonly ResourceClient<Pod> _podClient;
    private readonly SharedIndexInformer<StatefulSet> _sets;
    private readonly SharedIndexInformer<Pod> _pods;
    private readonly SharedIndexInformer<ControllerRevision> _revisions;
    private readonly SharedIndexInformer<PersistentVolumeClaim> _pvcs;
    private readonly StatefulPodControl _podControl;
    private readonly EventRecorder _events;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly int _workers;
    private readonly WorkQueue<string> _queue;

    public StatefulSetController(ControllerContext context)
    {
        _client = context.Client.Resource<StatefulSet>();
        _revisionClient = context.Client.Resource<ControllerRevision>();
        _podClient = context.Client.Resource<Pod>();
        _sets = context.Informers.For<StatefulSet>();
        _pods = context.Informers.For<Pod>();
        _revisions = context.Informers.For<ControllerRevision>();
        _pvcs = context.Informers.For<PersistentVolumeClaim>();
        _events = context.Events(ComponentName);
        _podControl = new StatefulPodControl(context.Client, _events, _pvcs.Store);
        _time = context.Time;
        _logger = context.LoggerFactory.CreateLogger("Korvet.Controllers." + ComponentName);
        _workers = context.Options.ConcurrentSyncs;
        _queue = new WorkQueue<string>(time: context.Time);
        ControllerRefs.EnsureIndexes(_pods.Store);
        ControllerRefs.EnsureIndexes(_revisions.Store);
        ControllerRefs.EnsureIndexes(_pvcs.Store);
        _sets.AddEventHandler(s => Enqueue(s), (_, cur) => Enqueue(cur), s => Enqueue(s));
        _pods.AddEventHandler(AddPod, UpdatePod, DeletePod);
        _revisions.AddEventHandler(AddRevision, (_, cur) => AddRevision(cur), AddRevision);
    }

    public string Name => ComponentName;

    public async Task RunAsync(CancellationToken ct)
    {
        await Task.WhenAll(_sets.WaitForCacheSyncAsync(ct), _pods.WaitForCacheSyncAsync(ct), _revisions.WaitForCacheSyncAsync(ct),
            _pvcs.WaitForCacheSyncAsync(ct));
        await QueueWorkers.RunAsync(_queue, _workers, SyncAsync, _logger, ct);
    }

    /// <summary>Reconciles one StatefulSet from the caches; throws (for a rate-limited retry) when a write failed.</summary>
    public async Task SyncAsync(string key, CancellationToken ct)
    {
        StatefulSet? cached = _sets.Store.Get(key);
        if (cached is null)
        {
            return;
        }

        StatefulSet set = ObjectCopy.Clone(cached);
        if (set.Spec?.Selector is not { } raw || ((raw.MatchLabels?.Count ?? 0) == 0 && (raw.MatchExpressions?.Count ?? 0) == 0))
        {
            _events.Warning(set, "SelectingAll", "This statefulset is selecting all pods. A non-empty selector is required.");
            return;
        }

        if (ReplicaSetAdapter.Selector(raw) is not Selector selector)
        {
            _logger.LogError("statefulset {Key} has an invalid selector", key);
            return;
        }

        List<ControllerRevision> revisions = StatefulSetRevisions.Sorted(await ClaimRevisionsAsync(set, selector, ct));
        List<Pod> pods = await ClaimPodsAsync(set, selector, ct);

        (ControllerRevision current, ControllerRevision update, int collisionCount) = await GetRevisionsAsync(set, revisions, ct);
        PodTemplateSpec currentTemplate = StatefulSetRevisions.TemplateOf(current);
        PodTemplateSpec updateTemplate = StatefulSetRevisions.TemplateOf(update);
        string currentName = current.Metadata?.Name ?? "";
        string updateName = update.Metadata?.Name ?? "";
        Pod NewPod(int ordinal) => UsesCurrentRevision(set, ordinal)
            ? StatefulPods.NewPod(set, currentTemplate, ordinal, currentName)
            : StatefulPods.NewPod(set, updateTemplate, ordinal, updateName);

        DateTimeOffset now = _time.GetUtcNow();
        List<Pod> members = [.. pods.Where(p => StatefulPods.Ordinal(p) >= 0)];
        StatefulSetStatus status = StatefulSetStatusMath.Compute(set, members, currentName, updateName, collisionCount, now);
        Exception? error = null;
        if (set.Metadata?.DeletionTimestamp is null)
        {
            Func<Pod, bool>? claimsMatch = ClaimRetention.IsRetainAll(set) && !AnyClaimOwnedBy(set, pods)
                ? null
                : p => _podControl.ClaimsMatchRetention(set, p);
            SyncPlan plan = StatefulSetPlanner.Plan(set, pods, updateName, NewPod, now, claimsMatch);
            try
            {
                if (await ExecuteAsync(set, plan, ct))
                {
                    status.CurrentReplicas = (status.CurrentReplicas ?? 0) - 1;
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                error = e;
            }

            if (plan.WaitingFor is not null && _logger.IsEnabled(LogLevel.Debug))
            {
                _logger.LogDebug("statefulset {Key} is waiting for {What}", key, plan.WaitingFor);
            }
        }

        await WriteStatusAsync(set, status, ct);
        await TruncateHistoryAsync(set, revisions, pods, currentName, updateName, ct);
        int minReady = set.Spec?.MinReadySeconds ?? 0;
        if (minReady > 0 && status.ReadyReplicas != status.AvailableReplicas)
        {
            _queue.AddAfter(key, TimeSpan.FromSeconds(minReady));
        }

        if (error is not null)
        {
            ExceptionDispatchInfo.Throw(error);
        }
    }

    /// <summary>newVersionedStatefulSetPod's choice: ordinals below the partition (or the current count) stay at the current revision.</summary>
    private static bool UsesCurrentRevision(StatefulSet set, int ordinal)
    {
        StatefulSetUpdateStrategy? strategy = set.Spec?.UpdateStrategy;
        int start = StatefulPods.StartOrdinal(set);
        return (strategy?.Type is null or "RollingUpdate" && strategy?.RollingUpdate is null && ordinal < start + (set.Status?.CurrentReplicas ?? 0)) ||
               (strategy?.RollingUpdate is not null && ordinal < start + (strategy.RollingUpdate.Partition ?? 0));
    }

    /// <summary>
    /// Under Retain/Retain only claims still owned by this set or its pods (left from an earlier Delete policy) need a
    /// look; for the others the claim cache is not consulted at all.
    /// </summary>
    private bool AnyClaimOwnedBy(StatefulSet set, List<Pod> pods) =>
        _pvcs.Store.ByIndex(ControllerRefs.ByControllerUid, set.Metadata?.Uid ?? "").Count > 0 ||
        pods.Any(p => _pvcs.Store.ByIndex(ControllerRefs.ByControllerUid, p.Metadata?.Uid ?? "").Count > 0);

    /// <summary>Runs the plan's phases; true when a pod was deleted for the rolling update.</summary>
    private async Task<bool> ExecuteAsync(StatefulSet set, SyncPlan plan, CancellationToken ct)
    {
        await RunStepsAsync(set, plan.Replicas, plan.Monotonic, ct);
        if (plan.StopAfterReplicas)
        {
            return false;
        }

        await RunStepsAsync(set, plan.CondemnedClaims, plan.Monotonic, ct);
        await RunStepsAsync(set, plan.Condemned, plan.Monotonic, ct);
        if (plan.StopAfterCondemned || plan.Update is null)
        {
            return false;
        }

        await RunStepAsync(set, plan.Update, ct);
        return true;
    }

    /// <summary>Monotonic: one after the other; Parallel: slow-start batches (1, 2, 4, …) that stop after a failing batch.</summary>
    private async Task RunStepsAsync(StatefulSet set, IReadOnlyList<PlanStep> steps, bool monotonic, CancellationToken ct)
    {
        if (monotonic)
        {
            foreach (PlanStep step in steps)
            {
                await RunStepAsync(set, step, ct);
            }

            return;
        }

        int next = 0;
        (_, Exception? error) = await SlowStart.RunAsync(steps.Count, SlowStart.InitialBatchSize, () =>
        {
            int index = Interlocked.Increment(ref next) - 1;
            return RunStepAsync(set, steps[index], ct);
        });
        if (error is not null)
        {
            ExceptionDispatchInfo.Throw(error);
        }
    }

    private Task RunStepAsync(StatefulSet set, PlanStep step, CancellationToken ct) => step.Kind switch
    {
        StepKind.CreatePod => _podControl.CreatePodAsync(set, step.Pod, ct),
        StepKind.CreateClaims => _podControl.CreateMissingClaimsAsync(set, step.Pod, ct),
        StepKind.FixIdentity => _podControl.FixIdentityAsync(set, step.Pod, ct),
        StepKind.UpdateClaims => _podControl.UpdateClaimOwnersAsync(set, step.Pod, ct),
        _ => _podControl.DeletePodAsync(set, step.Pod, ct),
    };

    /// <summary>updateStatefulSetStatus: completes a finished rolling update and writes only when something changed.</summary>
    private async Task WriteStatusAsync(StatefulSet set, StatefulSetStatus status, CancellationToken ct)
    {
        StatefulSetStatusMath.CompleteRollingUpdate(set, status);
        if (!StatefulSetStatusMath.NeedsWrite(set.Status, status))
        {
            return;
        }

        status.Conditions = set.Status?.Conditions;
        StatefulSet current = set;
        for (int attempt = 0; ; attempt++)
        {
            current.Status = status;
            try
            {
                await _client.UpdateStatusAsync(current, ct);
                return;
            }
            catch (ApiException e) when (e.IsConflict && attempt < 3)
            {
                current = await _client.GetAsync(set.Metadata?.Name ?? "", set.Metadata?.Namespace, ct);
                status.Conditions = current.Status?.Conditions;
            }
        }
    }
}
