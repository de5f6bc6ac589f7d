using System.Runtime.CompilerServices;
using Korvet.Storage.Watching;

namespace Korvet.Storage.Memory;

/// <summary>
/// A complete in-memory <see cref="IBackend"/> (history, watch from past revisions, compaction, TTL) for fast tests
/// of the layers above. Not durable. All state is guarded by one lock; watchers are fed through a
/// <see cref="WatchHub"/> under that lock, so they see changes in revision order.
/// </summary>
public sealed class MemoryBackend : IBackend
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, List<Version>> _versions = new(StringComparer.Ordinal);
    private readonly List<string> _sortedKeys = [];
    private readonly List<WatchEvent> _log = [];
    private readonly Dictionary<string, DateTimeOffset> _expiries = new(StringComparer.Ordinal);
    private readonly WatchHub _hub;
    private readonly TimeProvider _time;
    private readonly ITimer _sweeper;
    private long _revision;
    private long _compacted;
    private bool _disposed;

    public MemoryBackend(MemoryBackendOptions? options = null, TimeProvider? time = null)
    {
        options ??= MemoryBackendOptions.Default;
        _hub = new WatchHub(options.WatchBufferCapacity);
        _time = time ?? TimeProvider.System;
        var interval = options.EffectiveSweepInterval;
        _sweeper = _time.CreateTimer(_ => SweepExpired(), null, interval, interval);
    }

    public Task<long> CurrentRevisionAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            return Task.FromResult(_revision);
        }
    }

    public Task<long> CompactedRevisionAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            return Task.FromResult(_compacted);
        }
    }

    public Task<KeyValue?> GetAsync(string key, long revision = 0, CancellationToken cancellationToken = default)
    {
        StorageLimits.ValidateKey(key);
        lock (_gate)
        {
            ThrowIfDisposed();
            var at = ResolveRevision(revision);
            return Task.FromResult(_versions.TryGetValue(key, out var versions) ? ValueAt(key, versions, at) : null);
        }
    }

    public Task<ListResult> ListAsync(string prefix, ListOptions options, CancellationToken cancellationToken = default)
    {
        StorageLimits.ValidatePrefix(prefix);
        ArgumentNullException.ThrowIfNull(options);
        lock (_gate)
        {
            ThrowIfDisposed();
            var at = ResolveRevision(options.Revision);
            var start = options.AfterKey is null || string.CompareOrdinal(options.AfterKey, prefix) < 0
                ? LowerBound(prefix)
                : UpperBound(options.AfterKey);
            var items = new List<KeyValue>();
            long remaining = 0;
            for (var i = start; i < _sortedKeys.Count && _sortedKeys[i].StartsWith(prefix, StringComparison.Ordinal); i++)
            {
                var key = _sortedKeys[i];
                if (ValueAt(key, _versions[key], at) is not { } item)
                {
                    continue;
                }

                if (options.Limit > 0 && items.Count >= options.Limit)
                {
                    remaining++;
                }
                else
                {
                    items.Add(item);
                }
            }

            return Task.FromResult(new ListResult(items, at, remaining > 0, remaining));
        }
    }

    public Task<long> CountAsync(string prefix, CancellationToken cancellationToken = default)
    {
        StorageLimits.ValidatePrefix(prefix);
        lock (_gate)
        {
            ThrowIfDisposed();
            long count = 0;
            for (var i = LowerBound(prefix); i < _sortedKeys.Count && _sortedKeys[i].StartsWith(prefix, StringComparison.Ordinal); i++)
            {
                if (_versions[_sortedKeys[i]][^1].Value is not null)
                {
                    count++;
                }
            }

            return Task.FromResult(count);
        }
    }

    public Task<long> CreateAsync(string key, byte[] value, long ttlSeconds = 0, CancellationToken cancellationToken = default)
    {
        StorageLimits.ValidateKey(key);
        StorageLimits.ValidateValue(value);
        lock (_gate)
        {
            ThrowIfDisposed();
            var live = Live(key);
            if (live is not null)
            {
                throw new StorageException(StorageErrorCode.KeyExists, $"key '{key}' already exists", live);
            }

            var revision = ++_revision;
            Append(key, new Version(revision, revision, value));
            SetExpiry(key, ttlSeconds);
            Emit(new WatchEvent(WatchEventType.Put, new KeyValue(key, value, revision, revision), null));
            return Task.FromResult(revision);
        }
    }

    public Task<long> UpdateAsync(string key, byte[] value, long expectedModRevision, long ttlSeconds = 0,
        CancellationToken cancellationToken = default)
    {
        StorageLimits.ValidateKey(key);
        StorageLimits.ValidateValue(value);
        lock (_gate)
        {
            ThrowIfDisposed();
            var live = Live(key) ?? throw NotFound(key);
            if (live.ModRevision != expectedModRevision)
            {
                throw Conflict(key, expectedModRevision, live);
            }

            var revision = ++_revision;
            Append(key, new Version(revision, live.CreateRevision, value));
            SetExpiry(key, ttlSeconds);
            Emit(new WatchEvent(WatchEventType.Put, new KeyValue(key, value, live.CreateRevision, revision), live));
            return Task.FromResult(revision);
        }
    }

    public Task<DeleteResult> DeleteAsync(string key, long expectedModRevision = 0, CancellationToken cancellationToken = default)
    {
        StorageLimits.ValidateKey(key);
        lock (_gate)
        {
            ThrowIfDisposed();
            return Task.FromResult(DeleteLocked(key, expectedModRevision));
        }
    }

    public IAsyncEnumerable<WatchEvent> WatchAsync(string prefix, long fromRevision, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        return _hub.WatchAsync(prefix, fromRevision, CommittedRevision, ReadHistoryAsync, cancellationToken);
    }

    public Task CompactAsync(long revision, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            if (revision > _revision)
            {
                throw new StorageException(StorageErrorCode.FutureRevision,
                    $"cannot compact to revision {revision}: the store is at revision {_revision}");
            }

            if (revision <= _compacted)
            {
                return Task.CompletedTask;
            }

            _compacted = revision;
            DiscardHistoryBelow(revision);
            return Task.CompletedTask;
        }
    }

    public async ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        await _sweeper.DisposeAsync().ConfigureAwait(false);
        _hub.Close();
    }

    private long CommittedRevision()
    {
        lock (_gate)
        {
            return _revision;
        }
    }

    private async IAsyncEnumerable<WatchEvent> ReadHistoryAsync(string prefix, long fromRevision, long toRevision,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        List<WatchEvent> changes;
        lock (_gate)
        {
            if (fromRevision < _compacted)
            {
                throw Compacted(fromRevision);
            }

            var first = FirstLogIndexAtOrAfter(fromRevision);
            changes = [];
            for (var i = first; i < _log.Count && _log[i].Revision <= toRevision; i++)
            {
                if (_log[i].Current.Key.StartsWith(prefix, StringComparison.Ordinal))
                {
                    changes.Add(_log[i]);
                }
            }
        }

        foreach (var change in changes)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return change;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    private DeleteResult DeleteLocked(string key, long expectedModRevision)
    {
        var live = Live(key) ?? throw NotFound(key);
        if (expectedModRevision != 0 && live.ModRevision != expectedModRevision)
        {
            throw Conflict(key, expectedModRevision, live);
        }

        var revision = ++_revision;
        Append(key, new Version(revision, 0, null));
        _expiries.Remove(key);
        Emit(new WatchEvent(WatchEventType.Delete, new KeyValue(key, [], live.CreateRevision, revision), live));
        return new DeleteResult(revision, live);
    }

    private void SweepExpired()
    {
        lock (_gate)
        {
            if (_disposed || _expiries.Count == 0)
            {
                return;
            }

            var now = _time.GetUtcNow();
            foreach (var (key, expiry) in _expiries.ToArray())
            {
                if (expiry <= now)
                {
                    DeleteLocked(key, 0);
                }
            }
        }
    }

    private void SetExpiry(string key, long ttlSeconds)
    {
        if (ttlSeconds > 0)
        {
            _expiries[key] = _time.GetUtcNow().AddSeconds(ttlSeconds);
        }
        else
        {
            _expiries.Remove(key);
        }
    }

    private void Emit(WatchEvent change)
    {
        _log.Add(change);
        _hub.Publish(change);
    }

    private void Append(string key, Version version)
    {
        if (!_versions.TryGetValue(key, out var versions))
        {
            versions = [];
            _versions.Add(key, versions);
            _sortedKeys.Insert(LowerBound(key), key);
        }

        versions.Add(version);
    }

    private KeyValue? Live(string key) =>
        _versions.TryGetValue(key, out var versions) ? ValueAt(key, versions, _revision) : null;

    private static KeyValue? ValueAt(string key, List<Version> versions, long revision)
    {
        for (var i = versions.Count - 1; i >= 0; i--)
        {
            var version = versions[i];
            if (version.Revision <= revision)
            {
                return version.Value is null ? null : new KeyValue(key, version.Value, version.CreateRevision, version.Revision);
            }
        }

        return null;
    }

    private long ResolveRevision(long revision)
    {
        if (revision == 0)
        {
            return _revision;
        }

        if (revision < _compacted)
        {
            throw Compacted(revision);
        }

        if (revision > _revision)
        {
            throw new StorageException(StorageErrorCode.FutureRevision,
                $"revision {revision} is newer than the current revision {_revision}");
        }

        return revision;
    }

    /// <summary>Keeps, per key, every version at or after <paramref name="revision"/> plus the one visible just
    /// before it (the previous value of a change at <paramref name="revision"/>), unless that one is a delete.</summary>
    private void DiscardHistoryBelow(long revision)
    {
        foreach (var key in _sortedKeys.ToArray())
        {
            var versions = _versions[key];
            var keepFrom = versions.FindLastIndex(v => v.Revision < revision);
            if (keepFrom < 0)
            {
                continue;
            }

            if (versions[keepFrom].Value is null)
            {
                keepFrom++;
            }

            versions.RemoveRange(0, keepFrom);
            if (versions.Count == 0)
            {
                _versions.Remove(key);
                _sortedKeys.RemoveAt(LowerBound(key));
            }
        }

        _log.RemoveRange(0, FirstLogIndexAtOrAfter(revision));
    }

    private int FirstLogIndexAtOrAfter(long revision)
    {
        int lo = 0, hi = _log.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (_log[mid].Revision < revision)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    private int LowerBound(string key)
    {
        var index = _sortedKeys.BinarySearch(key, StringComparer.Ordinal);
        return index >= 0 ? index : ~index;
    }

    private int UpperBound(string key)
    {
        var index = _sortedKeys.BinarySearch(key, StringComparer.Ordinal);
        return index >= 0 ? index + 1 : ~index;
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    private StorageException Compacted(long revision) =>
        new(StorageErrorCode.Compacted, $"revision {revision} has been compacted; the oldest available is {_compacted}")
        {
            CompactedRevision = _compacted,
        };

    private static StorageException NotFound(string key) =>
        new(StorageErrorCode.KeyNotFound, $"key '{key}' not found");

    private static StorageException Conflict(string key, long expected, KeyValue live) =>
        new(StorageErrorCode.Conflict,
            $"key '{key}' is at revision {live.ModRevision}, not the expected {expected}", live);

    /// <summary>One incarnation step of a key; a null <see cref="Value"/> marks a delete.</summary>
    private readonly record struct Version(long Revision, long CreateRevision, byte[]? Value);
}
