using System.Globalization;
using System.Text.Json.Nodes;
using Korvet.ApiServer.Errors;
using Korvet.ApiServer.Registry;
using Korvet.Storage;

namespace Korvet.ApiServer.Storage;

/// <summary>Delete and deletecollection with preconditions, finalizers and propagation policies.</summary>
public sealed partial class GenericStore
{
    /// <summary>
    /// DELETE of one object. The propagation policy (or the kind's default) first sets the garbage-collection
    /// finalizers (<see cref="DeletionFinalizers"/>). A strategy may hold the object (namespaces); with a grace period
    /// it is marked gracefully; with finalizers it is only marked (deletionTimestamp, deletionGracePeriodSeconds 0) and
    /// returned and stays until its finalizers are removed. Otherwise it is removed and the answer is the deleted object
    /// or a success Status, per strategy.
    /// </summary>
    public async Task<WriteResult> DeleteAsync(ResourceDefinition resource, string ns, string name, DeleteRequest request,
        CancellationToken cancellationToken)
    {
        IResourceStrategy strategy = _strategies.For(resource);
        string key = KeyFor(resource, ns, name);
        for (int attempt = 0; ; attempt++)
        {
            KeyValue current = await GetLiveAsync(resource, key, name, cancellationToken);

            JsonObject obj = ParseStored(current.Value);
            var meta = (JsonObject)obj["metadata"]!;
            string uid = (string?)meta["uid"] ?? "";
            CheckPreconditions(resource, name, request, uid, current.ModRevision);

            var finalizers = (meta["finalizers"] as JsonArray ?? new JsonArray()).Select(f => (string?)f ?? "").ToList();
            bool alreadyDeleting = meta["deletionTimestamp"] is not null;

            // Options can change the garbage-collection finalizers only until deletion has started (upstream).
            IReadOnlyList<string> wanted = alreadyDeleting ? finalizers
                : DeletionFinalizers.ForDelete(finalizers, request.PropagationPolicy, strategy.DefaultGarbageCollectionPolicy);
            bool finalizersChanged = !ReferenceEquals(wanted, finalizers);
            if (finalizersChanged)
            {
                meta["finalizers"] = new JsonArray(wanted.Select(f => (JsonNode?)JsonValue.Create(f)).ToArray());
                if (wanted.Count == 0)
                {
                    meta.Remove("finalizers");
                }
            }

            try
            {
                if (strategy.HoldForTermination(obj))
                {
                    if (!alreadyDeleting)
                    {
                        meta["deletionTimestamp"] = Timestamps.Format(_time.GetUtcNow());
                    }

                    return await WriteMarkedAsync(current, obj, request.DryRun, cancellationToken);
                }

                long grace = strategy.GracePeriodSeconds(resource, obj, request.GracePeriodSeconds);
                if (grace > 0)
                {
                    return await MarkGracefulAsync(strategy, current, obj, grace, request.DryRun, cancellationToken);
                }

                if (wanted.Count > 0)
                {
                    if (!alreadyDeleting)
                    {
                        meta["deletionTimestamp"] = Timestamps.Format(_time.GetUtcNow());
                        meta["deletionGracePeriodSeconds"] = 0;
                        if (strategy.TracksGeneration)
                        {
                            meta["generation"] = ((long?)meta["generation"] ?? 0) + 1;
                        }
                    }

                    return await WriteMarkedAsync(current, obj, request.DryRun, cancellationToken);
                }

                long deleteRevision = current.ModRevision;
                if (!request.DryRun)
                {
                    deleteRevision = (await _backend.DeleteAsync(key, current.ModRevision, cancellationToken)).Revision;
                }

                return strategy.ReturnDeletedObject
                    ? new WriteResult(200, ObjectBytes.WithResourceVersion(current.Value, deleteRevision))
                    : new WriteResult(200, StatusJson.DeleteSuccess(name, resource.Group, resource.Plural, uid));
            }
            catch (StorageException e) when (e.Code == StorageErrorCode.Conflict && attempt < MaxPatchRetries)
            {
                // Changed between read and write: re-evaluate preconditions and finalizers on the new state.
            }
            catch (StorageException e) when (e.Code == StorageErrorCode.KeyNotFound)
            {
                throw StatusErrors.NotFound(resource, name);
            }
            catch (StorageException e)
            {
                throw MapStorage(e, resource, name);
            }
        }
    }

    /// <summary>DELETE of a collection: deletes every matching object and answers with the list of deleted objects.</summary>
    public async Task<(IReadOnlyList<byte[]> Items, long ResourceVersion)> DeleteCollectionAsync(ResourceDefinition resource,
        string ns, ListFilter filter, DeleteRequest request, CancellationToken cancellationToken)
    {
        ListPage page = await ListAsync(resource, ns, new ListRequest(filter), cancellationToken);
        var deleted = new List<byte[]>();
        foreach (StoredObject item in page.Items)
        {
            string itemNs = resource.Namespaced ? item.Key[resource.KeyPrefix.Length..item.Key.LastIndexOf('/')] : "";
            try
            {
                WriteResult result = await DeleteAsync(resource, itemNs, item.Name, request with
                {
                    PreconditionUid = null,
                    PreconditionResourceVersion = null,
                }, cancellationToken);
                deleted.Add(result.Body.Length > 0 && IsStatus(result.Body) ? item.Json : result.Body);
            }
            catch (StatusException e) when (e.Code == 404)
            {
                // Deleted concurrently: upstream skips it too.
            }
        }

        return (deleted, page.ResourceVersion);
    }

    /// <summary>Writes an object a delete only marked; an unchanged object is answered as stored, without a write.</summary>
    private async Task<WriteResult> WriteMarkedAsync(KeyValue current, JsonObject obj, bool dryRun, CancellationToken cancellationToken)
    {
        if (JsonNode.DeepEquals(obj, ParseStored(current.Value)))
        {
            return new WriteResult(200, ObjectBytes.WithResourceVersion(current.Value, current.ModRevision));
        }

        byte[] marked = ObjectBytes.Serialize(obj);
        if (dryRun)
        {
            return new WriteResult(200, ObjectBytes.WithResourceVersion(marked, current.ModRevision));
        }

        long revision = await _backend.UpdateAsync(current.Key, marked, current.ModRevision, 0, cancellationToken);
        return new WriteResult(200, ObjectBytes.WithResourceVersion(marked, revision));
    }

    /// <summary>Sets deletionTimestamp = now + grace (only ever shortening an earlier one) and keeps the object.</summary>
    private async Task<WriteResult> MarkGracefulAsync(IResourceStrategy strategy, KeyValue current,
        JsonObject obj, long grace, bool dryRun, CancellationToken cancellationToken)
    {
        var meta = (JsonObject)obj["metadata"]!;
        long? existing = meta["deletionGracePeriodSeconds"] is JsonValue v && v.TryGetValue(out long e) ? e : null;
        if (existing is { } previous && previous <= grace)
        {
            return new WriteResult(200, ObjectBytes.WithResourceVersion(current.Value, current.ModRevision));
        }

        meta["deletionTimestamp"] = Timestamps.Format(_time.GetUtcNow().AddSeconds(grace));
        meta["deletionGracePeriodSeconds"] = grace;
        if (strategy.TracksGeneration)
        {
            meta["generation"] = ((long?)meta["generation"] ?? 0) + 1;
        }

        byte[] marked = ObjectBytes.Serialize(obj);
        if (dryRun)
        {
            return new WriteResult(200, ObjectBytes.WithResourceVersion(marked, current.ModRevision));
        }

        long revision = await _backend.UpdateAsync(current.Key, marked, current.ModRevision, 0, cancellationToken);
        return new WriteResult(200, ObjectBytes.WithResourceVersion(marked, revision));
    }

    private static bool IsStatus(byte[] body) =>
        body.AsSpan().StartsWith("{\"kind\":\"Status\""u8);

    private static void CheckPreconditions(ResourceDefinition resource, string name, DeleteRequest request, string uid, long rv)
    {
        if (request.PreconditionUid is { Length: > 0 } wantUid && wantUid != uid)
        {
            throw StatusErrors.Conflict(resource, name,
                $"Precondition failed: UID in precondition: {wantUid}, UID in object meta: {uid}");
        }

        string actualRv = rv.ToString(CultureInfo.InvariantCulture);
        if (request.PreconditionResourceVersion is { Length: > 0 } wantRv && wantRv != actualRv)
        {
            throw StatusErrors.Conflict(resource, name,
                $"Precondition failed: ResourceVersion in precondition: {wantRv}, ResourceVersion in object meta: {actualRv}");
        }
    }
}
