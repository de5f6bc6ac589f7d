using Korvet.ApiServer.Errors;
using Korvet.ApiServer.Storage;
using Korvet.Storage;

namespace Korvet.ApiServer.Watch;

/// <summary>Tuning of the watch caches. Immutable.</summary>
/// <param name="HistoryCapacity">Recent events kept per resource for watches that resume from a resourceVersion.</param>
/// <param name="MaxPendingPerWatcher">Events a watcher may lag behind before it is ended.</param>
public sealed record WatchCacheOptions(int HistoryCapacity = 4096, int MaxPendingPerWatcher = 100_000)
{
    public static WatchCacheOptions Default { get; } = new();
}

/// <summary>
/// The in-memory state of one resource (all keys under one prefix) kept current by a single backend watch: the
/// current objects, a ring of recent events and the registered watchers. Lists at resourceVersion "0" and watches are
/// served from here so that clients never multiply backend watches.
/// </summary>
/// <remarks>
/// Concurrency: one background loop applies backend events in revision order under <c>_lock</c> and offers each event
/// to every watcher while still holding the lock, so registration (which snapshots state or history under the same
/// lock) never misses or duplicates an event. Readers copy what they need under the lock.
/// If the backend watch fails, every watcher is ended (clients re-watch) and the cache re-lists.
/// </remarks>
public sealed class WatchCache : IAsyncDisposable
{
    private readonly IBackend _backend;
    private readonly WatchCacheOptions _options;
    private readonly Lock _lock = new();
    private readonly SortedDictionary<string, StoredObject> _objects = new(StringComparer.Ordinal);
    private readonly CacheEvent?[] _history;
    private readonly HashSet<CacheWatcher> _watchers = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _historyStart;
    private int _historyCount;
    private long _revision;
    private long _oldestResumable;
    private Task? _loop;

    public WatchCache(IBackend backend, string prefix, WatchCacheOptions options)
    {
        _backend = backend;
        Prefix = prefix;
        _options = options;
        _history = new CacheEvent?[Math.Max(16, options.HistoryCapacity)];
    }

    public string Prefix { get; }

    /// <summary>The newest revision the cache reflects (for bookmarks and list resourceVersions).</summary>
    public long Revision
    {
        get
        {
            lock (_lock)
            {
                return _revision;
            }
        }
    }

    /// <summary>Starts the background loop once; later calls are no-ops.</summary>
    public void Start()
    {
        lock (_lock)
        {
            _loop ??= Task.Run(() => RunAsync(_stop.Token));
        }
    }

    /// <summary>Completes when the initial list has been loaded.</summary>
    public Task WaitReadyAsync(CancellationToken cancellationToken)
    {
        Start();
        return _ready.Task.WaitAsync(cancellationToken);
    }

    /// <summary>The cached object for <paramref name="key"/>, or null (no backend read).</summary>
    public StoredObject? TryGet(string key)
    {
        lock (_lock)
        {
            return _objects.TryGetValue(key, out StoredObject? obj) ? obj : null;
        }
    }

    /// <summary>A snapshot of the objects under <paramref name="keyPrefix"/> that match, in key order, and its revision.</summary>
    public async Task<(List<StoredObject> Items, long Revision)> SnapshotAsync(string keyPrefix, ListFilter filter,
        CancellationToken cancellationToken)
    {
        await WaitReadyAsync(cancellationToken);
        List<StoredObject> candidates = [];
        long revision;
        lock (_lock)
        {
            revision = _revision;
            foreach ((string key, StoredObject obj) in _objects)
            {
                if (key.StartsWith(keyPrefix, StringComparison.Ordinal))
                {
                    candidates.Add(obj);
                }
            }
        }

        return (filter.IsEmpty ? candidates : candidates.Where(filter.Matches).ToList(), revision);
    }

    /// <summary>
    /// Registers a watcher that receives every change after <paramref name="fromRevision"/> (history first, then live
    /// events), or throws 410 Expired when that revision is older than the cache's history. Callers that need the
    /// initial state take it first (a snapshot or a backend list at revision R) and then watch from R.
    /// </summary>
    public async Task<CacheWatcher> WatchAsync(string keyPrefix, ListFilter filter, long fromRevision, CancellationToken cancellationToken)
    {
        await WaitReadyAsync(cancellationToken);
        lock (_lock)
        {
            if (fromRevision < _oldestResumable)
            {
                throw StatusErrors.Expired($"too old resource version: {fromRevision} ({_oldestResumable})");
            }

            var watcher = new CacheWatcher(keyPrefix, filter, fromRevision, _options.MaxPendingPerWatcher, Unregister);
            for (int i = 0; i < _historyCount; i++)
            {
                watcher.Offer(_history[(_historyStart + i) % _history.Length]!);
            }

            _watchers.Add(watcher);
            return watcher;
        }
    }

    /// <summary>The oldest revision a watch can resume from.</summary>
    public long OldestResumableRevision
    {
        get
        {
            lock (_lock)
            {
                return _oldestResumable;
            }
        }
    }

    private void Unregister(CacheWatcher watcher)
    {
        lock (_lock)
        {
            _watchers.Remove(watcher);
        }
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                long listRevision = await LoadAsync(cancellationToken);
                _ready.TrySetResult();
                await foreach (WatchEvent ev in _backend.WatchAsync(Prefix, listRevision + 1, cancellationToken))
                {
                    Apply(ev);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception) when (!cancellationToken.IsCancellationRequested)
            {
                EndAllWatchers();
                await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken).ConfigureAwait(false);
            }
        }

        EndAllWatchers();
    }

    private async Task<long> LoadAsync(CancellationToken cancellationToken)
    {
        var fresh = new List<StoredObject>();
        long revision = 0;
        string? after = null;
        while (true)
        {
            ListResult page = await _backend.ListAsync(Prefix, new ListOptions(revision, 10_000, after), cancellationToken);
            revision = page.Revision;
            foreach (KeyValue kv in page.Items)
            {
                fresh.Add(new StoredObject(kv.Key, kv.Value, kv.ModRevision));
            }

            if (!page.More || page.Items.Count == 0)
            {
                break;
            }

            after = page.Items[^1].Key;
        }

        lock (_lock)
        {
            _objects.Clear();
            foreach (StoredObject obj in fresh)
            {
                _objects[obj.Key] = obj;
            }

            _revision = revision;
            _oldestResumable = revision;
            _historyStart = 0;
            _historyCount = 0;
            Array.Clear(_history);
        }

        return revision;
    }

    private void Apply(WatchEvent ev)
    {
        lock (_lock)
        {
            CacheEvent cacheEvent;
            string key = ev.Current.Key;
            _objects.TryGetValue(key, out StoredObject? previous);
            if (ev.Type == WatchEventType.Delete)
            {
                byte[] last = ev.Previous?.Value ?? previous?.Value ?? [];
                if (last.Length == 0)
                {
                    _revision = ev.Revision;
                    return;
                }

                cacheEvent = new CacheEvent(WatchEventKind.Deleted, new StoredObject(key, last, ev.Revision), previous, ev.Revision);
                _objects.Remove(key);
            }
            else
            {
                var obj = new StoredObject(key, ev.Current.Value, ev.Current.ModRevision);
                cacheEvent = new CacheEvent(previous is null ? WatchEventKind.Added : WatchEventKind.Modified, obj, previous, ev.Revision);
                _objects[key] = obj;
            }

            _revision = ev.Revision;
            if (_historyCount == _history.Length)
            {
                _oldestResumable = _history[_historyStart]!.Revision;
                _historyStart = (_historyStart + 1) % _history.Length;
                _historyCount--;
            }

            _history[(_historyStart + _historyCount) % _history.Length] = cacheEvent;
            _historyCount++;
            foreach (CacheWatcher watcher in _watchers)
            {
                watcher.Offer(cacheEvent);
            }
        }
    }

    private void EndAllWatchers()
    {
        CacheWatcher[] all;
        lock (_lock)
        {
            all = [.. _watchers];
            _watchers.Clear();
        }

        foreach (CacheWatcher watcher in all)
        {
            watcher.Complete();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        Task? loop;
        lock (_lock)
        {
            loop = _loop;
        }

        if (loop is not null)
        {
            try
            {
                await loop;
            }
            catch (OperationCanceledException)
            {
            }
        }

        _stop.Dispose();
    }
}
