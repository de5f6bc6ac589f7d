using Korvet.Storage;
using Korvet.Storage.Memory;

namespace Korvet.Server;

/// <summary>
/// Opens the datastore <c>korvet server</c> runs on. This is the one place that chooses a backend: today the in-memory
/// backend (state does not survive a restart); the SQLite backend under the data dir and the etcd backend for
/// <see cref="ServerOptions.DatastoreEndpoint"/> are wired in here when they land.
/// </summary>
public static class StorageFactory
{
    public static IBackend Open(ServerOptions options)
    {
        if (!string.IsNullOrEmpty(options.DatastoreEndpoint))
        {
            throw new NotSupportedException(
                $"--datastore-endpoint {options.DatastoreEndpoint}: the etcd backend is not available in this build");
        }

        return new MemoryBackend();
    }
}
