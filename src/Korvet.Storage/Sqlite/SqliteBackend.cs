using System.Text;
using Korvet.Storage.Watching;
using Microsoft.Data.Sqlite;

namespace Korvet.Storage.Sqlite;

/// <summary>
/// The embedded default <see cref="IBackend"/>: a kine-style log table in one SQLite file (WAL mode).
/// </summary>
/// <remarks>
/// Writes go through one <see cref="SqliteWriter"/> (group commit, in-memory key index, in-process watch
/// notification through a <see cref="WatchHub"/>); reads use a pool of read connections. A background loop
/// compacts history in small steps queued behind ordinary writes, so it never holds the writer for long; a timer
/// deletes keys whose TTL passed. A sibling <c>.lock</c> file (an exclusive OS lock) keeps a second process out.
/// </remarks>
public sealed partial class SqliteBackend : IBackend
{
    private readonly SqliteBackendOptions _options;
    private readonly FileStream _lockFile;
    private readonly SqliteConnection _writeConnection;
    private readonly SqliteWriter _writer;
    private readonly SqliteReadPool _reads;
    private readonly WatchHub _hub;
    private readonly SemaphoreSlim _compactSignal = new(0);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _compactor;
    private readonly Timer _sweeper;
    private int _sweeping;
    private int _disposed;

    private SqliteBackend(SqliteBackendOptions options, FileStream lockFile, SqliteConnection writeConnection)
    {
        _options = options;
        _lockFile = lockFile;
        _writeConnection = writeConnection;
        _hub = new WatchHub(options.WatchBufferCapacity);
        _writer = new SqliteWriter(writeConnection, options, _hub);
        _reads = new SqliteReadPool(options);
        _compactor = Task.Run(() => CompactLoopAsync(_stopping.Token));
        _compactSignal.Release(); // finish a compaction that the previous process left half done
        var sweep = options.EffectiveTtlSweepInterval;
        _sweeper = new Timer(_ => SweepExpired(), null, sweep, sweep);
    }

    /// <summary>Opens (creating when missing) the database at <see cref="SqliteBackendOptions.Path"/>. Fails with
    /// <see cref="StorageErrorCode.Corrupt"/> when the file is locked by another process or is not a Korvet
    /// database.</summary>
    public static Task<SqliteBackend> OpenAsync(SqliteBackendOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return Task.Run(() => Open(options with { Path = System.IO.Path.GetFullPath(options.Path) }), cancellationToken);
    }

    /// <summary>The database file.</summary>
    public string Path => _options.Path;

    /// <summary>Transactions committed since open (for tests of group commit).</summary>
    internal long Commits => _writer.Commits;

    private static SqliteBackend Open(SqliteBackendOptions options)
    {
        var path = options.Path;
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        FileStream lockFile;
        try
        {
            lockFile = new FileStream(path + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e)
        {
            throw SqliteSchema.Locked(path, e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw SqliteSchema.CannotOpen(path, e);
        }

        SqliteConnection? connection = null;
        try
        {
            connection = SqliteSchema.Open(path, options.FsyncEveryCommit, readOnly: false);
            SqliteSchema.Initialize(connection, path);
            // Another (non-Korvet) connection holding the write lock shows up here, not at the first write.
            SqliteSchema.Execute(connection, "BEGIN IMMEDIATE; ROLLBACK;");
            return new SqliteBackend(options, lockFile, connection);
        }
        catch (SqliteException e)
        {
            connection?.Dispose();
            lockFile.Dispose();
            throw SqliteSchema.MapOpenError(path, e);
        }
        catch
        {
            connection?.Dispose();
            lockFile.Dispose();
            throw;
        }
    }

    public Task<long> CurrentRevisionAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        return Task.FromResult(_writer.CommittedRevision);
    }

    public Task<long> CompactedRevisionAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        return Task.FromResult(_writer.CompactedRevision);
    }

    public Task<long> CreateAsync(string key, byte[] value, long ttlSeconds = 0, CancellationToken cancellationToken = default)
    {
        StorageLimits.ValidateKey(key);
        StorageLimits.ValidateValue(value);
        cancellationToken.ThrowIfCancellationRequested();
        return _writer.SubmitAsync(new WriteRequest(WriteKind.Create, key, Encoding.UTF8.GetBytes(key), value, 0, ttlSeconds));
    }

    public Task<long> UpdateAsync(string key, byte[] value, long expectedModRevision, long ttlSeconds = 0,
        CancellationToken cancellationToken = default)
    {
        StorageLimits.ValidateKey(key);
        StorageLimits.ValidateValue(value);
        cancellationToken.ThrowIfCancellationRequested();
        return _writer.SubmitAsync(new WriteRequest(WriteKind.Update, key, Encoding.UTF8.GetBytes(key), value,
            expectedModRevision, ttlSeconds));
    }

    public async Task<DeleteResult> DeleteAsync(string key, long expectedModRevision = 0,
        CancellationToken cancellationToken = default)
    {
        StorageLimits.ValidateKey(key);
        cancellationToken.ThrowIfCancellationRequested();
        var request = new WriteRequest(WriteKind.Delete, key, Encoding.UTF8.GetBytes(key), null, expectedModRevision, 0);
        var revision = await _writer.SubmitAsync(request).ConfigureAwait(false);
        return new DeleteResult(revision, request.Deleted!);
    }

    public async Task CompactAsync(long revision, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        var current = _writer.CommittedRevision;
        if (revision > current)
        {
            throw new StorageException(StorageErrorCode.FutureRevision,
                $"cannot compact to revision {revision}: the store is at revision {current}");
        }

        if (revision <= _writer.CompactedRevision)
        {
            return;
        }

        await _writer.SubmitAsync(WriteRequest.Maintenance(WriteKind.Compact, revision)).ConfigureAwait(false);
        _compactSignal.Release();
    }

    public IAsyncEnumerable<WatchEvent> WatchAsync(string prefix, long fromRevision, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        return _hub.WatchAsync(prefix, fromRevision, () => _writer.CommittedRevision, ReadHistoryAsync, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        await _compactor.ConfigureAwait(false);
        await _sweeper.DisposeAsync().ConfigureAwait(false);
        await _writer.DisposeAsync().ConfigureAwait(false);
        _hub.Close();
        _reads.Dispose();
        _writeConnection.Dispose();
        _stopping.Dispose();
        _compactSignal.Dispose();
        await _lockFile.DisposeAsync().ConfigureAwait(false);
    }

    private async Task CompactLoopAsync(CancellationToken cancellationToken)
    {
        var interval = _options.CompactInterval > TimeSpan.Zero ? _options.CompactInterval : Timeout.InfiniteTimeSpan;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await _compactSignal.WaitAsync(interval, cancellationToken).ConfigureAwait(false);
                var target = _writer.CommittedRevision - _options.CompactRetainRevisions;
                if (_options.CompactInterval > TimeSpan.Zero && target > _writer.CompactedRevision)
                {
                    await _writer.SubmitAsync(WriteRequest.Maintenance(WriteKind.Compact, target)).ConfigureAwait(false);
                }

                // Each step is queued behind the writes already waiting, so writers interleave with compaction.
                while (!cancellationToken.IsCancellationRequested &&
                       await _writer.SubmitAsync(WriteRequest.Maintenance(WriteKind.CompactStep)).ConfigureAwait(false) > 0)
                {
                    await Task.Yield();
                }

                while (!cancellationToken.IsCancellationRequested &&
                       await _writer.SubmitAsync(WriteRequest.Maintenance(WriteKind.Vacuum)).ConfigureAwait(false) > 0)
                {
                    await Task.Yield();
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (StorageException)
            {
                // A failed commit is reported to the writers concerned; compaction retries next round.
            }
        }
    }

    private void SweepExpired()
    {
        if (_writer.ExpiringCount == 0 || Volatile.Read(ref _disposed) != 0 ||
            Interlocked.Exchange(ref _sweeping, 1) != 0)
        {
            return;
        }

        try
        {
            _writer.SubmitAsync(WriteRequest.Maintenance(WriteKind.SweepExpired))
                .ContinueWith(_ => Volatile.Write(ref _sweeping, 0), TaskScheduler.Default);
        }
        catch (ObjectDisposedException)
        {
            // Closing.
        }
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
}
