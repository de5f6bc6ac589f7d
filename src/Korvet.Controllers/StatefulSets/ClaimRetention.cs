using Korvet.Api.Apps.V1;
using Korvet.Api.Core.V1;
using Korvet.Api.Meta.V1;
using Korvet.Controllers.ReplicaSets;

namespace Korvet.Controllers.StatefulSets;

/// <summary>
/// persistentVolumeClaimRetentionPolicy as upstream (isClaimOwnerUpToDate / updateClaimOwnerRefForSetAndPod): the
/// claim's owner references say who the garbage collector deletes it with. Retain/Retain: none of ours; whenDeleted
/// Delete: the set (controller ref); whenScaled Delete: the pod once its ordinal is out of range (it goes with the pod).
/// A claim with a stale reference (our set's or pod's name, another uid) is never touched; with a foreign controller
/// (and a Delete policy) only our references are removed. Pure.
/// </summary>
public static class ClaimRetention
{
    public const string Retain = "Retain";
    public const string Delete = "Delete";

    public static bool IsRetainAll(StatefulSet set) =>
        (set.Spec?.PersistentVolumeClaimRetentionPolicy?.WhenDeleted ?? Retain) != Delete &&
        (set.Spec?.PersistentVolumeClaimRetentionPolicy?.WhenScaled ?? Retain) != Delete;

    /// <summary>The owner references the claim should have; null when it must be left alone.</summary>
    public static List<OwnerReference>? DesiredOwners(StatefulSet set, Pod pod, PersistentVolumeClaim claim)
    {
        List<OwnerReference> refs = claim.Metadata?.OwnerReferences ?? [];
        bool IsSet(OwnerReference r) => r is { ApiVersion: "apps/v1", Kind: "StatefulSet" } && r.Name == set.Metadata?.Name;
        bool IsPod(OwnerReference r) => r is { ApiVersion: "v1", Kind: "Pod" } && r.Name == pod.Metadata?.Name;
        if (refs.Any(r => (IsSet(r) && r.Uid != set.Metadata?.Uid) || (IsPod(r) && r.Uid != pod.Metadata?.Uid)))
        {
            return null;
        }

        string whenDeleted = set.Spec?.PersistentVolumeClaimRetentionPolicy?.WhenDeleted ?? Retain;
        string whenScaled = set.Spec?.PersistentVolumeClaimRetentionPolicy?.WhenScaled ?? Retain;
        bool retainAll = whenDeleted != Delete && whenScaled != Delete;
        bool foreignController = !retainAll && refs.Any(r => r.Controller == true && !IsSet(r) && !IsPod(r));
        List<OwnerReference> kept = [.. refs.Where(r => !IsSet(r) && !IsPod(r))];
        if (foreignController || retainAll)
        {
            return kept;
        }

        bool scaledDown = !StatefulPods.InOrdinalRange(pod, set);
        if (whenScaled == Delete && scaledDown)
        {
            kept.Add(PodState.ControllerReference("v1", "Pod", pod.Metadata ?? new ObjectMeta()));
        }
        else if (whenDeleted == Delete)
        {
            kept.Add(PodState.ControllerReference("apps/v1", "StatefulSet", set.Metadata ?? new ObjectMeta()));
        }

        return kept;
    }

    /// <summary>Whether two reference lists name the same owners with the same controller flags.</summary>
    public static bool SameOwners(IReadOnlyList<OwnerReference>? a, IReadOnlyList<OwnerReference>? b)
    {
        static string Key(OwnerReference r) => $"{r.Uid}/{r.Controller == true}";
        return (a ?? []).Select(Key).Order(StringComparer.Ordinal).SequenceEqual((b ?? []).Select(Key).Order(StringComparer.Ordinal), StringComparer.Ordinal);
    }
}
