namespace Korvet.Controllers.Job;

/// <summary>
/// Upstream's ControllerExpectations: after asking for N creates / M deletes for a key, the key's sync must not
/// create or delete again until the informer observed them (or <c>timeout</c> passed, in case an event was missed).
/// Thread-safe.
/// </summary>
internal sealed class Expectations(TimeProvider time, TimeSpan timeout)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, (int Adds, int Deletes, DateTimeOffset At)> _pending = new(StringComparer.Ordinal);

    public void Expect(string key, int adds, int deletes)
    {
        lock (_lock)
        {
            (int a, int d, _) = _pending.GetValueOrDefault(key);
            _pending[key] = (Math.Max(0, a) + adds, Math.Max(0, d) + deletes, time.GetUtcNow());
        }
    }

    public void Observed(string key, bool created)
    {
        lock (_lock)
        {
            if (_pending.TryGetValue(key, out (int Adds, int Deletes, DateTimeOffset At) e))
            {
                _pending[key] = created ? (e.Adds - 1, e.Deletes, e.At) : (e.Adds, e.Deletes - 1, e.At);
            }
        }
    }

    public bool Satisfied(string key)
    {
        lock (_lock)
        {
            if (!_pending.TryGetValue(key, out (int Adds, int Deletes, DateTimeOffset At) e))
            {
                return true;
            }

            if ((e.Adds <= 0 && e.Deletes <= 0) || time.GetUtcNow() - e.At > timeout)
            {
                _pending.Remove(key);
                return true;
            }

            return false;
        }
    }

    public void Delete(string key)
    {
        lock (_lock)
        {
            _pending.Remove(key);
        }
    }
}
