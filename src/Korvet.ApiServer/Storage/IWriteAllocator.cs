using System.Text.Json.Nodes;
using Korvet.ApiServer.Registry;
using Korvet.Storage;

namespace Korvet.ApiServer.Storage;

/// <summary>
/// Fills cluster-wide unique values (service IPs, node ports) into an object about to be written, after validation
/// and before the backend write. The returned lease must be held until the write has finished or failed: that is what
/// makes concurrent writes see each other's values, because the allocator derives the used set from stored objects.
/// </summary>
public interface IWriteAllocator
{
    bool Handles(ResourceDefinition resource);

    /// <summary>
    /// Allocates into <paramref name="obj"/> (<paramref name="old"/> is null on create). Throws a
    /// <see cref="Errors.StatusException"/> (422 for a taken or out-of-range request, 500 when a range is full).
    /// </summary>
    Task<IDisposable> AllocateAsync(IBackend backend, ResourceDefinition resource, string key, JsonObject obj, JsonObject? old,
        CancellationToken cancellationToken);
}
