using Microsoft.Data.Sqlite;

namespace Korvet.Storage.Sqlite;

/// <summary>
/// The on-disk layout, kine-style: one append-only log table whose row id is the revision. Every create, update
/// and delete appends a row; <c>prev_revision</c> points at the row it supersedes (0 for a first create), and the
/// UNIQUE index on (name, prev_revision) makes the database itself refuse two writes that supersede the same row.
/// </summary>
internal static class SqliteSchema
{
    /// <summary>"KRVT": marks a file as a Korvet database.</summary>
    public const int ApplicationId = 0x4B525654;

    public const int Version = 1;

    public const string CreateTables = """
        CREATE TABLE log (
            id INTEGER PRIMARY KEY,
            name BLOB NOT NULL,
            created INTEGER NOT NULL,
            deleted INTEGER NOT NULL,
            create_revision INTEGER NOT NULL,
            prev_revision INTEGER NOT NULL,
            expires_at INTEGER NOT NULL,
            value BLOB NOT NULL
        );
        CREATE UNIQUE INDEX log_name_prev ON log (name, prev_revision);
        CREATE INDEX log_name_id ON log (name, id, deleted);
        CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
        INSERT INTO meta (key, value) VALUES ('compact_revision', 0), ('compact_cursor', 0);
        """;

    public static SqliteConnection Open(string path, bool fsyncEveryCommit, bool readOnly)
    {
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = false,
            DefaultTimeout = 2, // seconds Microsoft.Data.Sqlite keeps retrying SQLITE_BUSY on top of busy_timeout
        };
        var connection = new SqliteConnection(builder.ToString());
        connection.Open();

        // Mapped pages count in the process's resident set once touched, and the log-structured table grows with every
        // revision until compaction: 64 MiB of mapping keeps hot pages fast without the whole file (168 MB with 30,000
        // pods) becoming part of the server's RSS; the rest is read through SQLite's page cache and the OS cache.
        Execute(connection, $"""
            PRAGMA busy_timeout = 1000;
            PRAGMA cache_size = -16384;
            PRAGMA mmap_size = 67108864;
            PRAGMA temp_store = MEMORY;
            {(readOnly ? "PRAGMA query_only = 1;" : $"PRAGMA synchronous = {(fsyncEveryCommit ? "FULL" : "NORMAL")}; PRAGMA journal_size_limit = 67108864;")}
            """);
        return connection;
    }

    /// <summary>Creates the schema in a new file or checks that an existing file is a Korvet database.</summary>
    public static void Initialize(SqliteConnection connection, string path)
    {
        var applicationId = Scalar(connection, "PRAGMA application_id");
        var tables = Scalar(connection, "SELECT count(*) FROM sqlite_master");
        if (applicationId == 0 && tables == 0)
        {
            Execute(connection, "PRAGMA auto_vacuum = INCREMENTAL");
            Execute(connection, "PRAGMA journal_mode = WAL");
            Execute(connection, "BEGIN IMMEDIATE;\n" + CreateTables +
                $"\nPRAGMA application_id = {ApplicationId};\nPRAGMA user_version = {Version};\nCOMMIT;");
            return;
        }

        if (applicationId != ApplicationId)
        {
            throw NotKorvet(path, null);
        }

        var version = Scalar(connection, "PRAGMA user_version");
        if (version != Version)
        {
            throw new StorageException(StorageErrorCode.Corrupt,
                $"{path} has Korvet schema version {version}; this build understands version {Version}");
        }

        Execute(connection, "PRAGMA journal_mode = WAL");
    }

    public static StorageException NotKorvet(string path, Exception? inner) =>
        new(StorageErrorCode.Corrupt, $"{path} is not a Korvet database or is corrupt", inner: inner);

    public static StorageException Locked(string path, Exception? inner) =>
        new(StorageErrorCode.Corrupt, $"{path} is locked by another process", inner: inner);

    /// <summary>Maps SQLite's startup failures to the clear errors of the contract.</summary>
    public static StorageException MapOpenError(string path, SqliteException error) => error.SqliteErrorCode switch
    {
        5 or 6 => Locked(path, error), // SQLITE_BUSY, SQLITE_LOCKED
        11 or 26 => NotKorvet(path, error), // SQLITE_CORRUPT, SQLITE_NOTADB
        _ => CannotOpen(path, error), // SQLITE_CANTOPEN, SQLITE_IOERR, SQLITE_PERM, SQLITE_READONLY, ...
    };

    public static StorageException CannotOpen(string path, Exception inner) =>
        new(StorageErrorCode.Corrupt, $"{path} cannot be opened: {inner.Message}", inner: inner);

    public static long Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar() is long value ? value : 0;
    }

    public static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
