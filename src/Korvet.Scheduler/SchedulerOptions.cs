using Korvet.Scheduler.Framework;
using Korvet.Scheduler.Queue;

namespace Korvet.Scheduler;

/// <summary>
/// Scheduler settings. Immutable.
/// </summary>
/// <param name="SchedulerName">Pods whose spec.schedulerName is this (empty counts as "default-scheduler") are ours.</param>
/// <param name="PercentageOfNodesToScore">0 = upstream's adaptive rule.</param>
/// <param name="MaxConcurrentBinds">Bindings in flight at once (assume-then-bind keeps the loop from waiting on them).</param>
/// <param name="Queue">Backoff and flush periods; null = upstream defaults.</param>
/// <param name="RecordScheduledEvents">Whether to write a "Scheduled" event per bound pod (FailedScheduling is always written).</param>
/// <param name="LeaseName">The leader-election Lease (kube-system/kube-scheduler).</param>
/// <param name="LeaseNamespace">Namespace of <paramref name="LeaseName"/>.</param>
/// <param name="LeaderElect">Schedule only while holding the Lease (several schedulers may run; one works).</param>
/// <param name="LeaseDuration">Lease duration (default 15 s; renew deadline 2/3 of it, retry 2/15 of it).</param>
/// <param name="Parallelism">Threads that filter and score nodes in one cycle (upstream's KubeSchedulerConfiguration
/// parallelism, default 16 there); 0 = one per processor.</param>
public sealed record SchedulerOptions(
    string SchedulerName = SchedulerProfile.DefaultSchedulerName,
    int PercentageOfNodesToScore = 0,
    int MaxConcurrentBinds = 256,
    SchedulingQueueOptions? Queue = null,
    bool RecordScheduledEvents = true,
    string LeaseName = "kube-scheduler",
    string LeaseNamespace = "kube-system",
    bool LeaderElect = true,
    TimeSpan? LeaseDuration = null,
    int Parallelism = 0)
{
    public static SchedulerOptions Default { get; } = new();
}
