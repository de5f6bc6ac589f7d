namespace Korvet.Storage.Sqlite;

/// <summary>Options of <see cref="SqliteBackend"/>, validated once by <see cref="SqliteBackend.OpenAsync"/>.</summary>
/// <param name="Path">The database file; its directory is created when missing. A sibling <c>.lock</c> file
/// guards it against a second Korvet process.</param>
/// <param name="CompactInterval">How often history is compacted automatically; <see cref="TimeSpan.Zero"/> turns
/// automatic compaction off (explicit <see cref="SqliteBackend.CompactAsync"/> still works).</param>
/// <param name="CompactRetainRevisions">Automatic compaction keeps at least this many recent revisions readable.</param>
/// <param name="FsyncEveryCommit">
/// False (default): <c>synchronous=NORMAL</c> in WAL mode. A commit is in the WAL (the OS page cache) before it is
/// acknowledged, so every acknowledged write survives <c>kill -9</c> of the process — the contract — but a power
/// loss or kernel crash may lose the last commits (never corrupts). True: <c>synchronous=FULL</c>, one fsync per
/// group commit, which also survives power loss at the cost of write throughput.
/// </param>
/// <param name="WatchBufferCapacity">Events a watcher may lag behind before it is ended.</param>
/// <param name="MaxBatchSize">At most this many queued writes are committed in one transaction.</param>
/// <param name="CompactBatchSize">Log rows examined per compaction step; each step holds the writer briefly.</param>
/// <param name="TtlSweepInterval">How often keys whose TTL passed are deleted.</param>
public sealed record SqliteBackendOptions(
    string Path,
    TimeSpan CompactInterval,
    long CompactRetainRevisions,
    bool FsyncEveryCommit = false,
    int WatchBufferCapacity = 10_000,
    int MaxBatchSize = 1024,
    int CompactBatchSize = 500,
    TimeSpan TtlSweepInterval = default)
{
    /// <summary>Defaults for a data directory: compact every minute, keep the last 10,000 revisions.</summary>
    public static SqliteBackendOptions ForPath(string path) => new(path, TimeSpan.FromMinutes(1), 10_000);

    internal TimeSpan EffectiveTtlSweepInterval =>
        TtlSweepInterval > TimeSpan.Zero ? TtlSweepInterval : TimeSpan.FromMilliseconds(250);

    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(Path))
        {
            throw new ArgumentException("the SQLite path must not be empty", nameof(Path));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(CompactInterval, TimeSpan.Zero, nameof(CompactInterval));
        ArgumentOutOfRangeException.ThrowIfNegative(CompactRetainRevisions, nameof(CompactRetainRevisions));
        ArgumentOutOfRangeException.ThrowIfLessThan(WatchBufferCapacity, 1, nameof(WatchBufferCapacity));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBatchSize, 1, nameof(MaxBatchSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(CompactBatchSize, 1, nameof(CompactBatchSize));
    }
}
