using System.Globalization;
using Korvet.Api.Core.V1;

namespace Korvet.Controllers.ReplicaSets;

/// <summary>A pod and how many related (same-owner-family) active pods share its node.</summary>
public sealed record RankedPod(Pod Pod, int Rank);

/// <summary>
/// Upstream's ActivePodsWithRanks order (with LogarithmicScaleDown and PodDeletionCost on, as in 1.32): the pods that
/// sort first are deleted first. Unscheduled before scheduled; Pending before Unknown before Running; not ready before
/// ready; lower controller.kubernetes.io/pod-deletion-cost first; more doubled-up (higher rank) first; ready for a
/// shorter time (log2 buckets) first; more container restarts first; newer (log2 buckets) first; ties by uid.
/// </summary>
public sealed class PodDeletionOrder : IComparer<RankedPod>
{
    public const string DeletionCostAnnotation = "controller.kubernetes.io/pod-deletion-cost";

    private readonly DateTimeOffset _now;

    public PodDeletionOrder(DateTimeOffset now) => _now = now;

    public int Compare(RankedPod? x, RankedPod? y)
    {
        if (x is null || y is null)
        {
            return x is null ? (y is null ? 0 : -1) : 1;
        }

        return Less(x, y) ? -1 : Less(y, x) ? 1 : 0;
    }

    /// <summary>Orders pods for deletion and returns the first <paramref name="count"/>.</summary>
    public static List<Pod> PodsToDelete(IReadOnlyList<Pod> pods, IReadOnlyList<Pod> related, int count, DateTimeOffset now)
    {
        if (count >= pods.Count)
        {
            return [.. pods];
        }

        var onNode = new Dictionary<string, int>();
        foreach (Pod p in related.Where(PodState.IsActive))
        {
            string node = p.Spec?.NodeName ?? "";
            onNode[node] = onNode.GetValueOrDefault(node) + 1;
        }

        List<RankedPod> ranked = [.. pods.Select(p => new RankedPod(p, onNode.GetValueOrDefault(p.Spec?.NodeName ?? "")))];
        ranked.Sort(new PodDeletionOrder(now));
        return [.. ranked.Take(count).Select(r => r.Pod)];
    }

    private bool Less(RankedPod a, RankedPod b)
    {
        Pod pa = a.Pod;
        Pod pb = b.Pod;
        string nodeA = pa.Spec?.NodeName ?? "";
        string nodeB = pb.Spec?.NodeName ?? "";
        if (nodeA != nodeB && (nodeA.Length == 0 || nodeB.Length == 0))
        {
            return nodeA.Length == 0;
        }

        int phaseA = PhaseOrdinal(pa);
        int phaseB = PhaseOrdinal(pb);
        if (phaseA != phaseB)
        {
            return phaseA < phaseB;
        }

        bool readyA = PodState.IsReady(pa);
        bool readyB = PodState.IsReady(pb);
        if (readyA != readyB)
        {
            return !readyA;
        }

        int costA = DeletionCost(pa);
        int costB = DeletionCost(pb);
        if (costA != costB)
        {
            return costA < costB;
        }

        if (a.Rank != b.Rank)
        {
            return a.Rank > b.Rank;
        }

        if (readyA && readyB)
        {
            DateTimeOffset? ta = PodState.ReadyCondition(pa)?.LastTransitionTime?.Value;
            DateTimeOffset? tb = PodState.ReadyCondition(pb)?.LastTransitionTime?.Value;
            if (ta != tb)
            {
                return NewerFirst(ta, tb, pa, pb);
            }
        }

        int restartsA = MaxRestarts(pa);
        int restartsB = MaxRestarts(pb);
        if (restartsA != restartsB)
        {
            return restartsA > restartsB;
        }

        DateTimeOffset? ca = pa.Metadata?.CreationTimestamp?.Value;
        DateTimeOffset? cb = pb.Metadata?.CreationTimestamp?.Value;
        if (ca != cb)
        {
            return NewerFirst(ca, cb, pa, pb);
        }

        return false;
    }

    /// <summary>Empty time first, then the younger by whole log2 buckets of age (ns); same bucket: by uid.</summary>
    private bool NewerFirst(DateTimeOffset? a, DateTimeOffset? b, Pod pa, Pod pb)
    {
        if (a is null || b is null)
        {
            return a is null;
        }

        int diff = Bucket(a.Value) - Bucket(b.Value);
        if (diff == 0)
        {
            return string.CompareOrdinal(pa.Metadata?.Uid, pb.Metadata?.Uid) < 0;
        }

        return diff < 0;
    }

    private int Bucket(DateTimeOffset t)
    {
        double ns = (_now - t).Ticks * 100.0;
        return ns > 0 ? (int)Math.Log2(ns) : -1;
    }

    private static int PhaseOrdinal(Pod pod) => pod.Status?.Phase switch
    {
        "Pending" => 0,
        "Unknown" => 1,
        "Running" => 2,
        _ => 0,
    };

    private static int DeletionCost(Pod pod) =>
        pod.Metadata?.Annotations?.TryGetValue(DeletionCostAnnotation, out string? v) == true &&
        int.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int cost) ? cost : 0;

    private static int MaxRestarts(Pod pod) => pod.Status?.ContainerStatuses?.Select(s => s.RestartCount).DefaultIfEmpty(0).Max() ?? 0;
}
