using Korvet.Api.Core.V1;
using Korvet.Scheduler.Framework;

namespace Korvet.Scheduler.Queue;

/// <summary>Backoff and flush periods (upstream defaults: 1 s doubling to 10 s; unschedulable pods retried after 5 min
/// even without a relevant event). Immutable.</summary>
public sealed record SchedulingQueueOptions(TimeSpan InitialBackoff, TimeSpan MaxBackoff, TimeSpan MaxUnschedulableStay)
{
    public static SchedulingQueueOptions Default { get; } = new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(5));
}

/// <summary>
/// Upstream's priority queue: activeQ (higher priority first, then older first), backoffQ (failed pods wait
/// 1 s × 2^(attempts−1), at most 10 s) and the unschedulable set (rejected pods wait for a relevant cluster event —
/// <see cref="MoveAllToActiveOrBackoff"/> — or <see cref="SchedulingQueueOptions.MaxUnschedulableStay"/>).
/// A pod is in at most one place; a popped pod is "in flight" until the scheduler re-queues it or calls
/// <see cref="Done"/>. If a move event arrives while a pod is in flight, a rejection of that pod goes to backoffQ
/// instead of the unschedulable set (the event may have made it schedulable).
/// Thread-safe: one lock guards every structure; <see cref="PopAsync"/> waits without holding it.
/// </summary>
public sealed class SchedulingQueue
{
    private readonly object _gate = new();
    private readonly TimeProvider _time;
    private readonly SchedulingQueueOptions _options;
    private readonly SortedSet<QueuedPodInfo> _active = new(Comparer<QueuedPodInfo>.Create(CompareActive));
    private readonly SortedSet<QueuedPodInfo> _backoff = new(Comparer<QueuedPodInfo>.Create(CompareBackoff));
    private readonly Dictionary<string, QueuedPodInfo> _unschedulable = new(StringComparer.Ordinal);
    private readonly Dictionary<string, QueuedPodInfo> _byKey = new(StringComparer.Ordinal);
    private readonly Dictionary<string, QueuedPodInfo> _inFlight = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _available = new(0);
    private long _sequence;
    private long _schedulingCycle;
    private long _moveRequestCycle = -1;
    private bool _closed;

    public SchedulingQueue(TimeProvider time, SchedulingQueueOptions? options = null)
    {
        _time = time;
        _options = options ?? SchedulingQueueOptions.Default;
    }

    /// <summary>Incremented by every pop; a rejection carries the cycle it was popped in.</summary>
    public long SchedulingCycle
    {
        get
        {
            lock (_gate)
            {
                return _schedulingCycle;
            }
        }
    }

    public (int Active, int Backoff, int Unschedulable, int InFlight) Counts
    {
        get
        {
            lock (_gate)
            {
                return (_active.Count, _backoff.Count, _unschedulable.Count, _inFlight.Count);
            }
        }
    }

    /// <summary>A new pending pod (or one seen again after a relist) goes to activeQ unless it is already queued.</summary>
    public void Add(Pod pod)
    {
        var info = new PodInfo(pod);
        lock (_gate)
        {
            if (_byKey.ContainsKey(info.Key) || _inFlight.ContainsKey(info.Key))
            {
                UpdateLocked(info);
                return;
            }

            var queued = new QueuedPodInfo(info, _time.GetUtcNow(), ++_sequence);
            _byKey[info.Key] = queued;
            PushActive(queued);
        }
    }

    /// <summary>A pending pod changed: the new spec replaces the old; a waiting pod gets another chance now (or after
    /// its backoff).</summary>
    public void Update(Pod pod)
    {
        var info = new PodInfo(pod);
        lock (_gate)
        {
            if (!_byKey.ContainsKey(info.Key) && !_inFlight.ContainsKey(info.Key))
            {
                var queued = new QueuedPodInfo(info, _time.GetUtcNow(), ++_sequence);
                _byKey[info.Key] = queued;
                PushActive(queued);
                return;
            }

            UpdateLocked(info);
        }
    }

    private void UpdateLocked(PodInfo info)
    {
        if (_inFlight.TryGetValue(info.Key, out QueuedPodInfo? flying))
        {
            flying.Info = info;
            return;
        }

        QueuedPodInfo queued = _byKey[info.Key];
        if (_active.Remove(queued))
        {
            queued.Info = info;
            PushActive(queued);
        }
        else if (_backoff.Contains(queued))
        {
            queued.Info = info;
        }
        else if (_unschedulable.Remove(info.Key))
        {
            queued.Info = info;
            MoveLocked(queued);
        }
    }

    /// <summary>The pod is gone or no longer pending (bound, deleted): it leaves every queue.</summary>
    public void Delete(Pod pod)
    {
        string key = new PodInfo(pod).Key;
        lock (_gate)
        {
            if (_inFlight.TryGetValue(key, out QueuedPodInfo? flying))
            {
                flying.Deleted = true;
            }

            if (_byKey.Remove(key, out QueuedPodInfo? queued))
            {
                _active.Remove(queued);
                _backoff.Remove(queued);
                _unschedulable.Remove(key);
            }
        }
    }

    /// <summary>The next pod to schedule (highest priority, oldest); waits while activeQ is empty. Null once closed.</summary>
    public async Task<QueuedPodInfo?> PopAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            await _available.WaitAsync(cancellationToken);
            lock (_gate)
            {
                if (_closed)
                {
                    return null;
                }

                if (_active.Count == 0)
                {
                    continue;
                }

                QueuedPodInfo next = _active.Min!;
                _active.Remove(next);
                _byKey.Remove(next.Info.Key);
                _inFlight[next.Info.Key] = next;
                next.Attempts++;
                _schedulingCycle++;
                return next;
            }
        }
    }

    /// <summary>The in-flight pod was bound (or dropped): forget it.</summary>
    public void Done(string key)
    {
        lock (_gate)
        {
            _inFlight.Remove(key);
        }
    }

    /// <summary>
    /// The cycle (number <paramref name="podSchedulingCycle"/>) found no node: wait for a cluster event — or, when one
    /// arrived meanwhile, in backoffQ. Pods deleted or re-added meanwhile are left alone.
    /// </summary>
    public void AddUnschedulable(QueuedPodInfo pod, long podSchedulingCycle)
    {
        lock (_gate)
        {
            if (!Land(pod))
            {
                return;
            }

            if (_moveRequestCycle >= podSchedulingCycle)
            {
                PushBackoff(pod);
            }
            else
            {
                _unschedulable[pod.Info.Key] = pod;
            }
        }
    }

    /// <summary>An error (API failure, bind conflict): retry after the backoff.</summary>
    public void AddBackoff(QueuedPodInfo pod)
    {
        lock (_gate)
        {
            if (Land(pod))
            {
                PushBackoff(pod);
            }
        }
    }

    /// <summary>A cluster change that may let rejected pods fit (node added or changed, pod deleted, ...): every
    /// unschedulable pod moves to activeQ, or to backoffQ while its backoff lasts.</summary>
    public void MoveAllToActiveOrBackoff()
    {
        lock (_gate)
        {
            foreach (QueuedPodInfo pod in _unschedulable.Values)
            {
                MoveLocked(pod);
            }

            _unschedulable.Clear();
            _moveRequestCycle = _schedulingCycle;
        }
    }

    /// <summary>Moves pods whose backoff has expired to activeQ.</summary>
    public void FlushBackoffCompleted()
    {
        DateTimeOffset now = _time.GetUtcNow();
        lock (_gate)
        {
            while (_backoff.Count > 0 && _backoff.Min!.BackoffExpiry <= now)
            {
                QueuedPodInfo pod = _backoff.Min!;
                _backoff.Remove(pod);
                PushActive(pod);
            }
        }
    }

    /// <summary>Pods unschedulable for longer than the maximum stay get another attempt regardless of events.</summary>
    public void FlushUnschedulableLeftover()
    {
        DateTimeOffset now = _time.GetUtcNow();
        lock (_gate)
        {
            foreach (QueuedPodInfo pod in _unschedulable.Values.Where(p => now - p.Timestamp >= _options.MaxUnschedulableStay).ToList())
            {
                _unschedulable.Remove(pod.Info.Key);
                MoveLocked(pod);
            }
        }
    }

    /// <summary>Runs the periodic flushes (backoff every second, unschedulable leftovers every 30 s) until cancelled.</summary>
    public async Task RunFlushLoopAsync(CancellationToken cancellationToken)
    {
        DateTimeOffset lastLeftover = _time.GetUtcNow();
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), _time, cancellationToken);
                FlushBackoffCompleted();
                if (_time.GetUtcNow() - lastLeftover >= TimeSpan.FromSeconds(30))
                {
                    lastLeftover = _time.GetUtcNow();
                    FlushUnschedulableLeftover();
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Wakes every waiter; <see cref="PopAsync"/> then returns null.</summary>
    public void Close()
    {
        lock (_gate)
        {
            _closed = true;
        }

        _available.Release(int.MaxValue / 2);
    }

    /// <summary>The backoff a pod with this many attempts waits: initial × 2^(attempts−1), capped.</summary>
    public TimeSpan BackoffDuration(int attempts)
    {
        TimeSpan duration = _options.InitialBackoff;
        for (int i = 1; i < attempts && duration < _options.MaxBackoff; i++)
        {
            duration *= 2;
        }

        return duration > _options.MaxBackoff ? _options.MaxBackoff : duration;
    }

    /// <summary>Takes an in-flight pod back; false when it was deleted or re-added meanwhile.</summary>
    private bool Land(QueuedPodInfo pod)
    {
        _inFlight.Remove(pod.Info.Key);
        if (pod.Deleted || _byKey.ContainsKey(pod.Info.Key))
        {
            return false;
        }

        pod.Timestamp = _time.GetUtcNow();
        _byKey[pod.Info.Key] = pod;
        return true;
    }

    private void MoveLocked(QueuedPodInfo pod)
    {
        if (pod.Timestamp + BackoffDuration(pod.Attempts) > _time.GetUtcNow())
        {
            PushBackoff(pod);
        }
        else
        {
            PushActive(pod);
        }
    }

    private void PushActive(QueuedPodInfo pod)
    {
        pod.Sequence = ++_sequence;
        pod.SortPriority = pod.Info.Priority;
        _active.Add(pod);
        _available.Release();
    }

    private void PushBackoff(QueuedPodInfo pod)
    {
        pod.Sequence = ++_sequence;
        pod.BackoffExpiry = pod.Timestamp + BackoffDuration(pod.Attempts);
        _backoff.Add(pod);
    }

    private static int CompareActive(QueuedPodInfo? a, QueuedPodInfo? b)
    {
        int c = b!.SortPriority.CompareTo(a!.SortPriority);
        if (c == 0)
        {
            c = a.Timestamp.CompareTo(b.Timestamp);
        }

        return c != 0 ? c : a.Sequence.CompareTo(b.Sequence);
    }

    private static int CompareBackoff(QueuedPodInfo? a, QueuedPodInfo? b)
    {
        int c = a!.BackoffExpiry.CompareTo(b!.BackoffExpiry);
        return c != 0 ? c : a.Sequence.CompareTo(b.Sequence);
    }
}
