using System.Text;
using Korvet.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace Korvet.Storage.Tests.Sqlite;

public sealed class SqliteDurabilityTests : IDisposable
{
    private readonly SqliteTestDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Every_acknowledged_write_survives_kill_minus_9_of_the_writing_process()
    {
        // Several rounds on one file: each kill lands at a random point of the group-commit cycle, and each
        // restart must also recover a file left by a killed process.
        for (var round = 0; round < 3; round++)
        {
            var prefix = $"/crash/{round}/";
            using var writer = CrashWriterProcess.Write(_directory.DatabasePath, writers: 64, prefix);
            await writer.ReadyAsync();
            var deadline = DateTime.UtcNow.AddSeconds(30);
            var target = 1000 + Random.Shared.Next(2000);
            while (writer.LineCount < target && DateTime.UtcNow < deadline)
            {
                await Task.Delay(Random.Shared.Next(1, 10));
            }

            var acknowledged = (await writer.KillAsync()).Select(line => line.Split(' ')).ToList();

            Assert.True(acknowledged.Count >= target, $"only {acknowledged.Count} writes were acknowledged before the kill");
            await using var backend = await _directory.OpenAsync();
            var current = await backend.CurrentRevisionAsync();
            foreach (var ack in acknowledged)
            {
                var revision = long.Parse(ack[0]);
                var item = await backend.GetAsync(ack[1]);
                Assert.True(item is not null, $"round {round}: acknowledged key {ack[1]} at revision {revision} was lost");
                Assert.Equal(revision, item.ModRevision);
                Assert.Equal("value of " + ack[1], Encoding.UTF8.GetString(item.Value));
            }

            Assert.True(current >= acknowledged.Max(a => long.Parse(a[0])));
            Assert.True(await backend.CreateAsync($"/after/restart/{round}", [1]) > current);
        }
    }

    [Fact]
    public async Task A_file_of_random_bytes_fails_to_open_with_a_clear_corrupt_error()
    {
        var garbage = new byte[64 * 1024];
        new Random(3).NextBytes(garbage);
        await File.WriteAllBytesAsync(_directory.DatabasePath, garbage);

        var error = await Assert.ThrowsAsync<StorageException>(() => _directory.OpenAsync());

        Assert.Equal(StorageErrorCode.Corrupt, error.Code);
        Assert.Contains(_directory.DatabasePath, error.Message);
        Assert.Contains("is not a Korvet database or is corrupt", error.Message);
    }

    [Fact]
    public async Task Another_applications_sqlite_file_is_refused()
    {
        using (var connection = new SqliteConnection($"Data Source={_directory.DatabasePath};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE other (x INTEGER)";
            command.ExecuteNonQuery();
        }

        var error = await Assert.ThrowsAsync<StorageException>(() => _directory.OpenAsync());

        Assert.Equal(StorageErrorCode.Corrupt, error.Code);
        Assert.Contains("is not a Korvet database", error.Message);
    }

    [Fact]
    public async Task A_database_held_by_another_process_fails_to_open_with_a_clear_locked_error()
    {
        using var holder = CrashWriterProcess.Hold(_directory.DatabasePath);
        await holder.ReadyAsync();

        var error = await Assert.ThrowsAsync<StorageException>(() => _directory.OpenAsync());

        Assert.Equal(StorageErrorCode.Corrupt, error.Code);
        Assert.Contains($"{_directory.DatabasePath} is locked by another process", error.Message);
        await holder.KillAsync();
        await using var backend = await _directory.OpenAsync();
        Assert.Equal(0, await backend.CurrentRevisionAsync());
    }

    [Fact]
    public async Task A_database_with_a_foreign_exclusive_lock_fails_to_open_with_a_clear_locked_error()
    {
        await (await _directory.OpenAsync()).DisposeAsync();
        using var connection = new SqliteConnection($"Data Source={_directory.DatabasePath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "BEGIN EXCLUSIVE";
        command.ExecuteNonQuery();

        var error = await Assert.ThrowsAsync<StorageException>(() => _directory.OpenAsync());

        Assert.Equal(StorageErrorCode.Corrupt, error.Code);
        Assert.Contains("is locked by another process", error.Message);
    }

    [Fact]
    public async Task A_path_that_is_a_directory_fails_to_open_with_a_clear_error()
    {
        Directory.CreateDirectory(_directory.DatabasePath);

        var error = await Assert.ThrowsAsync<StorageException>(() => _directory.OpenAsync());

        Assert.Equal(StorageErrorCode.Corrupt, error.Code);
        Assert.Contains($"{_directory.DatabasePath} cannot be opened", error.Message);
    }

    [Fact]
    public async Task A_second_backend_on_the_same_file_in_one_process_is_refused()
    {
        await using var first = await _directory.OpenAsync();

        var error = await Assert.ThrowsAsync<StorageException>(() => SqliteBackend.OpenAsync(_directory.Options()));

        Assert.Contains("is locked by another process", error.Message);
    }
}
