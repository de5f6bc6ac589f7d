namespace Korvet.Client.Queue;

/// <summary>
/// client-go's default controller rate limiter: the larger of a per-item exponential backoff (5 ms doubling per
/// failure, at most 1000 s) and an overall token bucket (10 per second, burst 100). Thread-safe.
/// </summary>
public sealed class RateLimiter<T>(TimeProvider? time = null)
    where T : notnull
{
    private static readonly TimeSpan BaseDelay = TimeSpan.FromMilliseconds(5);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(1000);
    private const double Qps = 10;
    private const double Burst = 100;

    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly Lock _lock = new();
    private readonly Dictionary<T, int> _failures = [];
    private double _tokens = Burst;
    private long _last = -1;

    /// <summary>Records one more failure of <paramref name="item"/> and returns how long to wait before retrying.</summary>
    public TimeSpan When(T item)
    {
        lock (_lock)
        {
            int failures = _failures.GetValueOrDefault(item);
            _failures[item] = failures + 1;
            double ms = BaseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(failures, 40));
            TimeSpan perItem = ms >= MaxDelay.TotalMilliseconds ? MaxDelay : TimeSpan.FromMilliseconds(ms);
            TimeSpan bucket = ReserveTokenLocked();
            return perItem > bucket ? perItem : bucket;
        }
    }

    public int NumRequeues(T item)
    {
        lock (_lock)
        {
            return _failures.GetValueOrDefault(item);
        }
    }

    /// <summary>Stops tracking <paramref name="item"/> (it succeeded): its next failure waits 5 ms again.</summary>
    public void Forget(T item)
    {
        lock (_lock)
        {
            _failures.Remove(item);
        }
    }

    // Reserves one token (like rate.Limiter.Reserve) and returns the wait until it is available.
    private TimeSpan ReserveTokenLocked()
    {
        long now = _time.GetTimestamp();
        if (_last >= 0)
        {
            _tokens = Math.Min(Burst, _tokens + (_time.GetElapsedTime(_last, now).TotalSeconds * Qps));
        }

        _last = now;
        _tokens -= 1;
        return _tokens >= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(-_tokens / Qps);
    }
}
