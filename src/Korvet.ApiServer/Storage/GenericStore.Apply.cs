using System.Globalization;
using System.Text.Json.Nodes;
using Korvet.ApiServer.Errors;
using Korvet.ApiServer.Patching;
using Korvet.ApiServer.Registry;
using Korvet.Storage;

namespace Korvet.ApiServer.Storage;

/// <summary>Server-side apply: create-if-absent, then merge with field ownership (<see cref="ServerSideApply"/>).</summary>
public sealed partial class GenericStore
{
    /// <summary>
    /// PATCH with <c>application/apply-patch+yaml</c>. Creates the object when absent (main resource only); otherwise
    /// merges the configuration under the manager's ownership, retrying when another writer wins the race. With
    /// <paramref name="served"/> the configuration is in that conversion's served form: it is merged with the served
    /// form of the live object (managedFields recording the served apiVersion, as upstream records the version of the
    /// manager's request) and the result converted back.
    /// </summary>
    public async Task<WriteResult> ApplyAsync(ResourceDefinition resource, string ns, string name, string subresource,
        ReadOnlyMemory<byte> body, WriteOptions options, bool force, CancellationToken cancellationToken, Conversion? served = null)
    {
        ResourceDefinition applied = served?.Served ?? resource;
        JsonObject config = ServerSideApply.ParseConfiguration(body.Span, applied, name);
        string requestedRv = (string?)config["metadata"]?["resourceVersion"] ?? "";
        IResourceStrategy strategy = _strategies.For(resource);
        string key = KeyFor(resource, ns, name);
        for (int attempt = 0; ; attempt++)
        {
            KeyValue? current = await Call(() => _backend.GetAsync(key, 0, cancellationToken), resource, name);
            DateTimeOffset now = _time.GetUtcNow();
            if (current is null)
            {
                if (subresource.Length > 0 || requestedRv.Length > 0)
                {
                    throw StatusErrors.NotFound(resource, name);
                }

                JsonObject created = served is null ? (JsonObject)config.DeepClone() : served.ToStorage(config);
                JsonArray managed = _apply.ManagedFieldsForCreate(config, applied, options.FieldManager, now);
                try
                {
                    return await CreateAsync(resource, ns, created, options with { ManagedFields = managed }, cancellationToken);
                }
                catch (StatusException e) when (e.Code == 409 && attempt < MaxPatchRetries)
                {
                    continue;
                }
            }

            if (requestedRv.Length > 0 && requestedRv != current.ModRevision.ToString(CultureInfo.InvariantCulture))
            {
                throw StatusErrors.StaleResourceVersion(resource, name);
            }

            JsonObject live = ParseStored(current.Value);
            (JsonObject merged, JsonArray managedFields) = served is null
                ? _apply.Apply(live, config, resource, options.FieldManager, force, now)
                : _apply.Apply(served.ToServed(live), config, applied, options.FieldManager, force, now);
            if (served is not null)
            {
                merged = served.ToStorage(merged);
            }

            PrepareTypeAndMeta(resource, merged);
            try
            {
                return await WriteUpdateAsync(resource, strategy, current, merged, subresource,
                    options with { ManagedFields = managedFields }, cancellationToken);
            }
            catch (StorageException e) when (e.Code == StorageErrorCode.Conflict)
            {
                if (attempt >= MaxPatchRetries)
                {
                    throw StatusErrors.StaleResourceVersion(resource, name);
                }
            }
        }
    }
}
