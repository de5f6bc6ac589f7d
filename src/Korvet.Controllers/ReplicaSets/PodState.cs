using Korvet.Api.Core.V1;
using Korvet.Api.Meta.V1;

namespace Korvet.Controllers.ReplicaSets;

/// <summary>Upstream's podutil predicates (ready, available, active) and controller-ref lookup. Pure.</summary>
public static class PodState
{
    public static PodCondition? ReadyCondition(Pod pod) => pod.Status?.Conditions?.FirstOrDefault(c => c.Type == "Ready");

    public static bool IsReady(Pod pod) => ReadyCondition(pod)?.Status == "True";

    /// <summary>Ready for at least <paramref name="minReadySeconds"/> (strictly before now, as upstream).</summary>
    public static bool IsAvailable(Pod pod, int minReadySeconds, DateTimeOffset now)
    {
        if (ReadyCondition(pod) is not { Status: "True" } c)
        {
            return false;
        }

        return minReadySeconds == 0 ||
               (c.LastTransitionTime is Time t && t.Value.AddSeconds(minReadySeconds) < now);
    }

    /// <summary>FilterActivePods: not Succeeded, not Failed, not being deleted.</summary>
    public static bool IsActive(Pod pod) =>
        pod.Status?.Phase is not ("Succeeded" or "Failed") && pod.Metadata?.DeletionTimestamp is null;

    public static OwnerReference? ControllerOf(ObjectMeta? meta) => meta?.OwnerReferences?.FirstOrDefault(r => r.Controller == true);

    public static string Key(ObjectMeta? meta) => $"{meta?.Namespace}/{meta?.Name}";

    public static OwnerReference ControllerReference(string apiVersion, string kind, ObjectMeta owner) => new()
    {
        ApiVersion = apiVersion,
        Kind = kind,
        Name = owner.Name ?? "",
        Uid = owner.Uid ?? "",
        Controller = true,
        BlockOwnerDeletion = true,
    };
}
