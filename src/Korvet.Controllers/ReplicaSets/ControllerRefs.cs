using System.Text.Json.Nodes;
using Korvet.Api;
using Korvet.Api.Meta.V1;
using Korvet.Client.Cache;

namespace Korvet.Controllers.ReplicaSets;

/// <summary>
/// Controller-reference bookkeeping shared by the workload controllers: the informer index of objects by their
/// controller's uid (and orphans by namespace), and the strategic-merge patches that adopt or release an object
/// (upstream's ControllerRefManager). The patches carry the object's uid so a replaced object is never touched.
/// </summary>
public static class ControllerRefs
{
    /// <summary>Index: controller uid → objects it controls.</summary>
    public const string ByControllerUid = "korvet.io/controller-uid";

    /// <summary>Index: namespace → objects without a controller.</summary>
    public const string OrphansByNamespace = "korvet.io/orphans";

    /// <summary>Adds both indexes once per store (several controllers share one informer).</summary>
    public static void EnsureIndexes<T>(Store<T> store)
        where T : class, IKubernetesObject
    {
        TryAdd(store, ByControllerUid, o => PodState.ControllerOf(o.Metadata)?.Uid is { Length: > 0 } uid ? [uid] : []);
        TryAdd(store, OrphansByNamespace, o => PodState.ControllerOf(o.Metadata) is null && o.Metadata?.Namespace is { } ns ? [ns] : []);
    }

    /// <summary>The objects controlled by <paramref name="uid"/> plus the orphans of <paramref name="ns"/>.</summary>
    public static List<T> Candidates<T>(Store<T> store, string uid, string ns)
        where T : class, IKubernetesObject => [.. store.ByIndex(ByControllerUid, uid), .. store.ByIndex(OrphansByNamespace, ns)];

    /// <summary>
    /// Upstream's ControllerRefManager.ClaimObjects for one owner: objects it controls that still match are claimed,
    /// those that stopped matching are released (unless the owner is being deleted), matching orphans not being deleted
    /// are adopted once <paramref name="canAdoptAsync"/> (a live re-read of the owner, asked at most once) agrees. An
    /// object that vanished meanwhile is skipped; other API errors do not stop the other objects, and the first is
    /// rethrown at the end (upstream aggregates them).
    /// </summary>
    /// <param name="owner">The owner's metadata (uid, deletionTimestamp, name for the controller reference).</param>
    /// <param name="patchAsync">Applies a strategic-merge patch (adopt or release) to an object and returns the result.</param>
    public static async Task<List<T>> ClaimAsync<T>(IEnumerable<T> candidates, ObjectMeta owner, string apiVersion, string kind,
        Func<T, bool> matches, Func<CancellationToken, Task<bool>> canAdoptAsync, Func<T, string, CancellationToken, Task<T>> patchAsync,
        CancellationToken ct)
        where T : class, IKubernetesObject
    {
        string uid = owner.Uid ?? "";
        bool deleting = owner.DeletionTimestamp is not null;
        bool? canAdopt = null;
        Exception? error = null;
        var claimed = new List<T>();
        foreach (T obj in candidates)
        {
            bool match = matches(obj);
            try
            {
                if (PodState.ControllerOf(obj.Metadata) is { } controller)
                {
                    if (controller.Uid != uid)
                    {
                        continue;
                    }

                    if (match)
                    {
                        claimed.Add(obj);
                    }
                    else if (!deleting)
                    {
                        await patchAsync(obj, ReleasePatch(uid, obj.Metadata?.Uid ?? ""), ct).ConfigureAwait(false);
                    }

                    continue;
                }

                if (deleting || !match || obj.Metadata?.DeletionTimestamp is not null)
                {
                    continue;
                }

                canAdopt ??= await canAdoptAsync(ct).ConfigureAwait(false);
                if (canAdopt == true)
                {
                    OwnerReference controllerRef = PodState.ControllerReference(apiVersion, kind, owner);
                    claimed.Add(await patchAsync(obj, AdoptPatch(controllerRef, obj.Metadata?.Uid ?? ""), ct).ConfigureAwait(false));
                }
            }
            catch (Korvet.Client.ApiException e) when (e.IsNotFound)
            {
                // Gone meanwhile: nothing to claim or release.
            }
            catch (Korvet.Client.ApiException e)
            {
                error ??= e;
            }
        }

        if (error is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
        }

        return claimed;
    }

    public static string AdoptPatch(OwnerReference controllerRef, string objectUid) => new JsonObject
    {
        ["metadata"] = new JsonObject
        {
            ["ownerReferences"] = new JsonArray(new JsonObject
            {
                ["apiVersion"] = controllerRef.ApiVersion,
                ["kind"] = controllerRef.Kind,
                ["name"] = controllerRef.Name,
                ["uid"] = controllerRef.Uid,
                ["controller"] = true,
                ["blockOwnerDeletion"] = true,
            }),
            ["uid"] = objectUid,
        },
    }.ToJsonString();

    public static string ReleasePatch(string ownerUid, string objectUid) => new JsonObject
    {
        ["metadata"] = new JsonObject
        {
            ["ownerReferences"] = new JsonArray(new JsonObject { ["$patch"] = "delete", ["uid"] = ownerUid }),
            ["uid"] = objectUid,
        },
    }.ToJsonString();

    private static void TryAdd<T>(Store<T> store, string name, Func<T, IEnumerable<string>> indexer)
        where T : class, IKubernetesObject
    {
        try
        {
            store.AddIndex(name, indexer);
        }
        catch (ArgumentException)
        {
            // Another controller sharing this informer added it already.
        }
    }
}
