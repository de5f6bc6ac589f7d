using System.Text;
using Microsoft.Data.Sqlite;

namespace Korvet.Storage.Sqlite;

/// <summary>The decisions of the writer, each run inside the group transaction (see <see cref="SqliteWriter"/>).</summary>
internal sealed partial class SqliteWriter
{
    // Boxed once: parameters are set for every row written.
    private static readonly object False = 0L;
    private static readonly object True = 1L;

    private static long NowMs => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    private long Create(WriteRequest request)
    {
        var found = Lookup(request.Key, out var state);
        if (found && !state.Deleted)
        {
            throw new StorageException(StorageErrorCode.KeyExists, $"key '{request.Key}' already exists",
                ReadRow(request.Key, state));
        }

        var revision = _next;
        var expires = ExpiresAt(request.TtlSeconds);
        Insert(revision, request.Name!, created: true, deleted: false, revision, found ? state.ModRevision : 0, expires,
            request.Value!);
        _pending[request.Key] = new KeyState(revision, revision, false, expires);
        _events.Add(new WatchEvent(WatchEventType.Put, new KeyValue(request.Key, request.Value!, revision, revision), null));
        return revision;
    }

    private long Update(WriteRequest request)
    {
        var live = Live(request.Key, out var state);
        if (state.ModRevision != request.Expected)
        {
            throw Conflict(request.Key, request.Expected, live);
        }

        var revision = _next;
        var expires = ExpiresAt(request.TtlSeconds);
        Insert(revision, request.Name!, created: false, deleted: false, state.CreateRevision, state.ModRevision, expires,
            request.Value!);
        _pending[request.Key] = new KeyState(revision, state.CreateRevision, false, expires);
        _events.Add(new WatchEvent(WatchEventType.Put,
            new KeyValue(request.Key, request.Value!, state.CreateRevision, revision), live));
        return revision;
    }

    private long Delete(string key, byte[] name, long expected, WriteRequest? request)
    {
        var live = Live(key, out var state);
        if (expected != 0 && state.ModRevision != expected)
        {
            throw Conflict(key, expected, live);
        }

        var revision = _next;
        Insert(revision, name, created: false, deleted: true, state.CreateRevision, state.ModRevision, 0, []);
        _pending[key] = new KeyState(revision, state.CreateRevision, true, 0);
        _events.Add(new WatchEvent(WatchEventType.Delete, new KeyValue(key, [], state.CreateRevision, revision), live));
        request?.Deleted = live;
        return revision;
    }

    private long Compact(long revision)
    {
        if (revision > _pendingCompacted)
        {
            SetMeta("compact_revision", revision);
            _pendingCompacted = revision;
        }

        return _pendingCompacted;
    }

    /// <summary>
    /// Removes the rows that rows in (cursor, compacted) supersede, and tombstones in that range. Reading at any
    /// revision &gt;= compacted needs neither: the newest row of each key below the marker survives (unless it is a
    /// tombstone), and so does the previous value of a change at the marker itself. Returns 1 while work remains.
    /// </summary>
    private long CompactStep()
    {
        var target = _compacted;
        if (_compactCursor >= target - 1)
        {
            return 0;
        }

        var scan = _commands.CompactScan;
        scan.Parameters[0].Value = _compactCursor;
        scan.Parameters[1].Value = target;
        scan.Parameters[2].Value = _options.CompactBatchSize;
        var rows = 0;
        var last = _compactCursor;
        using (var reader = scan.ExecuteReader())
        {
            while (reader.Read())
            {
                rows++;
                last = reader.GetInt64(0);
                var previous = reader.GetInt64(2);
                if (previous > 0)
                {
                    DeleteRow(previous);
                }

                if (reader.GetInt64(3) != 0)
                {
                    DeleteRow(last);
                    _removedTombstones.Add((Encoding.UTF8.GetString(reader.GetFieldValue<byte[]>(1)), last));
                }
            }
        }

        _compactCursor = rows < _options.CompactBatchSize ? target - 1 : last;
        SetMeta("compact_cursor", _compactCursor);
        return _compactCursor >= target - 1 ? 0 : 1;
    }

    /// <summary>Freed pages are reused by later writes anyway; this also shrinks the file after a large
    /// compaction, a few pages per step. Returns 1 while many free pages remain.</summary>
    private long Vacuum()
    {
        const int PagesPerStep = 256;
        if (SqliteSchema.Scalar(_connection, "PRAGMA freelist_count") <= PagesPerStep)
        {
            return 0;
        }

        SqliteSchema.Execute(_connection, $"PRAGMA incremental_vacuum({PagesPerStep})");
        return 1;
    }

    private long SweepExpired()
    {
        var now = NowMs;
        long swept = 0;
        foreach (var (key, expiresAt) in _expiring)
        {
            if (expiresAt > now || !Lookup(key, out var state) || state.Deleted || state.ExpiresAtMs != expiresAt)
            {
                continue;
            }

            Delete(key, Encoding.UTF8.GetBytes(key), 0, null);
            swept++;
        }

        return swept;
    }

    private bool Lookup(string key, out KeyState state) =>
        _pending.TryGetValue(key, out state) || Index.TryGetValue(key, out state);

    private KeyValue Live(string key, out KeyState state)
    {
        if (!Lookup(key, out state) || state.Deleted)
        {
            throw new StorageException(StorageErrorCode.KeyNotFound, $"key '{key}' not found");
        }

        return ReadRow(key, state);
    }

    /// <summary>Reads a key's newest row through the write connection, which sees this batch's own rows.</summary>
    private KeyValue ReadRow(string key, KeyState state)
    {
        var read = _commands.ReadValue;
        read.Parameters[0].Value = state.ModRevision;
        using var reader = read.ExecuteReader();
        if (!reader.Read())
        {
            throw new InvalidOperationException($"the index points key '{key}' at missing row {state.ModRevision}");
        }

        return new KeyValue(key, reader.GetFieldValue<byte[]>(0), state.CreateRevision, state.ModRevision);
    }

    private void Insert(long revision, byte[] name, bool created, bool deleted, long createRevision,
        long previousRevision, long expiresAt, byte[] value)
    {
        var parameters = _commands.Insert.Parameters;
        parameters[0].Value = revision;
        parameters[1].Value = name;
        parameters[2].Value = created ? True : False;
        parameters[3].Value = deleted ? True : False;
        parameters[4].Value = createRevision;
        parameters[5].Value = previousRevision;
        parameters[6].Value = expiresAt == 0 ? False : expiresAt;
        parameters[7].Value = value;
        _commands.Insert.ExecuteNonQuery();
        _next = revision + 1;
    }

    private void DeleteRow(long id)
    {
        _commands.DeleteRow.Parameters[0].Value = id;
        _commands.DeleteRow.ExecuteNonQuery();
    }

    private void SetMeta(string key, long value)
    {
        _commands.SetMeta.Parameters[0].Value = key;
        _commands.SetMeta.Parameters[1].Value = value;
        _commands.SetMeta.ExecuteNonQuery();
    }

    private static long ExpiresAt(long ttlSeconds) => ttlSeconds > 0 ? NowMs + (ttlSeconds * 1000) : 0;

    private static StorageException Conflict(string key, long expected, KeyValue live) =>
        new(StorageErrorCode.Conflict, $"key '{key}' is at revision {live.ModRevision}, not the expected {expected}",
            live);

    /// <summary>Restores the index, revision counters and TTLs from the file (at open).</summary>
    private void Load()
    {
        _compacted = MetaValue("compact_revision");
        _compactCursor = MetaValue("compact_cursor");
        _committed = Math.Max(SqliteSchema.Scalar(_connection, "SELECT coalesce(max(id), 0) FROM log"), _compacted);
        using var command = _connection.CreateCommand();
        command.CommandText =
            "SELECT name, max(id), create_revision, deleted, expires_at FROM log GROUP BY name";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var key = Encoding.UTF8.GetString(reader.GetFieldValue<byte[]>(0));
            var state = new KeyState(reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3) != 0, reader.GetInt64(4));
            Index[key] = state;
            if (!state.Deleted && state.ExpiresAtMs > 0)
            {
                _expiring[key] = state.ExpiresAtMs;
            }
        }

        _expiringCount = _expiring.Count;
    }

    private long MetaValue(string key)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT value FROM meta WHERE key = $key";
        command.Parameters.AddWithValue("$key", key);
        return command.ExecuteScalar() is long value ? value : 0;
    }

    /// <summary>The writer's prepared statements.</summary>
    private sealed class Commands : IDisposable
    {
        public Commands(SqliteConnection connection)
        {
            Begin = Prepare(connection, "BEGIN IMMEDIATE");
            Commit = Prepare(connection, "COMMIT");
            Rollback = Prepare(connection, "ROLLBACK");
            Insert = Prepare(connection, """
                INSERT INTO log (id, name, created, deleted, create_revision, prev_revision, expires_at, value)
                VALUES ($id, $name, $created, $deleted, $create, $prev, $expires, $value)
                """, "$id", "$name", "$created", "$deleted", "$create", "$prev", "$expires", "$value");
            ReadValue = Prepare(connection, "SELECT value FROM log WHERE id = $id", "$id");
            DeleteRow = Prepare(connection, "DELETE FROM log WHERE id = $id", "$id");
            SetMeta = Prepare(connection, "UPDATE meta SET value = $value WHERE key = $key", "$key", "$value");
            CompactScan = Prepare(connection, """
                SELECT id, name, prev_revision, deleted FROM log WHERE id > $cursor AND id < $target ORDER BY id LIMIT $n
                """, "$cursor", "$target", "$n");
        }

        public SqliteCommand Begin { get; }
        public SqliteCommand Commit { get; }
        public SqliteCommand Rollback { get; }
        public SqliteCommand Insert { get; }
        public SqliteCommand ReadValue { get; }
        public SqliteCommand DeleteRow { get; }
        public SqliteCommand SetMeta { get; }
        public SqliteCommand CompactScan { get; }

        public void Dispose()
        {
            foreach (var command in new[] { Begin, Commit, Rollback, Insert, ReadValue, DeleteRow, SetMeta, CompactScan })
            {
                command.Dispose();
            }
        }

        public static SqliteCommand Prepare(SqliteConnection connection, string sql, params string[] parameters)
        {
            var command = connection.CreateCommand();
            command.CommandText = sql;
            foreach (var parameter in parameters)
            {
                command.Parameters.Add(new SqliteParameter { ParameterName = parameter });
            }

            command.Prepare();
            return command;
        }
    }
}
