using Korvet.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace Korvet.Storage.Tests.Sqlite;

/// <summary>A temporary directory holding one test database; removed on dispose.</summary>
public sealed class SqliteTestDirectory : IDisposable
{
    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("korvet-sqlite-").FullName;

    public string DatabasePath => Path.Combine(Directory, "korvet.db");

    public SqliteBackendOptions Options(TimeSpan? compactInterval = null, long retain = 0) =>
        new(DatabasePath, compactInterval ?? TimeSpan.Zero, retain, TtlSweepInterval: TimeSpan.FromMilliseconds(100));

    public Task<SqliteBackend> OpenAsync(TimeSpan? compactInterval = null, long retain = 0) =>
        SqliteBackend.OpenAsync(Options(compactInterval, retain));

    /// <summary>Runs a scalar query on the database through a separate plain connection.</summary>
    public long Scalar(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)command.ExecuteScalar()!;
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
