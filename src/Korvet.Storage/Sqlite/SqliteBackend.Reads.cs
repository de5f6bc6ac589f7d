using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Data.Sqlite;

namespace Korvet.Storage.Sqlite;

/// <summary>Reads. Each runs one statement on a pooled read connection (one committed snapshot) and checks the
/// compacted-revision marker afterwards: the marker is raised before compaction removes any row, so a read that
/// still sees the marker at or below its revision read complete data.</summary>
public sealed partial class SqliteBackend
{
    private const int HistoryChunk = 256;
    private static readonly object NoLimit = -1L;

    public Task<KeyValue?> GetAsync(string key, long revision = 0, CancellationToken cancellationToken = default)
    {
        StorageLimits.ValidateKey(key);
        ThrowIfDisposed();
        if (revision == 0)
        {
            return Task.FromResult(GetNewest(key));
        }

        CheckReadable(revision);
        var session = _reads.Rent();
        try
        {
            var result = ReadAt(session, key, revision);
            CheckReadable(revision);
            return Task.FromResult(result);
        }
        finally
        {
            _reads.Return(session);
        }
    }

    /// <remarks>From the in-memory index, which is updated when a batch commits (before its writers are answered).</remarks>
    public ValueTask<long?> TryGetModRevisionAsync(string key, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        return ValueTask.FromResult<long?>(_writer.Index.TryGetValue(key, out var state) && !state.Deleted ? state.ModRevision : 0);
    }

    public Task<ListResult> ListAsync(string prefix, ListOptions options, CancellationToken cancellationToken = default)
    {
        StorageLimits.ValidatePrefix(prefix);
        ArgumentNullException.ThrowIfNull(options);
        ThrowIfDisposed();
        var revision = options.Revision == 0 ? _writer.CommittedRevision : options.Revision;
        CheckReadable(revision);
        var (lo, hi) = Range(prefix);
        var after = options.AfterKey is null ? [] : Encoding.UTF8.GetBytes(options.AfterKey);
        var items = new List<KeyValue>();
        long remaining = 0;
        var session = _reads.Rent();
        try
        {
            var command = session.ListPage;
            SetRange(command, lo, after, hi, revision);
            command.Parameters[4].Value = options.Limit > 0 ? options.Limit + 1 : NoLimit;
            using (var reader = command.ExecuteReader())
            {
                while (reader.Read())
                {
                    items.Add(new KeyValue(Encoding.UTF8.GetString(reader.GetFieldValue<byte[]>(0)),
                        reader.GetFieldValue<byte[]>(3), reader.GetInt64(2), reader.GetInt64(1)));
                }
            }

            if (options.Limit > 0 && items.Count > options.Limit)
            {
                items.RemoveAt(items.Count - 1);
                var count = session.CountLive;
                SetRange(count, lo, Encoding.UTF8.GetBytes(items[^1].Key), hi, revision);
                remaining = (long)count.ExecuteScalar()!;
            }
        }
        finally
        {
            _reads.Return(session);
        }

        CheckReadable(revision);
        return Task.FromResult(new ListResult(items, revision, remaining > 0, remaining));
    }

    public Task<long> CountAsync(string prefix, CancellationToken cancellationToken = default)
    {
        StorageLimits.ValidatePrefix(prefix);
        ThrowIfDisposed();
        long count = 0;
        foreach (var (key, state) in _writer.Index)
        {
            if (!state.Deleted && key.StartsWith(prefix, StringComparison.Ordinal))
            {
                count++;
            }
        }

        return Task.FromResult(count);
    }

    private KeyValue? GetNewest(string key)
    {
        var session = _reads.Rent();
        try
        {
            // The index names the newest row; if compaction or a newer write replaced it meanwhile, look again.
            for (var attempt = 0; attempt < 3; attempt++)
            {
                if (!_writer.Index.TryGetValue(key, out var state) || state.Deleted)
                {
                    return null;
                }

                var byId = session.ById;
                byId.Parameters[0].Value = state.ModRevision;
                using var reader = byId.ExecuteReader();
                if (reader.Read())
                {
                    return reader.GetInt64(1) != 0
                        ? null
                        : new KeyValue(key, reader.GetFieldValue<byte[]>(2), state.CreateRevision, state.ModRevision);
                }
            }

            return ReadAt(session, key, _writer.CommittedRevision);
        }
        finally
        {
            _reads.Return(session);
        }
    }

    private static KeyValue? ReadAt(ReadSession session, string key, long revision)
    {
        var command = session.AtRevision;
        command.Parameters[0].Value = Encoding.UTF8.GetBytes(key);
        command.Parameters[1].Value = revision;
        using var reader = command.ExecuteReader();
        if (!reader.Read() || reader.GetInt64(2) != 0)
        {
            return null;
        }

        return new KeyValue(key, reader.GetFieldValue<byte[]>(3), reader.GetInt64(1), reader.GetInt64(0));
    }

    private async IAsyncEnumerable<WatchEvent> ReadHistoryAsync(string prefix, long fromRevision, long toRevision,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var (lo, hi) = Range(prefix);
        var next = fromRevision;
        while (next <= toRevision)
        {
            cancellationToken.ThrowIfCancellationRequested();
            CheckReadable(next);
            var chunk = ReadHistoryChunk(lo, hi, next, toRevision);
            CheckReadable(next);
            foreach (var change in chunk)
            {
                yield return change;
            }

            if (chunk.Count < HistoryChunk)
            {
                break;
            }

            next = chunk[^1].Revision + 1;
            await Task.Yield();
        }
    }

    private List<WatchEvent> ReadHistoryChunk(byte[] lo, byte[] hi, long from, long to)
    {
        var rows = new List<(long Id, string Key, bool Created, bool Deleted, long Create, long Prev, byte[] Value)>();
        var changes = new List<WatchEvent>();
        var session = _reads.Rent();
        try
        {
            var command = session.History;
            command.Parameters[0].Value = from;
            command.Parameters[1].Value = to;
            command.Parameters[2].Value = lo;
            command.Parameters[3].Value = hi;
            command.Parameters[4].Value = (long)HistoryChunk;
            using (var reader = command.ExecuteReader())
            {
                while (reader.Read())
                {
                    rows.Add((reader.GetInt64(0), Encoding.UTF8.GetString(reader.GetFieldValue<byte[]>(1)),
                        reader.GetInt64(2) != 0, reader.GetInt64(3) != 0, reader.GetInt64(4), reader.GetInt64(5),
                        reader.GetFieldValue<byte[]>(6)));
                }
            }

            foreach (var row in rows)
            {
                var previous = row.Created ? null : ReadPrevious(session, row.Key, row.Prev);
                changes.Add(row.Deleted
                    ? new WatchEvent(WatchEventType.Delete, new KeyValue(row.Key, [], row.Create, row.Id), previous)
                    : new WatchEvent(WatchEventType.Put, new KeyValue(row.Key, row.Value, row.Create, row.Id), previous));
            }
        }
        finally
        {
            _reads.Return(session);
        }

        return changes;
    }

    private KeyValue ReadPrevious(ReadSession session, string key, long revision)
    {
        var byId = session.ById;
        byId.Parameters[0].Value = revision;
        using var reader = byId.ExecuteReader();
        if (!reader.Read())
        {
            throw Compacted(revision);
        }

        return new KeyValue(key, reader.GetFieldValue<byte[]>(2), reader.GetInt64(0), revision);
    }

    private void CheckReadable(long revision)
    {
        var compacted = _writer.CompactedRevision;
        if (revision < compacted)
        {
            throw Compacted(revision);
        }

        var current = _writer.CommittedRevision;
        if (revision > current)
        {
            throw new StorageException(StorageErrorCode.FutureRevision,
                $"revision {revision} is newer than the current revision {current}");
        }
    }

    private StorageException Compacted(long revision)
    {
        var compacted = _writer.CompactedRevision;
        return new StorageException(StorageErrorCode.Compacted,
            $"revision {revision} has been compacted; the oldest available is {compacted}")
        {
            CompactedRevision = compacted,
        };
    }

    private static void SetRange(SqliteCommand command, byte[] lo, byte[] after, byte[] hi, long revision)
    {
        command.Parameters[0].Value = lo;
        command.Parameters[1].Value = after;
        command.Parameters[2].Value = hi;
        command.Parameters[3].Value = revision;
    }

    /// <summary>Byte range of the keys under a prefix: UTF-8 never contains 0xFF, so prefix + 0xFF bounds it.</summary>
    private static (byte[] Lo, byte[] Hi) Range(string prefix)
    {
        var lo = Encoding.UTF8.GetBytes(prefix);
        var hi = new byte[lo.Length + 1];
        lo.CopyTo(hi, 0);
        hi[^1] = 0xFF;
        return (lo, hi);
    }
}
