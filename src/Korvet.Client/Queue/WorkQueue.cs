namespace Korvet.Client.Queue;

/// <summary>
/// client-go's rate-limited work queue of keys (usually <c>namespace/name</c>):
/// <list type="bullet">
/// <item>a key queued twice is queued once (dedup until it is handed out);</item>
/// <item>a key handed out by <see cref="GetAsync"/> is "processing" until <see cref="Done"/>: it is never handed out
/// again meanwhile, so no two workers ever process the same key at once; if it is added while processing it is
/// queued again by <see cref="Done"/>;</item>
/// <item><see cref="AddRateLimited"/> waits per <see cref="RateLimiter{T}"/> (5 ms doubling to 1000 s per key, and
/// 10 qps burst 100 overall); <see cref="Forget"/> resets a key's backoff after a success;</item>
/// <item>after <see cref="ShutDown"/> adds are ignored, queued keys are still handed out, then GetAsync reports
/// shutdown.</item>
/// </list>
/// Thread-safe; any number of workers may call <see cref="GetAsync"/>.
/// </summary>
public sealed class WorkQueue<T> : IDisposable
    where T : notnull
{
    private readonly Lock _lock = new();
    private readonly Queue<T> _queue = new();
    private readonly HashSet<T> _dirty = [];
    private readonly HashSet<T> _processing = [];
    private readonly LinkedList<TaskCompletionSource<(T, bool)>> _waiters = new();
    private readonly HashSet<ITimer> _timers = [];
    private readonly TimeProvider _time;
    private bool _shuttingDown;

    public WorkQueue(RateLimiter<T>? rateLimiter = null, TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        RateLimiter = rateLimiter ?? new RateLimiter<T>(_time);
    }

    public RateLimiter<T> RateLimiter { get; }

    /// <summary>Keys waiting to be handed out (not counting processing or delayed ones).</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _queue.Count;
            }
        }
    }

    public bool ShuttingDown
    {
        get
        {
            lock (_lock)
            {
                return _shuttingDown;
            }
        }
    }

    public void Add(T item)
    {
        lock (_lock)
        {
            if (_shuttingDown || !_dirty.Add(item) || _processing.Contains(item))
            {
                return;
            }

            EnqueueLocked(item);
        }
    }

    /// <summary>Adds <paramref name="item"/> once <paramref name="delay"/> has passed.</summary>
    public void AddAfter(T item, TimeSpan delay)
    {
        if (delay <= TimeSpan.Zero)
        {
            Add(item);
            return;
        }

        lock (_lock)
        {
            if (_shuttingDown)
            {
                return;
            }

            ITimer? timer = null;
            timer = _time.CreateTimer(_ =>
            {
                lock (_lock)
                {
                    if (!_timers.Remove(timer!))
                    {
                        return; // shut down
                    }
                }

                timer!.Dispose();
                Add(item);
            }, null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            _timers.Add(timer);
            timer.Change(delay, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Adds after the rate limiter's delay for this key (one more failure).</summary>
    public void AddRateLimited(T item) => AddAfter(item, RateLimiter.When(item));

    /// <summary>The key succeeded: reset its backoff.</summary>
    public void Forget(T item) => RateLimiter.Forget(item);

    public int NumRequeues(T item) => RateLimiter.NumRequeues(item);

    /// <summary>
    /// The next key, marked processing (call <see cref="Done"/> when finished, success or not); <c>Shutdown</c> is true
    /// (and the item meaningless) once the queue is shut down and drained.
    /// </summary>
    public Task<(T Item, bool Shutdown)> GetAsync(CancellationToken ct)
    {
        TaskCompletionSource<(T, bool)> waiter;
        LinkedListNode<TaskCompletionSource<(T, bool)>> node;
        lock (_lock)
        {
            if (_queue.TryDequeue(out T? item))
            {
                _dirty.Remove(item);
                _processing.Add(item);
                return Task.FromResult((item, false));
            }

            if (_shuttingDown)
            {
                return Task.FromResult((default(T)!, true));
            }

            ct.ThrowIfCancellationRequested();
            waiter = new TaskCompletionSource<(T, bool)>(TaskCreationOptions.RunContinuationsAsynchronously);
            node = _waiters.AddLast(waiter);
        }

        if (ct.CanBeCanceled)
        {
            CancellationTokenRegistration registration = ct.Register(() =>
            {
                lock (_lock)
                {
                    if (node.List is not null)
                    {
                        _waiters.Remove(node);
                    }
                }

                waiter.TrySetCanceled(ct);
            });
            _ = waiter.Task.ContinueWith(_ => registration.Dispose(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        return waiter.Task;
    }

    /// <summary>Ends processing of <paramref name="item"/>; if it was added meanwhile it is queued again.</summary>
    public void Done(T item)
    {
        lock (_lock)
        {
            if (_processing.Remove(item) && _dirty.Contains(item))
            {
                EnqueueLocked(item);
            }
        }
    }

    /// <summary>Ignores further adds, cancels delayed adds and wakes idle workers (they get Shutdown).</summary>
    public void ShutDown()
    {
        List<ITimer> timers;
        List<TaskCompletionSource<(T, bool)>> waiters;
        lock (_lock)
        {
            _shuttingDown = true;
            timers = [.. _timers];
            _timers.Clear();
            waiters = [.. _waiters];
            _waiters.Clear();
        }

        foreach (ITimer timer in timers)
        {
            timer.Dispose();
        }

        foreach (var waiter in waiters)
        {
            waiter.TrySetResult((default!, true));
        }
    }

    public void Dispose() => ShutDown();

    // Hands the item to the oldest idle worker, or queues it. _dirty holds exactly the queued (or re-added) items.
    private void EnqueueLocked(T item)
    {
        while (_waiters.First is { } first)
        {
            _waiters.RemoveFirst();
            _dirty.Remove(item);
            _processing.Add(item);
            if (first.Value.TrySetResult((item, false)))
            {
                return;
            }

            _processing.Remove(item);
            _dirty.Add(item);
        }

        _queue.Enqueue(item);
    }
}
