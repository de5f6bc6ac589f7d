using Korvet.Storage;
using Korvet.Storage.Etcd;
using Korvet.Storage.Sqlite;

namespace Korvet.Bench.Storage;

/// <summary>Opens the backends under test with their default production options.</summary>
public static class BackendFactory
{
    /// <summary>SQLite with the defaults <c>korvet server</c> uses for a data directory.</summary>
    public static async Task<IBackend> OpenSqliteAsync(string path) =>
        await SqliteBackend.OpenAsync(SqliteBackendOptions.ForPath(path));

    /// <summary>etcd through the same client code <c>--datastore-endpoint</c> uses.</summary>
    public static IBackend OpenEtcd(Uri endpoint) => new EtcdBackend(new EtcdBackendOptions([endpoint]));
}
