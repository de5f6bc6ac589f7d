using System.Globalization;
using System.Text.Json.Nodes;
using Korvet.ApiServer.Errors;
using Korvet.ApiServer.Registry;
using Korvet.Storage;

namespace Korvet.ApiServer.Storage;

/// <summary>Update, patch and delete: read-modify-write over the backend's compare-and-swap.</summary>
public sealed partial class GenericStore
{
    /// <summary>
    /// PUT of the resource or its status subresource. With metadata.resourceVersion set, a stale version is a 409;
    /// without it the update is unconditional (retried on races). Absent objects are created where the strategy allows.
    /// </summary>
    public async Task<WriteResult> UpdateAsync(ResourceDefinition resource, string ns, string name, string subresource,
        JsonObject obj, WriteOptions options, CancellationToken cancellationToken)
    {
        JsonObject meta = PrepareTypeAndMeta(resource, obj);
        string bodyName = (string?)meta["name"] ?? "";
        if (bodyName != name)
        {
            throw StatusErrors.BadRequest($"the name of the object ({bodyName}) does not match the name on the URL ({name})");
        }

        if (resource.Namespaced && (string?)meta["namespace"] is { Length: > 0 } bodyNs && bodyNs != ns)
        {
            throw StatusErrors.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
        }

        string requestedRv = (string?)meta["resourceVersion"] ?? "";
        IResourceStrategy strategy = _strategies.For(resource);
        string key = KeyFor(resource, ns, name);
        for (int attempt = 0; ; attempt++)
        {
            KeyValue? current = await Call(() => _backend.GetAsync(key, 0, cancellationToken), resource, name);
            if (current is null)
            {
                if (strategy.AllowCreateOnUpdate && subresource.Length == 0 && requestedRv.Length == 0)
                {
                    return await CreateAsync(resource, ns, obj, options, cancellationToken);
                }

                throw StatusErrors.NotFound(resource, name);
            }

            if (requestedRv.Length > 0)
            {
                if (!long.TryParse(requestedRv, NumberStyles.None, CultureInfo.InvariantCulture, out long rv))
                {
                    throw StatusErrors.Invalid(resource, name,
                        [NameValidation.Invalid("metadata.resourceVersion", requestedRv, "must be a number")]);
                }

                if (rv != current.ModRevision)
                {
                    throw StatusErrors.StaleResourceVersion(resource, name);
                }
            }
            else if (!strategy.AllowUnconditionalUpdate)
            {
                throw StatusErrors.Invalid(resource, name,
                    [new StatusCause("FieldValueInvalid", "Invalid value: 0x0: must be specified for an update", "metadata.resourceVersion")]);
            }

            try
            {
                return await WriteUpdateAsync(resource, strategy, current, (JsonObject)obj.DeepClone(), subresource, options, cancellationToken);
            }
            catch (StorageException e) when (e.Code == StorageErrorCode.Conflict)
            {
                if (requestedRv.Length > 0 || attempt >= MaxPatchRetries)
                {
                    throw StatusErrors.StaleResourceVersion(resource, name);
                }
            }
        }
    }

    /// <summary>
    /// PATCH: read, apply through the patch seam, write with compare-and-swap; retried when another writer won. With
    /// <paramref name="served"/> (a structural version conversion whose served form the patch is written against) the
    /// live object is converted to the served form, patched there and converted back before the write, like upstream's
    /// patcher works on the request version.
    /// </summary>
    public async Task<WriteResult> PatchAsync(ResourceDefinition resource, string ns, string name, string subresource,
        string patchType, ReadOnlyMemory<byte> patch, WriteOptions options, CancellationToken cancellationToken,
        Conversion? served = null)
    {
        IResourceStrategy strategy = _strategies.For(resource);
        string key = KeyFor(resource, ns, name);
        for (int attempt = 0; ; attempt++)
        {
            KeyValue current = await GetLiveAsync(resource, key, name, cancellationToken);

            JsonObject currentObj = ParseStored(current.Value);
            ((JsonObject)currentObj["metadata"]!)["resourceVersion"] = current.ModRevision.ToString(CultureInfo.InvariantCulture);
            JsonObject patched = served is null
                ? _patcher.Apply(patchType, currentObj, patch, resource)
                : served.ToStorage(_patcher.Apply(patchType, served.ToServed(currentObj), patch, served.Served));
            JsonObject meta = PrepareTypeAndMeta(resource, patched);
            string patchedRv = (string?)meta["resourceVersion"] ?? "";
            if (patchedRv != current.ModRevision.ToString(CultureInfo.InvariantCulture))
            {
                throw StatusErrors.StaleResourceVersion(resource, name);
            }

            if ((string?)meta["name"] != name)
            {
                throw StatusErrors.BadRequest($"the name of the object ({(string?)meta["name"]}) does not match the name on the URL ({name})");
            }

            try
            {
                return await WriteUpdateAsync(resource, strategy, current, patched, subresource, options, cancellationToken);
            }
            catch (StorageException e) when (e.Code == StorageErrorCode.Conflict)
            {
                // Another writer won the compare-and-swap: re-read and re-apply the patch.
                if (attempt >= MaxPatchRetries)
                {
                    throw StatusErrors.StaleResourceVersion(resource, name);
                }
            }
        }
    }

    /// <summary>
    /// Upstream's rule for the managedFields of an update or patch result: when the request leaves them out (or sends
    /// an empty list) the live entries are kept, so clients that do not know the field (or, like controllers, cache
    /// objects without it) never erase them; a list holding one empty entry clears them. Returns true for the clear.
    /// </summary>
    private static bool KeepOrResetManagedFields(JsonObject resultMeta, JsonObject oldMeta)
    {
        JsonNode? requested = resultMeta["managedFields"];
        if (requested is JsonArray { Count: 1 } single && single[0] is JsonObject { Count: 0 })
        {
            resultMeta.Remove("managedFields");
            return true;
        }

        if (requested is null or JsonArray { Count: 0 })
        {
            resultMeta.Remove("managedFields");
            if (oldMeta["managedFields"] is JsonArray live)
            {
                resultMeta["managedFields"] = live.DeepClone();
            }
        }

        return false;
    }

    /// <summary>
    /// The shared tail of update and patch: keeps system fields, applies status-subresource rules, bumps generation on
    /// spec change, validates, stamps managedFields and writes with compare-and-swap against <paramref name="current"/>.
    /// Throws <see cref="StorageException"/> with <see cref="StorageErrorCode.Conflict"/> when the write lost a race.
    /// </summary>
    private async Task<WriteResult> WriteUpdateAsync(ResourceDefinition resource, IResourceStrategy strategy, KeyValue current,
        JsonObject obj, string subresource, WriteOptions options, CancellationToken cancellationToken)
    {
        JsonObject old = ParseStored(current.Value);
        var oldMeta = (JsonObject)old["metadata"]!;
        JsonObject result;
        if (subresource == "finalize")
        {
            // Namespaces' finalize subresource: only spec.finalizers changes.
            result = (JsonObject)old.DeepClone();
            var spec = result["spec"] as JsonObject ?? new JsonObject();
            result["spec"] = spec;
            spec["finalizers"] = obj["spec"]?["finalizers"]?.DeepClone() ?? new JsonArray();
            ((JsonObject)result["metadata"]!)["managedFields"] = ((JsonObject)obj["metadata"]!)["managedFields"]?.DeepClone();
        }
        else if (subresource == "status")
        {
            result = (JsonObject)old.DeepClone();
            JsonNode? status = obj["status"]?.DeepClone();
            if (status is null)
            {
                result.Remove("status");
            }
            else
            {
                result["status"] = status;
            }

            ((JsonObject)result["metadata"]!)["managedFields"] = ((JsonObject)obj["metadata"]!)["managedFields"]?.DeepClone();
        }
        else
        {
            result = obj;
            var meta = (JsonObject)result["metadata"]!;
            foreach (string field in new[] { "uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation", "namespace" })
            {
                JsonNode? kept = oldMeta[field]?.DeepClone();
                meta.Remove(field);
                if (kept is not null)
                {
                    meta[field] = kept;
                }
            }

            strategy.PrepareForUpdate(resource, result, old);
            if (strategy.TracksGeneration && SpecChanged(old, result))
            {
                meta["generation"] = ((long?)oldMeta["generation"] ?? 0) + 1;
            }
        }

        var resultMeta = (JsonObject)result["metadata"]!;
        resultMeta.Remove("resourceVersion");
        resultMeta.Remove("selfLink");
        bool resetManagedFields = KeepOrResetManagedFields(resultMeta, oldMeta);

        var causes = new List<StatusCause>(strategy.ValidateUpdate(resource, result, old));
        if (causes.Count > 0)
        {
            throw StatusErrors.Invalid(resource, (string?)resultMeta["name"] ?? "", causes);
        }

        string name = (string?)resultMeta["name"] ?? "";

        // Held until the backend write below has finished (see IWriteAllocator).
        using IDisposable? allocation = subresource.Length == 0
            ? await AllocateAsync(resource, current.Key, result, old, cancellationToken)
            : null;
        if (options.ManagedFields is { } applied)
        {
            // Server-side apply computed the managers itself; a new entry set counts as a change.
            if (applied.Count > 0)
            {
                resultMeta["managedFields"] = applied.DeepClone();
            }
            else
            {
                resultMeta.Remove("managedFields");
            }
        }

        if (options.ManagedFields is null && !resetManagedFields ? SameIgnoringManagedFields(old, result) : JsonNode.DeepEquals(old, result))
        {
            // Upstream skips no-op writes: the object and its resourceVersion stay as they are.
            return new WriteResult(200, ObjectBytes.WithResourceVersion(current.Value, current.ModRevision));
        }

        if (options.ManagedFields is null && !resetManagedFields)
        {
            StampManagedFields(resource, result, old, options, _time.GetUtcNow(), subresource);
        }

        byte[] bytes = ObjectBytes.Serialize(result);
        CheckSize(bytes);
        if (options.DryRun)
        {
            return new WriteResult(200, ObjectBytes.WithResourceVersion(bytes, current.ModRevision));
        }

        if (ShouldDeleteDuringUpdate(result, old))
        {
            // The last finalizer of an object being deleted is gone: the update completes the delete.
            DeleteResult deleted = await DeleteOrThrowAsync(resource, current.Key, current.ModRevision, name, cancellationToken);
            return new WriteResult(200, ObjectBytes.WithResourceVersion(bytes, deleted.Revision));
        }

        long revision;
        try
        {
            revision = await _backend.UpdateAsync(current.Key, bytes, current.ModRevision, 0, cancellationToken);
        }
        catch (StorageException e) when (e.Code == StorageErrorCode.Conflict)
        {
            throw;
        }
        catch (StorageException e)
        {
            throw MapStorage(e, resource, name);
        }

        return new WriteResult(200, ObjectBytes.WithResourceVersion(bytes, revision));
    }

    private async Task<DeleteResult> DeleteOrThrowAsync(ResourceDefinition resource, string key, long expected, string name,
        CancellationToken cancellationToken)
    {
        try
        {
            return await _backend.DeleteAsync(key, expected, cancellationToken);
        }
        catch (StorageException e) when (e.Code == StorageErrorCode.Conflict)
        {
            throw;
        }
        catch (StorageException e)
        {
            throw MapStorage(e, resource, name);
        }
    }

    /// <summary>
    /// Upstream's ShouldDeleteDuringUpdate: an update that removes the last finalizer of an object whose deletion has
    /// started (and is not a pending graceful deletion) removes the object. A namespace also needs an empty
    /// spec.finalizers (no other kind has that field).
    /// </summary>
    private static bool ShouldDeleteDuringUpdate(JsonObject updated, JsonObject old)
    {
        var meta = (JsonObject)updated["metadata"]!;
        return meta["deletionTimestamp"] is not null
            && meta["finalizers"] is not JsonArray { Count: > 0 }
            && old["metadata"]?["finalizers"] is JsonArray { Count: > 0 }
            && (meta["deletionGracePeriodSeconds"] is not JsonValue grace || !grace.TryGetValue(out long seconds) || seconds == 0)
            && updated["spec"]?["finalizers"] is not JsonArray { Count: > 0 };
    }

    /// <summary>True when anything outside metadata and status differs (upstream's generation rule).</summary>
    private static bool SpecChanged(JsonObject old, JsonObject updated)
    {
        foreach ((string key, JsonNode? value) in updated)
        {
            if (key is "metadata" or "status" or "kind" or "apiVersion")
            {
                continue;
            }

            if (!JsonNode.DeepEquals(old[key], value))
            {
                return true;
            }
        }

        foreach ((string key, _) in old)
        {
            if (key is not ("metadata" or "status" or "kind" or "apiVersion") && !updated.ContainsKey(key))
            {
                return true;
            }
        }

        return false;
    }

    private static bool SameIgnoringManagedFields(JsonObject old, JsonObject updated)
    {
        var a = (JsonObject)old.DeepClone();
        var b = (JsonObject)updated.DeepClone();
        ((JsonObject)a["metadata"]!).Remove("managedFields");
        ((JsonObject)b["metadata"]!).Remove("managedFields");
        return JsonNode.DeepEquals(a, b);
    }

    internal static JsonObject ParseStored(byte[] value)
    {
        if (JsonNode.Parse(value) is not JsonObject obj)
        {
            throw StatusErrors.Internal("stored object is not a JSON object");
        }

        if (obj["metadata"] is not JsonObject)
        {
            obj["metadata"] = new JsonObject();
        }

        return obj;
    }
}
