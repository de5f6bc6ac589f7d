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
