using Korvet.Storage;
using Korvet.Storage.Etcd;
using Korvet.Storage.Sqlite;

namespace Korvet.Server;

/// <summary>
/// Opens the datastore <c>korvet server</c> runs on, the one place that chooses a backend: an etcd cluster when
/// <see cref="ServerOptions.DatastoreEndpoint"/> is given (<c>etcd://host:port[,host:port...]</c>, plaintext HTTP/2),
/// otherwise the embedded SQLite database at <c>DIR/db/state.db</c> (k3s's path).
/// </summary>
public static class StorageFactory
{
    public static async Task<IBackend> OpenAsync(ServerOptions options, CancellationToken cancellationToken)
    {
        if (!string.IsNullOrEmpty(options.DatastoreEndpoint))
        {
            return new EtcdBackend(new EtcdBackendOptions(ParseEtcdEndpoints(options.DatastoreEndpoint)));
        }

        string path = Path.Combine(options.DataDir, "db", "state.db");
        return await SqliteBackend.OpenAsync(SqliteBackendOptions.ForPath(path), cancellationToken);
    }

    /// <summary>Parses <c>etcd://a:2379,b:2379</c> (also <c>http://</c> URLs) into member client URLs.</summary>
    public static IReadOnlyList<Uri> ParseEtcdEndpoints(string endpoint)
    {
        var result = new List<Uri>();
        foreach (string part in endpoint.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string hostPort = part;
            foreach (string scheme in new[] { "etcd://", "http://" })
            {
                if (hostPort.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
                {
                    hostPort = hostPort[scheme.Length..];
                }
            }

            if (hostPort.Contains("://", StringComparison.Ordinal) || !Uri.TryCreate("http://" + hostPort.TrimEnd('/') + "/", UriKind.Absolute, out Uri? uri))
            {
                throw new NotSupportedException($"--datastore-endpoint {endpoint}: expected etcd://host:port[,host:port...]");
            }

            result.Add(uri);
        }

        if (result.Count == 0)
        {
            throw new NotSupportedException($"--datastore-endpoint {endpoint}: no endpoints");
        }

        return result;
    }
}
