namespace Korvet.Storage;

/// <summary>
/// The revisioned key-value contract the API server needs from its datastore (modelled on etcd v3 and kine).
/// </summary>
/// <remarks>
/// Contract shared by every implementation and proved by one contract test suite:
/// <list type="bullet">
/// <item>Revisions are global and strictly increasing; every successful write (create, update, delete) gets a
/// new revision greater than every revision before it. The API server exposes it as <c>resourceVersion</c>.</item>
/// <item>Writes are compare-and-swap: <see cref="CreateAsync"/> fails with <see cref="StorageErrorCode.KeyExists"/>
/// when the key is live; <see cref="UpdateAsync"/> and <see cref="DeleteAsync"/> fail with
/// <see cref="StorageErrorCode.Conflict"/> (carrying the current value) when the key's mod revision differs from the
/// expected one, and with <see cref="StorageErrorCode.KeyNotFound"/> when it is absent. Of concurrent writers that
/// expect the same revision, exactly one succeeds.</item>
/// <item>An acknowledged write is durable: it survives a crash of the process.</item>
/// <item>Bad input (empty or oversized key, empty or oversized value) fails with
/// <see cref="StorageErrorCode.InvalidKey"/> / <see cref="StorageErrorCode.ValueTooLarge"/> /
/// <see cref="StorageErrorCode.InvalidValue"/> and stores nothing.</item>
/// <item>Reading or watching at a revision older than the compacted revision fails with
/// <see cref="StorageErrorCode.Compacted"/>.</item>
/// </list>
/// All members are safe to call concurrently from any thread. A value passed to a write becomes the backend's (it
/// is handed to watchers as is): callers must not mutate the array afterwards.
/// </remarks>
public interface IBackend : IAsyncDisposable
{
    /// <summary>The revision of the newest write (0 for an empty store that was never written).</summary>
    Task<long> CurrentRevisionAsync(CancellationToken cancellationToken = default);

    /// <summary>Reads one key as of <paramref name="revision"/> (0 = newest); null when absent at that revision.</summary>
    Task<KeyValue?> GetAsync(string key, long revision = 0, CancellationToken cancellationToken = default);

    /// <summary>
    /// The mod revision of <paramref name="key"/>'s newest value (0 when absent), with the same consistency as
    /// <see cref="GetAsync"/> at revision 0, when the backend can tell it without reading the value; null when it
    /// cannot do better than <see cref="GetAsync"/> (the default). Lets callers that hold a cached copy of a value
    /// check that it is current without copying the value again.
    /// </summary>
    ValueTask<long?> TryGetModRevisionAsync(string key, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult<long?>(null);

    /// <summary>
    /// Lists live keys under <paramref name="prefix"/> in key order, as one consistent snapshot at
    /// <see cref="ListOptions.Revision"/> (0 = newest). Pages continue with <see cref="ListOptions.AfterKey"/> and the
    /// revision that the first page returned, so every page sees the same snapshot.
    /// </summary>
    Task<ListResult> ListAsync(string prefix, ListOptions options, CancellationToken cancellationToken = default);

    /// <summary>Counts live keys under <paramref name="prefix"/> at the newest revision.</summary>
    Task<long> CountAsync(string prefix, CancellationToken cancellationToken = default);

    /// <summary>Creates a key that is not live; returns the new revision. <paramref name="ttlSeconds"/> &gt; 0 makes
    /// the key expire (be deleted) after that long, like an etcd lease.</summary>
    Task<long> CreateAsync(string key, byte[] value, long ttlSeconds = 0, CancellationToken cancellationToken = default);

    /// <summary>Replaces a key whose mod revision is <paramref name="expectedModRevision"/>; returns the new revision.</summary>
    Task<long> UpdateAsync(string key, byte[] value, long expectedModRevision, long ttlSeconds = 0,
        CancellationToken cancellationToken = default);

    /// <summary>Deletes a key whose mod revision is <paramref name="expectedModRevision"/> (0 = whatever it is);
    /// returns the revision of the delete and the value deleted.</summary>
    Task<DeleteResult> DeleteAsync(string key, long expectedModRevision = 0, CancellationToken cancellationToken = default);

    /// <summary>
    /// Streams every change under <paramref name="prefix"/> with revision &gt;= <paramref name="fromRevision"/>
    /// (0 = only changes after the call), in revision order, each with its previous value. Fails with
    /// <see cref="StorageErrorCode.Compacted"/> when <paramref name="fromRevision"/> has been compacted away. The
    /// stream ends only when <paramref name="cancellationToken"/> is cancelled, the backend is disposed, or it fails.
    /// A backend may end a watcher that falls too far behind with <see cref="StorageErrorCode.Unavailable"/>; the
    /// caller resumes by watching again from its last revision + 1. Cancellation surfaces as
    /// <see cref="OperationCanceledException"/>.
    /// </summary>
    IAsyncEnumerable<WatchEvent> WatchAsync(string prefix, long fromRevision, CancellationToken cancellationToken = default);

    /// <summary>Discards history older than <paramref name="revision"/>: reads and watches below it then fail
    /// with <see cref="StorageErrorCode.Compacted"/>. Compacting to a revision at or below the current compacted
    /// revision is a no-op.</summary>
    Task CompactAsync(long revision, CancellationToken cancellationToken = default);

    /// <summary>The oldest revision still readable (0 when nothing was compacted).</summary>
    Task<long> CompactedRevisionAsync(CancellationToken cancellationToken = default);
}
