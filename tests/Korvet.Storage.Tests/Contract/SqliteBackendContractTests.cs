using Korvet.Storage.Sqlite;

namespace Korvet.Storage.Tests.Contract;

public sealed class SqliteBackendContractTests : BackendContractTests
{
    private readonly string _directory = Directory.CreateTempSubdirectory("korvet-sqlite-").FullName;

    protected override async Task<IBackend> CreateBackendAsync() =>
        await SqliteBackend.OpenAsync(new SqliteBackendOptions(Path.Combine(_directory, "korvet.db"),
            CompactInterval: TimeSpan.Zero, CompactRetainRevisions: 0, TtlSweepInterval: TimeSpan.FromMilliseconds(100)));

    protected override async Task DisposeBackendAsync(IBackend backend)
    {
        await backend.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }
}
