using Korvet.Api.Apps.V1;
using Korvet.Api.Core.V1;
using Korvet.Api.Policy.V1;
using Korvet.Client;
using Korvet.Client.Cache;
using Korvet.Client.Events;
using Korvet.Client.Queue;
using Korvet.Controllers.ReplicaSets;
using Microsoft.Extensions.Logging;
using LabelSelector = Korvet.Api.Selectors.LabelSelector;

namespace Korvet.Controllers.Disruption;

/// <summary>
/// Upstream's disruption controller (pkg/controller/disruption): keeps every PodDisruptionBudget's status —
/// expectedPods, desiredHealthy, currentHealthy, disruptionsAllowed, the DisruptionAllowed condition, observedGeneration —
/// and expires the eviction subresource's disruptedPods entries (pod gone, being deleted, or older than
/// <see cref="BudgetStatus.DeletionTimeout"/>). Handlers only enqueue "namespace/name" of budgets (a pod change enqueues the
/// budgets selecting its old and new labels); <see cref="SyncAsync"/> reads the caches and writes status only when it
/// changes, so syncs are idempotent. A failed sync writes the fail-safe status (no disruption allowed) and is retried.
/// </summary>
public sealed class DisruptionController : IController
{
    private readonly ResourceClient<PodDisruptionBudget> _client;
    private readonly SharedIndexInformer<PodDisruptionBudget> _budgets;
    private readonly SharedIndexInformer<Pod> _pods;
    private readonly SharedIndexInformer<ReplicaSet> _replicaSets;
    private readonly SharedIndexInformer<Deployment> _deployments;
    private readonly SharedIndexInformer<ReplicationController> _replicationControllers;
    private readonly SharedIndexInformer<StatefulSet> _statefulSets;
    private readonly IScaleFinder _finder;
    private readonly EventRecorder _events;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly int _workers;
    private readonly WorkQueue<string> _queue;

    public DisruptionController(ControllerContext context)
    {
        _client = context.Client.Resource<PodDisruptionBudget>();
        _budgets = context.Informers.For<PodDisruptionBudget>();
        _pods = context.Informers.For<Pod>();
        _replicaSets = context.Informers.For<ReplicaSet>();
        _deployments = context.Informers.For<Deployment>();
        _replicationControllers = context.Informers.For<ReplicationController>();
        _statefulSets = context.Informers.For<StatefulSet>();
        _finder = new CacheScaleFinder(_replicaSets.Store, _deployments.Store, _replicationControllers.Store, _statefulSets.Store);
        _events = context.Events("controllermanager");
        _time = context.Time;
        _logger = context.LoggerFactory.CreateLogger<DisruptionController>();
        _workers = context.Options.ConcurrentSyncs;
        _queue = new WorkQueue<string>(time: context.Time);
        _budgets.AddEventHandler(b => Enqueue(b), (_, b) => Enqueue(b), b => Enqueue(b));
        _pods.AddEventHandler(EnqueueBudgetsOf, (old, cur) =>
        {
            EnqueueBudgetsOf(cur);
            EnqueueBudgetsOf(old);
        }, EnqueueBudgetsOf);
    }

    public string Name => "disruption";

    public async Task RunAsync(CancellationToken ct)
    {
        await Task.WhenAll(_budgets.WaitForCacheSyncAsync(ct), _pods.WaitForCacheSyncAsync(ct), _replicaSets.WaitForCacheSyncAsync(ct),
            _deployments.WaitForCacheSyncAsync(ct), _replicationControllers.WaitForCacheSyncAsync(ct), _statefulSets.WaitForCacheSyncAsync(ct));
        await QueueWorkers.RunAsync(_queue, _workers, SyncAsync, _logger, ct);
    }

    /// <summary>Recomputes one budget's status; throws (for a rate-limited retry) when it could not be computed or written.</summary>
    public async Task SyncAsync(string key, CancellationToken ct)
    {
        PodDisruptionBudget? budget = _budgets.Store.Get(key);
        if (budget is null)
        {
            return;
        }

        try
        {
            List<Pod> pods = PodsFor(budget);
            if (pods.Count == 0)
            {
                _events.Normal(budget, "NoPods", "No matching pods found");
            }

            (int expected, int desired, IReadOnlyList<string> unmanaged) = ExpectedCount(budget, pods);
            if (unmanaged.Count > 0)
            {
                _events.Warning(budget, "UnmanagedPods",
                    "Pods selected by this PodDisruptionBudget were found to be unmanaged. As a result, the status of the PDB cannot be "
                    + "calculated correctly, which may result in undefined behavior. To account for these pods please set \".spec.minAvailable\" "
                    + "field of the PDB to an integer value.");
            }

            DateTimeOffset now = _time.GetUtcNow();
            (Dictionary<string, Api.Meta.V1.Time> disrupted, DateTimeOffset? recheck) = BudgetStatus.DisruptedPods(budget, pods, now);
            int healthy = BudgetStatus.CountHealthy(pods, disrupted, now);
            await WriteStatusAsync(budget, BudgetStatus.Compute(budget, healthy, desired, expected, disrupted, now), ct);
            if (recheck is DateTimeOffset at)
            {
                _queue.AddAfter(key, at - now + TimeSpan.FromSeconds(1));
            }
        }
        catch (Exception e) when (e is not OperationCanceledException && e is not ApiException { IsConflict: true })
        {
            // failSafe: a budget whose status cannot be computed allows no disruption until it can.
            try
            {
                await WriteStatusAsync(budget, BudgetStatus.FailSafe(budget, e.Message, _time.GetUtcNow()), ct);
            }
            catch (ApiException writeError) when (_logger.IsEnabled(LogLevel.Warning))
            {
                _logger.LogWarning(writeError, "fail-safe status of {Key} not written", key);
            }

            throw;
        }
    }

    private (int Expected, int Desired, IReadOnlyList<string> Unmanaged) ExpectedCount(PodDisruptionBudget budget, List<Pod> pods)
    {
        try
        {
            return ExpectedPods.Calculate(budget, pods, _finder);
        }
        catch (InvalidOperationException e)
        {
            _events.Warning(budget, "CalculateExpectedPodCountFailed", $"Failed to calculate the number of expected pods: {e.Message}");
            throw;
        }
    }

    /// <summary>getPodsForPdb: the pods of the budget's namespace its selector matches (an absent selector matches none).</summary>
    private List<Pod> PodsFor(PodDisruptionBudget budget)
    {
        LabelSelector selector = ReplicaSetAdapter.Selector(budget.Spec?.Selector)
            ?? throw new InvalidOperationException("invalid label selector");
        if (selector.IsNothing)
        {
            return [];
        }

        return [.. _pods.Store.ByIndex(Store<Pod>.NamespaceIndex, budget.Metadata?.Namespace ?? "")
            .Where(p => selector.Matches((IReadOnlyDictionary<string, string>?)p.Metadata?.Labels ?? new Dictionary<string, string>()))];
    }

    private async Task WriteStatusAsync(PodDisruptionBudget budget, PodDisruptionBudgetStatus status, CancellationToken ct)
    {
        if (BudgetStatus.Same(budget.Status, status))
        {
            return;
        }

        // The cached object carries its resourceVersion: a conflict (an eviction took a disruption meanwhile) fails
        // the sync, and the retry sees the new status.
        var updated = new PodDisruptionBudget
        {
            ApiVersion = "policy/v1",
            Kind = "PodDisruptionBudget",
            Metadata = budget.Metadata,
            Spec = budget.Spec,
            Status = status,
        };
        await _client.UpdateStatusAsync(updated, ct);
    }

    private void Enqueue(PodDisruptionBudget budget) => _queue.Add(PodState.Key(budget.Metadata));

    /// <summary>getPdbForPod: every budget in the pod's namespace whose selector matches its labels.</summary>
    private void EnqueueBudgetsOf(Pod pod)
    {
        var labels = (IReadOnlyDictionary<string, string>?)pod.Metadata?.Labels ?? new Dictionary<string, string>();
        foreach (PodDisruptionBudget budget in _budgets.Store.ByIndex(Store<PodDisruptionBudget>.NamespaceIndex, pod.Metadata?.Namespace ?? ""))
        {
            LabelSelector? selector = ReplicaSetAdapter.Selector(budget.Spec?.Selector);
            if (selector is not null && !selector.IsNothing && selector.Matches(labels))
            {
                Enqueue(budget);
            }
        }
    }
}
