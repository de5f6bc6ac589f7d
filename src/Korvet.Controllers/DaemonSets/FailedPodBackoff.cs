namespace Korvet.Controllers.DaemonSets;

/// <summary>
/// Upstream's failedPodsBackoff, kept simple: per "set uid/node", a failed daemon pod may be deleted (and so
/// replaced) once, then the next only after a delay that starts at 1 s and doubles up to 15 min; an entry idle for twice
/// the maximum is forgotten. Stops the controller from fighting a kubelet that keeps rejecting the pod. Thread-safe.
/// </summary>
public sealed class FailedPodBackoff(TimeProvider time)
{
    public static readonly TimeSpan Initial = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan Max = TimeSpan.FromMinutes(15);

    private readonly Lock _lock = new();
    private readonly Dictionary<string, (DateTimeOffset Last, TimeSpan Delay)> _entries = new(StringComparer.Ordinal);

    /// <summary>True (and the backoff advanced) when a delete is allowed now; false while in backoff.</summary>
    public bool TryDelete(string key)
    {
        DateTimeOffset now = time.GetUtcNow();
        lock (_lock)
        {
            if (_entries.TryGetValue(key, out (DateTimeOffset Last, TimeSpan Delay) e) && now - e.Last < 2 * Max)
            {
                if (now - e.Last < e.Delay)
                {
                    return false;
                }

                _entries[key] = (now, e.Delay * 2 > Max ? Max : e.Delay * 2);
                return true;
            }

            _entries[key] = (now, Initial);
            return true;
        }
    }
}
