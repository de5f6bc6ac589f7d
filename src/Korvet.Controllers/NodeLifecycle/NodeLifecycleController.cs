using Korvet.Api.Coordination.V1;
using Korvet.Api.Core.V1;
using Korvet.Api.Meta.V1;
using Korvet.Client;
using Korvet.Client.Cache;
using Korvet.Client.Events;
using Microsoft.Extensions.Logging;

namespace Korvet.Controllers.NodeLifecycle;

/// <summary>
/// Node lifecycle + taint eviction (upstream's nodelifecycle and tainteviction controllers, condensed): every
/// <see cref="ControllerManagerOptions.NodeMonitorPeriod"/> each node is checked. A node whose Lease in kube-node-lease
/// and whose Ready heartbeat have not changed for <see cref="ControllerManagerOptions.NodeMonitorGracePeriod"/> (timed
/// on this controller's clock from when it saw them change, so clock skew does not matter) gets its conditions set
/// Unknown ("Kubelet stopped posting node status."); the node's taints follow its Ready condition (unreachable for
/// Unknown, not-ready for False, NoSchedule + NoExecute, removed when Ready is True again); pods on a node that is not
/// Ready get their Ready condition set False (MarkPodsNotReady); pods on a node with NoExecute taints are deleted when
/// they do not tolerate them, or once their tolerationSeconds ran out. One loop; writes happen only on change, and a
/// failed write is retried next period. Single-threaded by design: the state below is only touched by that loop and
/// the informer handlers (which only record observation times, under a lock).
/// </summary>
public sealed class NodeLifecycleController : IController
{
    public const string NodeIndex = "nodeName";
    private const string LeaseNamespace = "kube-node-lease";

    private readonly ControllerContext _context;
    private readonly SharedIndexInformer<Node> _nodes;
    private readonly SharedIndexInformer<Lease> _leases;
    private readonly SharedIndexInformer<Pod> _pods;
    private readonly EventRecorder _events;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Observation> _observed = new(StringComparer.Ordinal);

    public NodeLifecycleController(ControllerContext context)
    {
        _context = context;
        _nodes = context.Informers.For<Node>();
        _leases = context.Informers.For<Lease>();
        _pods = context.Informers.For<Pod>();
        _pods.Store.AddIndex(NodeIndex, p => p.Spec?.NodeName is { Length: > 0 } n ? [n] : []);
        _events = context.Events("node-controller");
        _logger = context.LoggerFactory.CreateLogger<NodeLifecycleController>();
        _nodes.AddEventHandler(n => Observe(n.Metadata?.Name, null, Heartbeat(n)), (_, n) => Observe(n.Metadata?.Name, null, Heartbeat(n)));
        _leases.AddEventHandler(l => ObserveLease(l), (_, l) => ObserveLease(l));
    }

    public string Name => "node-lifecycle-controller";

    private sealed record Observation(DateTimeOffset Probe, DateTimeOffset? RenewTime, DateTimeOffset? Heartbeat);

    private static DateTimeOffset? Heartbeat(Node node) =>
        node.Status?.Conditions?.FirstOrDefault(c => c.Type == "Ready")?.LastHeartbeatTime?.Value;

    private void ObserveLease(Lease lease)
    {
        if (lease.Metadata?.Namespace == LeaseNamespace)
        {
            Observe(lease.Metadata.Name, lease.Spec?.RenewTime?.Value, null);
        }
    }

    /// <summary>Moves the node's probe time to now when its lease renewTime or Ready heartbeat changed.</summary>
    private void Observe(string? node, DateTimeOffset? renew, DateTimeOffset? heartbeat)
    {
        if (node is null)
        {
            return;
        }

        DateTimeOffset now = _context.Time.GetUtcNow();
        lock (_lock)
        {
            if (!_observed.TryGetValue(node, out Observation? seen))
            {
                _observed[node] = new Observation(now, renew, heartbeat);
                return;
            }

            bool renewed = renew is not null && renew != seen.RenewTime;
            bool beat = heartbeat is not null && heartbeat != seen.Heartbeat;
            if (renewed || beat)
            {
                _observed[node] = new Observation(now, renew ?? seen.RenewTime, heartbeat ?? seen.Heartbeat);
            }
        }
    }

    public async Task RunAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await MonitorAsync(ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                _logger.LogWarning(e, "node monitor pass failed");
            }

            try
            {
                await Task.Delay(_context.Options.NodeMonitorPeriod, _context.Time, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>One pass over every node: health, taints, pod readiness, evictions.</summary>
    public async Task MonitorAsync(CancellationToken ct)
    {
        foreach (Node cached in _nodes.Store.List())
        {
            string name = cached.Metadata?.Name ?? "";
            Node node = await CheckHealthAsync(cached, ct).ConfigureAwait(false);
            string? ready = node.Status?.Conditions?.FirstOrDefault(c => c.Type == "Ready")?.Status;
            node = await ReconcileTaintsAsync(node, ready, ct).ConfigureAwait(false);
            List<Pod> pods = _pods.Store.ByIndex(NodeIndex, name);
            if (ready != "True")
            {
                await MarkPodsNotReadyAsync(pods, ct).ConfigureAwait(false);
            }

            if (node.Spec?.Taints?.Any(t => t.Effect == "NoExecute") == true)
            {
                await EvictAsync(node, pods, ct).ConfigureAwait(false);
            }
        }
    }

    private async Task<Node> CheckHealthAsync(Node node, CancellationToken ct)
    {
        string name = node.Metadata!.Name!;
        DateTimeOffset now = _context.Time.GetUtcNow();
        Observation seen;
        lock (_lock)
        {
            if (!_observed.TryGetValue(name, out seen!))
            {
                seen = new Observation(now, null, Heartbeat(node));
                _observed[name] = seen;
            }
        }

        if (now - seen.Probe <= _context.Options.NodeMonitorGracePeriod)
        {
            return node;
        }

        List<NodeCondition> conditions = node.Status?.Conditions ?? [];
        if (conditions.FirstOrDefault(c => c.Type == "Ready") is { Status: "Unknown" } &&
            conditions.Where(c => c.Type is "MemoryPressure" or "DiskPressure" or "PIDPressure").All(c => c.Status == "Unknown"))
        {
            return node;
        }

        Node copy = ObjectCopy.Clone(node);
        copy.Status ??= new NodeStatus();
        copy.Status.Conditions ??= [];
        foreach (string type in new[] { "Ready", "MemoryPressure", "DiskPressure", "PIDPressure" })
        {
            NodeCondition? condition = copy.Status.Conditions.FirstOrDefault(c => c.Type == type);
            if (condition is null)
            {
                condition = new NodeCondition { Type = type, LastHeartbeatTime = new Time(now) };
                copy.Status.Conditions.Add(condition);
            }

            if (condition.Status != "Unknown")
            {
                condition.Status = "Unknown";
                condition.Reason = "NodeStatusUnknown";
                condition.Message = "Kubelet stopped posting node status.";
                condition.LastTransitionTime = new Time(now);
            }
        }

        try
        {
            Node updated = await _context.Client.Resource<Node>().UpdateStatusAsync(copy, ct).ConfigureAwait(false);
            _events.Normal(updated, "NodeNotReady", $"Node {name} status is now: NodeNotReady");
            return updated;
        }
        catch (ApiException e) when (e.IsConflict || e.IsNotFound)
        {
            return node;
        }
    }

    private async Task<Node> ReconcileTaintsAsync(Node node, string? ready, CancellationToken ct)
    {
        List<Taint>? taints = NodeTaints.Reconcile(node.Spec?.Taints, NodeTaints.Wanted(ready), _context.Time.GetUtcNow());
        if (taints is null)
        {
            return node;
        }

        Node copy = ObjectCopy.Clone(node);
        copy.Spec ??= new NodeSpec();
        copy.Spec.Taints = taints.Count == 0 ? null : taints;
        try
        {
            return await _context.Client.Resource<Node>().UpdateAsync(copy, ct).ConfigureAwait(false);
        }
        catch (ApiException e) when (e.IsConflict || e.IsNotFound)
        {
            return node;
        }
    }

    private async Task MarkPodsNotReadyAsync(List<Pod> pods, CancellationToken ct)
    {
        DateTimeOffset now = _context.Time.GetUtcNow();
        foreach (Pod pod in pods)
        {
            if (pod.Status?.Conditions?.FirstOrDefault(c => c.Type == "Ready") is not { Status: "True" } || pod.Status.Phase is "Succeeded" or "Failed")
            {
                continue;
            }

            Pod copy = ObjectCopy.Clone(pod);
            PodCondition condition = copy.Status!.Conditions!.First(c => c.Type == "Ready");
            condition.Status = "False";
            condition.LastTransitionTime = new Time(now);
            try
            {
                await _context.Client.Resource<Pod>().UpdateStatusAsync(copy, ct).ConfigureAwait(false);
            }
            catch (ApiException e) when (e.IsConflict || e.IsNotFound)
            {
                // Next pass.
            }
        }
    }

    private async Task EvictAsync(Node node, List<Pod> pods, CancellationToken ct)
    {
        DateTimeOffset now = _context.Time.GetUtcNow();
        foreach (Pod pod in pods)
        {
            if (pod.Metadata?.DeletionTimestamp is not null || NodeTaints.EvictAt(pod, node.Spec?.Taints, now) is not DateTimeOffset due || due > now)
            {
                continue;
            }

            try
            {
                await _context.Client.Resource<Pod>().DeleteAsync(pod.Metadata!.Name!, pod.Metadata.Namespace,
                    new DeleteOptions { Preconditions = new Api.Meta.V1.Preconditions { Uid = pod.Metadata.Uid } }, ct).ConfigureAwait(false);
                _events.Normal(pod, "TaintManagerEviction", $"Marking for deletion Pod {pod.Metadata.Namespace}/{pod.Metadata.Name}");
            }
            catch (ApiException e) when (e.IsConflict || e.IsNotFound)
            {
                // Gone or replaced.
            }
        }
    }
}
