using System.Globalization;
using Korvet.Api.Apps.V1;
using Korvet.Api.Core.V1;
using Korvet.Api.Meta.V1;
using Korvet.Client;
using Korvet.Controllers.ReplicaSets;

namespace Korvet.Controllers.StatefulSets;

/// <summary>
/// A StatefulSet pod's identity and state, as upstream's stateful_set_utils.go: the pod of ordinal i is
/// "&lt;set&gt;-&lt;i&gt;" with hostname = its name and subdomain = spec.serviceName, labels
/// <c>statefulset.kubernetes.io/pod-name</c>, <c>apps.kubernetes.io/pod-index</c> and <c>controller-revision-hash</c>
/// (the ControllerRevision's name), and one PVC per claim template named "&lt;claim&gt;-&lt;set&gt;-&lt;i&gt;". Pure.
/// </summary>
public static class StatefulPods
{
    public const string PodNameLabel = "statefulset.kubernetes.io/pod-name";
    public const string PodIndexLabel = "apps.kubernetes.io/pod-index";
    public const string RevisionLabel = "controller-revision-hash";

    /// <summary>getParentNameAndOrdinal: "(.*)-([0-9]+)$"; ("", -1) when the name has no ordinal.</summary>
    public static (string Parent, int Ordinal) ParentAndOrdinal(string? podName)
    {
        if (string.IsNullOrEmpty(podName))
        {
            return ("", -1);
        }

        int dash = podName.LastIndexOf('-');
        if (dash < 0 || dash == podName.Length - 1)
        {
            return ("", -1);
        }

        ReadOnlySpan<char> digits = podName.AsSpan(dash + 1);
        foreach (char c in digits)
        {
            if (c is < '0' or > '9')
            {
                return ("", -1);
            }
        }

        // The regex matches any digits; an ordinal that does not fit an int32 leaves the parent but ordinal -1.
        return int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out int ordinal)
            ? (podName[..dash], ordinal)
            : (podName[..dash], -1);
    }

    public static int Ordinal(Pod pod) => ParentAndOrdinal(pod.Metadata?.Name).Ordinal;

    public static string PodName(string setName, int ordinal) => $"{setName}-{ordinal.ToString(CultureInfo.InvariantCulture)}";

    public static string ClaimName(string claimTemplateName, string setName, int ordinal) =>
        $"{claimTemplateName}-{setName}-{ordinal.ToString(CultureInfo.InvariantCulture)}";

    public static int StartOrdinal(StatefulSet set) => set.Spec?.Ordinals?.Start ?? 0;

    public static int Replicas(StatefulSet set) => set.Spec?.Replicas ?? 1;

    /// <summary>Inclusive last ordinal of the set's range.</summary>
    public static int EndOrdinal(StatefulSet set) => StartOrdinal(set) + Replicas(set) - 1;

    public static bool InOrdinalRange(Pod pod, StatefulSet set)
    {
        int ordinal = Ordinal(pod);
        return ordinal >= StartOrdinal(set) && ordinal <= EndOrdinal(set);
    }

    /// <summary>isMemberOf: the pod's name says it belongs to the set (the claim filter on top of the selector).</summary>
    public static bool IsMemberOf(StatefulSet set, Pod pod) => ParentAndOrdinal(pod.Metadata?.Name).Parent == set.Metadata?.Name;

    /// <summary>identityMatches: name, namespace and the pod-name label agree with the ordinal.</summary>
    public static bool IdentityMatches(StatefulSet set, Pod pod)
    {
        (string parent, int ordinal) = ParentAndOrdinal(pod.Metadata?.Name);
        return ordinal >= 0 && parent == set.Metadata?.Name && pod.Metadata?.Namespace == set.Metadata?.Namespace &&
               pod.Metadata?.Labels?.GetValueOrDefault(PodNameLabel) == pod.Metadata?.Name;
    }

    public static string Revision(Pod pod) => pod.Metadata?.Labels?.GetValueOrDefault(RevisionLabel) ?? "";

    public static bool IsCreated(Pod pod) => !string.IsNullOrEmpty(pod.Status?.Phase);

    public static bool IsPending(Pod pod) => pod.Status?.Phase == "Pending";

    public static bool IsFailed(Pod pod) => pod.Status?.Phase == "Failed";

    public static bool IsSucceeded(Pod pod) => pod.Status?.Phase == "Succeeded";

    public static bool IsTerminating(Pod pod) => pod.Metadata?.DeletionTimestamp is not null;

    public static bool IsRunningAndReady(Pod pod) => pod.Status?.Phase == "Running" && PodState.IsReady(pod);

    public static bool IsRunningAndAvailable(Pod pod, int minReadySeconds, DateTimeOffset now) => PodState.IsAvailable(pod, minReadySeconds, now);

    public static bool IsHealthy(Pod pod) => IsRunningAndReady(pod) && !IsTerminating(pod);

    /// <summary>
    /// newStatefulSetPod + setPodRevision: the template's labels/annotations/finalizers/spec, the identity (name,
    /// hostname, subdomain, identity labels), the claim volumes replacing template volumes of the same name, the revision
    /// label and the controller reference. Not yet created (no status).
    /// </summary>
    public static Pod NewPod(StatefulSet set, PodTemplateSpec template, int ordinal, string revision)
    {
        ObjectMeta owner = set.Metadata ?? new ObjectMeta();
        OwnerReference controllerRef = PodState.ControllerReference("apps/v1", "StatefulSet", owner);
        PodTemplateSpec copy = ObjectCopy.Clone(template);
        string name = PodName(owner.Name ?? "", ordinal);
        var labels = new Dictionary<string, string>(copy.Metadata?.Labels ?? [], StringComparer.Ordinal)
        {
            [PodNameLabel] = name,
            [PodIndexLabel] = ordinal.ToString(CultureInfo.InvariantCulture),
            [RevisionLabel] = revision,
        };
        PodSpec spec = copy.Spec ?? new PodSpec();
        spec.Hostname = name;
        spec.Subdomain = string.IsNullOrEmpty(set.Spec?.ServiceName) ? null : set.Spec!.ServiceName;
        var pod = new Pod
        {
            ApiVersion = "v1",
            Kind = "Pod",
            Metadata = new ObjectMeta
            {
                Name = name,
                Namespace = owner.Namespace,
                Labels = labels,
                Annotations = copy.Metadata?.Annotations,
                Finalizers = copy.Metadata?.Finalizers,
                OwnerReferences = [controllerRef],
            },
            Spec = spec,
        };
        UpdateStorage(set, pod, ordinal);
        return pod;
    }

    /// <summary>getPersistentVolumeClaims: template name → the claim for <paramref name="ordinal"/> (selector labels merged in).</summary>
    public static List<(string TemplateName, PersistentVolumeClaim Claim)> Claims(StatefulSet set, int ordinal)
    {
        var claims = new List<(string, PersistentVolumeClaim)>();
        foreach (PersistentVolumeClaim template in set.Spec?.VolumeClaimTemplates ?? [])
        {
            PersistentVolumeClaim claim = ObjectCopy.Clone(template);
            string templateName = template.Metadata?.Name ?? "";
            var labels = new Dictionary<string, string>(claim.Metadata?.Labels ?? [], StringComparer.Ordinal);
            foreach ((string key, string value) in set.Spec?.Selector?.MatchLabels ?? [])
            {
                labels[key] = value;
            }

            claim.ApiVersion = "v1";
            claim.Kind = "PersistentVolumeClaim";
            claim.Metadata = new ObjectMeta
            {
                Name = ClaimName(templateName, set.Metadata?.Name ?? "", ordinal),
                Namespace = set.Metadata?.Namespace,
                Labels = labels.Count > 0 ? labels : null,
                Annotations = claim.Metadata?.Annotations,
            };
            claim.Status = null;
            claims.Add((templateName, claim));
        }

        return claims;
    }

    /// <summary>storageMatches: every claim template is a volume of the pod pointing at the ordinal's claim.</summary>
    public static bool StorageMatches(StatefulSet set, Pod pod)
    {
        int ordinal = Ordinal(pod);
        if (ordinal < 0)
        {
            return false;
        }

        foreach ((string templateName, PersistentVolumeClaim claim) in Claims(set, ordinal))
        {
            Volume? volume = pod.Spec?.Volumes?.FirstOrDefault(v => v.Name == templateName);
            if (volume?.PersistentVolumeClaim?.ClaimName != claim.Metadata?.Name)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>updateStorage: claim volumes first (template order), then the pod's other volumes.</summary>
    private static void UpdateStorage(StatefulSet set, Pod pod, int ordinal)
    {
        List<(string TemplateName, PersistentVolumeClaim Claim)> claims = Claims(set, ordinal);
        if (claims.Count == 0)
        {
            return;
        }

        var volumes = claims.Select(c => new Volume
        {
            Name = c.TemplateName,
            PersistentVolumeClaim = new PersistentVolumeClaimVolumeSource { ClaimName = c.Claim.Metadata!.Name! },
        }).ToList();
        volumes.AddRange((pod.Spec!.Volumes ?? []).Where(v => claims.All(c => c.TemplateName != v.Name)));
        pod.Spec.Volumes = volumes;
    }
}
