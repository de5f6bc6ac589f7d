using System.Collections.Concurrent;
using System.Threading.Channels;
using Korvet.Storage.Watching;
using Microsoft.Data.Sqlite;

namespace Korvet.Storage.Sqlite;

/// <summary>
/// The single writer: owns the write connection, the in-memory key index and the revision counter.
/// </summary>
/// <remarks>
/// Concurrency: callers enqueue <see cref="WriteRequest"/>s; one loop drains up to
/// <see cref="SqliteBackendOptions.MaxBatchSize"/> of them and decides each in order inside ONE transaction (group
/// commit). Decisions made earlier in the batch are visible to later ones through a pending overlay; a refused
/// request only records its error. After COMMIT returns, the committed revision is published, the overlay is applied
/// to the shared index, callers are completed and watchers are notified — in that order, so a reader that sees
/// revision N can read every row up to N.
/// </remarks>
internal sealed partial class SqliteWriter : IAsyncDisposable
{
    private readonly SqliteConnection _connection;
    private readonly SqliteBackendOptions _options;
    private readonly WatchHub _hub;
    private readonly Channel<WriteRequest> _queue = Channel.CreateUnbounded<WriteRequest>(
        new UnboundedChannelOptions { SingleReader = true });
    private readonly Dictionary<string, KeyState> _pending = new(StringComparer.Ordinal);
    private readonly List<WatchEvent> _events = [];
    private readonly List<WriteRequest> _batch = [];
    private readonly List<(string Key, long Revision)> _removedTombstones = [];
    private readonly Dictionary<string, long> _expiring = new(StringComparer.Ordinal);
    private readonly Commands _commands;
    private readonly Task _loop;
    private long _committed;
    private long _compacted;
    private long _compactCursor;
    private long _next;
    private long _pendingCompacted;
    private int _expiringCount;
    private long _commits;

    public SqliteWriter(SqliteConnection connection, SqliteBackendOptions options, WatchHub hub)
    {
        _connection = connection;
        _options = options;
        _hub = hub;
        _commands = new Commands(connection);
        Load();
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Newest state of every key that has a row (live or tombstone). Only the writer mutates it.</summary>
    public ConcurrentDictionary<string, KeyState> Index { get; } = new(StringComparer.Ordinal);

    public long CommittedRevision => Volatile.Read(ref _committed);

    public long CompactedRevision => Volatile.Read(ref _compacted);

    /// <summary>How many live keys carry a TTL (read racily by the sweeper timer).</summary>
    public int ExpiringCount => Volatile.Read(ref _expiringCount);

    /// <summary>Transactions committed so far (group commit makes this much smaller than the writes).</summary>
    public long Commits => Volatile.Read(ref _commits);

    public Task<long> SubmitAsync(WriteRequest request)
    {
        if (!_queue.Writer.TryWrite(request))
        {
            throw new ObjectDisposedException(nameof(SqliteBackend), "the SQLite backend is closed");
        }

        return request.Completion.Task;
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
        _commands.Dispose();
    }

    private async Task RunAsync()
    {
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            _batch.Clear();
            while (_batch.Count < _options.MaxBatchSize && reader.TryRead(out var request))
            {
                _batch.Add(request);
            }

            CommitBatch();
        }
    }

    private void CommitBatch()
    {
        _pending.Clear();
        _events.Clear();
        _removedTombstones.Clear();
        _next = _committed + 1;
        _pendingCompacted = _compacted;
        var cursor = _compactCursor;
        try
        {
            _commands.Begin.ExecuteNonQuery();
            foreach (var request in _batch)
            {
                Decide(request);
            }

            _commands.Commit.ExecuteNonQuery();
            Interlocked.Increment(ref _commits);
        }
        catch (Exception e)
        {
            // Any failure here (I/O error, disk full, a broken invariant) fails the whole batch and nothing of it
            // is applied: the index, revision counter and watchers only ever see committed transactions.
            TryRollback();
            _compactCursor = cursor;
            var failure = new StorageException(StorageErrorCode.Unavailable, $"the SQLite commit failed: {e.Message}",
                inner: e);
            foreach (var request in _batch)
            {
                request.Error = failure;
                request.Finish();
            }

            return;
        }

        Publish();
    }

    private void Decide(WriteRequest request)
    {
        try
        {
            request.Result = request.Kind switch
            {
                WriteKind.Create => Create(request),
                WriteKind.Update => Update(request),
                WriteKind.Delete => Delete(request.Key, request.Name!, request.Expected, request),
                WriteKind.Compact => Compact(request.Expected),
                WriteKind.CompactStep => CompactStep(),
                WriteKind.SweepExpired => SweepExpired(),
                WriteKind.Vacuum => Vacuum(),
                _ => throw new InvalidOperationException($"unknown write kind {request.Kind}"),
            };
        }
        catch (StorageException e)
        {
            request.Error = e;
        }
        catch (SqliteException e) when (e.SqliteErrorCode == 19)
        {
            // SQLITE_CONSTRAINT: the unique (name, prev_revision) index refused a second successor of one row. Only
            // this statement is rolled back; the batch goes on.
            request.Error = new StorageException(StorageErrorCode.Conflict,
                $"key '{request.Key}' was modified concurrently", inner: e);
        }
    }

    private void Publish()
    {
        // The revision first: whoever finds a key's new row through the index also sees a current revision that
        // covers it.
        Volatile.Write(ref _compacted, _pendingCompacted);
        Volatile.Write(ref _committed, _next - 1);
        foreach (var (key, state) in _pending)
        {
            Index[key] = state;
            if (state.ExpiresAtMs > 0 && !state.Deleted)
            {
                _expiring[key] = state.ExpiresAtMs;
            }
            else
            {
                _expiring.Remove(key);
            }
        }

        foreach (var (key, revision) in _removedTombstones)
        {
            if (Index.TryGetValue(key, out var state) && state.Deleted && state.ModRevision == revision)
            {
                Index.TryRemove(new KeyValuePair<string, KeyState>(key, state));
            }
        }

        Volatile.Write(ref _expiringCount, _expiring.Count);
        foreach (var request in _batch)
        {
            request.Finish();
        }

        foreach (var change in _events)
        {
            _hub.Publish(change);
        }
    }

    private void TryRollback()
    {
        try
        {
            _commands.Rollback.ExecuteNonQuery();
        }
        catch (SqliteException)
        {
            // No transaction was open (BEGIN itself failed) or SQLite already rolled it back.
        }
    }
}
