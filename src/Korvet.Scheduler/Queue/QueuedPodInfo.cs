using Korvet.Scheduler.Framework;

namespace Korvet.Scheduler.Queue;

/// <summary>A pending pod in the scheduling queue with its attempt history. Mutated only under the queue's lock.</summary>
public sealed class QueuedPodInfo
{
    internal QueuedPodInfo(PodInfo info, DateTimeOffset now, long sequence)
    {
        Info = info;
        Timestamp = now;
        InitialAttemptTimestamp = now;
        Sequence = sequence;
    }

    public PodInfo Info { get; internal set; }

    /// <summary>When the pod last entered a queue (activeQ order, backoff start, unschedulable stay).</summary>
    public DateTimeOffset Timestamp { get; internal set; }

    public DateTimeOffset InitialAttemptTimestamp { get; }

    /// <summary>Scheduling attempts so far (incremented on pop).</summary>
    public int Attempts { get; internal set; }

    /// <summary>Set when the pod was last rejected: the FailedScheduling message (avoids repeating identical events).</summary>
    public string? LastFailure { get; set; }

    internal long Sequence { get; set; }

    internal int SortPriority { get; set; }

    internal DateTimeOffset BackoffExpiry { get; set; }

    /// <summary>The pod was deleted while a cycle had it; its result is dropped.</summary>
    internal bool Deleted { get; set; }
}
