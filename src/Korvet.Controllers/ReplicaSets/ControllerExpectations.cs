namespace Korvet.Controllers.ReplicaSets;

/// <summary>
/// Upstream's UIDTrackingControllerExpectations: per controller key, how many pod creations and which pod deletions
/// the controller has issued but not yet seen through its pod informer. A sync that finds unmet expectations does not
/// create or delete again (a slow watch never causes double creates); expectations older than
/// <see cref="Timeout"/> (5 min) count as met, so a lost event only delays. Thread-safe: the informer's handlers lower
/// the counts while a sync runs.
/// </summary>
public sealed class ControllerExpectations
{
    public static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Entry> _entries = [];

    public ControllerExpectations(TimeProvider time) => _time = time;

    /// <summary>True when the key has no record, its counts reached zero, or the record expired.</summary>
    public bool Satisfied(string key)
    {
        lock (_lock)
        {
            if (!_entries.TryGetValue(key, out Entry? e))
            {
                return true;
            }

            return (e.Adds <= 0 && e.Deletes <= 0) || _time.GetUtcNow() - e.Timestamp > Timeout;
        }
    }

    /// <summary>Replaces the key's record with <paramref name="adds"/> expected creations (fresh timestamp).</summary>
    public void ExpectCreations(string key, int adds)
    {
        lock (_lock)
        {
            _entries[key] = new Entry(adds, 0, _time.GetUtcNow(), []);
        }
    }

    /// <summary>Replaces the key's record with the deletions of the pods named by <paramref name="podKeys"/> ("ns/name").</summary>
    public void ExpectDeletions(string key, IEnumerable<string> podKeys)
    {
        HashSet<string> pods = [.. podKeys];
        lock (_lock)
        {
            _entries[key] = new Entry(0, pods.Count, _time.GetUtcNow(), pods);
        }
    }

    /// <summary>Replaces the key's record with creations and deletions at once (the daemon controller's syncNodes).</summary>
    public void Expect(string key, int adds, IEnumerable<string> podKeys)
    {
        HashSet<string> pods = [.. podKeys];
        lock (_lock)
        {
            _entries[key] = new Entry(adds, pods.Count, _time.GetUtcNow(), pods);
        }
    }

    public void CreationObserved(string key) => Lower(key, 1, null);

    /// <summary>Counts a deletion only once per pod, and only for a pod this controller expected to delete.</summary>
    public void DeletionObserved(string key, string podKey) => Lower(key, 0, podKey);

    public void Delete(string key)
    {
        lock (_lock)
        {
            _entries.Remove(key);
        }
    }

    /// <summary>Pending (adds, deletes) for diagnostics and tests; (0, 0) when there is no record.</summary>
    public (int Adds, int Deletes) Pending(string key)
    {
        lock (_lock)
        {
            return _entries.TryGetValue(key, out Entry? e) ? (e.Adds, e.Deletes) : (0, 0);
        }
    }

    private void Lower(string key, int adds, string? podKey)
    {
        lock (_lock)
        {
            if (!_entries.TryGetValue(key, out Entry? e))
            {
                return;
            }

            if (podKey is not null)
            {
                if (!e.DeleteKeys.Remove(podKey))
                {
                    return;
                }

                e.Deletes--;
            }

            e.Adds -= adds;
        }
    }

    private sealed class Entry(int adds, int deletes, DateTimeOffset timestamp, HashSet<string> deleteKeys)
    {
        public int Adds { get; set; } = adds;

        public int Deletes { get; set; } = deletes;

        public DateTimeOffset Timestamp { get; } = timestamp;

        public HashSet<string> DeleteKeys { get; } = deleteKeys;
    }
}
