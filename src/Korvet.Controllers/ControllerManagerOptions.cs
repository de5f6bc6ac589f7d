namespace Korvet.Controllers;

/// <summary>Settings of kube-controller-manager that controllers read. Immutable; add a property per setting.</summary>
/// <param name="ConcurrentSyncs">Workers per controller (upstream's --concurrent-*-syncs, default 5).</param>
public sealed record ControllerManagerOptions(int ConcurrentSyncs = 5)
{
    /// <summary>How long a node's Lease and Ready heartbeat may stand still before the node is marked Unknown
    /// (upstream --node-monitor-grace-period, 40 s).</summary>
    public TimeSpan NodeMonitorGracePeriod { get; init; } = TimeSpan.FromSeconds(40);

    /// <summary>How often node health is checked (upstream --node-monitor-period, 5 s).</summary>
    public TimeSpan NodeMonitorPeriod { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Delay before a Job re-creates pods after its first failure; doubles per failure (upstream 10 s).</summary>
    public TimeSpan JobBackoffBase { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Pod garbage collection: terminated-pod threshold (upstream --terminated-pod-gc-threshold, 12500), period,
    /// quarantine of missing nodes.</summary>
    public PodGc.PodGcOptions PodGc { get; init; } = new();

    /// <summary>Cap of the Job failure backoff (upstream 6 min).</summary>
    public TimeSpan JobBackoffMax { get; init; } = TimeSpan.FromMinutes(6);
}
