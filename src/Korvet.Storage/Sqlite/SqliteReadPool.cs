using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;

namespace Korvet.Storage.Sqlite;

/// <summary>
/// Read connections with their prepared statements. WAL lets them read concurrently with the writer and each
/// other; a statement reads one committed snapshot. Sessions are rented by one caller at a time.
/// </summary>
internal sealed class SqliteReadPool(SqliteBackendOptions options) : IDisposable
{
    private readonly ConcurrentBag<ReadSession> _idle = [];
    private readonly int _maxIdle = Math.Max(4, Environment.ProcessorCount * 2);
    private int _idleCount;
    private bool _disposed;

    public ReadSession Rent()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed), this);
        if (_idle.TryTake(out var session))
        {
            Interlocked.Decrement(ref _idleCount);
            return session;
        }

        return new ReadSession(SqliteSchema.Open(options.Path, options.FsyncEveryCommit, readOnly: true));
    }

    public void Return(ReadSession session)
    {
        if (Volatile.Read(ref _disposed) || Interlocked.Increment(ref _idleCount) > _maxIdle)
        {
            Interlocked.Decrement(ref _idleCount);
            session.Dispose();
            return;
        }

        _idle.Add(session);
    }

    public void Dispose()
    {
        Volatile.Write(ref _disposed, true);
        while (_idle.TryTake(out var session))
        {
            session.Dispose();
        }
    }
}

/// <summary>One read connection and its prepared statements (see <see cref="SqliteReadPool"/>).</summary>
internal sealed class ReadSession : IDisposable
{
    private const string Live = """
        l.name >= $lo AND l.name > $after AND l.name < $hi AND l.deleted = 0
        AND l.id = (SELECT max(m.id) FROM log AS m WHERE m.name = l.name AND m.id <= $rev)
        """;

    private readonly SqliteConnection _connection;

    public ReadSession(SqliteConnection connection)
    {
        _connection = connection;
        ById = Prepare("SELECT create_revision, deleted, value FROM log WHERE id = $id", "$id");
        AtRevision = Prepare("""
            SELECT id, create_revision, deleted, value FROM log
            WHERE name = $name AND id <= $rev ORDER BY id DESC LIMIT 1
            """, "$name", "$rev");
        ListPage = Prepare($"""
            SELECT l.name, l.id, l.create_revision, l.value FROM log AS l WHERE {Live} ORDER BY l.name LIMIT $limit
            """, "$lo", "$after", "$hi", "$rev", "$limit");
        CountLive = Prepare($"SELECT count(*) FROM log AS l WHERE {Live}", "$lo", "$after", "$hi", "$rev");
        // The unary + keeps SQLite on the rowid (revision) range instead of the name index.
        History = Prepare("""
            SELECT id, name, created, deleted, create_revision, prev_revision, value FROM log
            WHERE id >= $from AND id <= $to AND +name >= $lo AND +name < $hi ORDER BY id LIMIT $limit
            """, "$from", "$to", "$lo", "$hi", "$limit");
    }

    public SqliteCommand ById { get; }
    public SqliteCommand AtRevision { get; }
    public SqliteCommand ListPage { get; }
    public SqliteCommand CountLive { get; }
    public SqliteCommand History { get; }

    public void Dispose()
    {
        ById.Dispose();
        AtRevision.Dispose();
        ListPage.Dispose();
        CountLive.Dispose();
        History.Dispose();
        _connection.Dispose();
    }

    private SqliteCommand Prepare(string sql, params string[] parameters)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = parameter });
        }

        command.Prepare();
        return command;
    }
}
