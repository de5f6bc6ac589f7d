using Korvet.Api.Apps.V1;
using Deployment = Korvet.Api.Apps.V1.Deployment;

namespace Korvet.Controllers.Deployments;

/// <summary>A decision to set one ReplicaSet's spec.replicas.</summary>
public sealed record ScaleAction(ReplicaSet ReplicaSet, int Replicas);

/// <summary>
/// The decisions of upstream's rolling.go / sync.go as pure functions: which ReplicaSets to resize and to what. The
/// controller executes the returned actions; tests check them in tables. Inputs are never mutated.
/// </summary>
public static class ScalePlanner
{
    /// <summary>
    /// reconcileOldReplicaSets: how far the old sets may shrink without dropping below replicas - maxUnavailable
    /// available pods (counting the new set's not-yet-available pods as unavailable). First unhealthy old pods are
    /// removed (cleanupUnhealthyReplicas), then healthy ones oldest set first (scaleDownOldReplicaSetsForRollingUpdate).
    /// </summary>
    public static List<ScaleAction> ScaleDownOld(Deployment d, IReadOnlyList<ReplicaSet> activeOld, ReplicaSet newSet, IReadOnlyList<ReplicaSet> allSets)
    {
        var actions = new List<ScaleAction>();
        if (DeploymentMath.SpecReplicaSum(activeOld) == 0)
        {
            return actions;
        }

        int allPods = DeploymentMath.SpecReplicaSum(allSets);
        int minAvailable = DeploymentMath.Replicas(d) - DeploymentMath.MaxUnavailable(d);
        int newUnavailable = DeploymentMath.Replicas(newSet) - Available(newSet);
        int maxScaledDown = allPods - minAvailable - newUnavailable;
        if (maxScaledDown <= 0)
        {
            return actions;
        }

        // Sizes after each step, by uid; the old sets keep their status (availability is not changed by a resize).
        var sizes = activeOld.ToDictionary(Key, DeploymentMath.Replicas);
        int cleaned = 0;
        foreach (ReplicaSet rs in ReplicaSetOrder.Sorted(activeOld, ReplicaSetOrder.ByCreationTimestamp))
        {
            if (cleaned >= maxScaledDown)
            {
                break;
            }

            int size = sizes[Key(rs)];
            int available = Available(rs);
            if (size == 0 || size <= available)
            {
                continue;
            }

            int down = Math.Min(maxScaledDown - cleaned, size - available);
            sizes[Key(rs)] = size - down;
            cleaned += down;
        }

        int availablePods = activeOld.Sum(Available) + Available(newSet);
        if (availablePods > minAvailable)
        {
            int total = availablePods - minAvailable;
            int scaled = 0;
            foreach (ReplicaSet rs in ReplicaSetOrder.Sorted(activeOld, ReplicaSetOrder.ByCreationTimestamp))
            {
                if (scaled >= total)
                {
                    break;
                }

                int size = sizes[Key(rs)];
                if (size == 0)
                {
                    continue;
                }

                int down = Math.Min(size, total - scaled);
                sizes[Key(rs)] = size - down;
                scaled += down;
            }
        }

        foreach (ReplicaSet rs in activeOld)
        {
            if (sizes[Key(rs)] != DeploymentMath.Replicas(rs))
            {
                actions.Add(new ScaleAction(rs, sizes[Key(rs)]));
            }
        }

        return actions;
    }

    /// <summary>
    /// FindActiveOrLatest: the only active set, or (none active) the new set or else the newest old one; null when
    /// several sets are active.
    /// </summary>
    public static ReplicaSet? ActiveOrLatest(ReplicaSet? newSet, IReadOnlyList<ReplicaSet> oldSets)
    {
        if (newSet is null && oldSets.Count == 0)
        {
            return null;
        }

        List<ReplicaSet> newestFirst = ReplicaSetOrder.Sorted(oldSets, (a, b) => ReplicaSetOrder.ByCreationTimestamp(b, a));
        List<ReplicaSet> active = DeploymentMath.Active(newestFirst.Append(newSet));
        return active.Count switch
        {
            0 => newSet ?? newestFirst[0],
            1 => active[0],
            _ => null,
        };
    }

    /// <summary>
    /// DeploymentController.scale: a replicas change of the deployment (or of its surge) while sets are active. One active
    /// set takes the whole size; a saturated new set lets the old ones go to zero; otherwise (rolling) the change is
    /// spread over the active sets in proportion to their size, the leftover going to the largest (newest on
    /// scale-up, oldest on scale-down). Returns every set whose size or replica annotations need writing.
    /// </summary>
    public static List<ScaleAction> Proportional(Deployment d, ReplicaSet? newSet, IReadOnlyList<ReplicaSet> oldSets)
    {
        int replicas = DeploymentMath.Replicas(d);
        if (ActiveOrLatest(newSet, oldSets) is ReplicaSet only)
        {
            return DeploymentMath.Replicas(only) == replicas ? [] : [new ScaleAction(only, replicas)];
        }

        if (DeploymentMath.IsSaturated(d, newSet))
        {
            return [.. DeploymentMath.Active(oldSets).Select(rs => new ScaleAction(rs, 0))];
        }

        if (!DeploymentMath.IsRollingUpdate(d))
        {
            return [];
        }

        List<ReplicaSet> active = DeploymentMath.Active(oldSets.Append(newSet));
        int current = DeploymentMath.SpecReplicaSum(active);
        int allowed = replicas > 0 ? replicas + DeploymentMath.MaxSurge(d) : 0;
        int toAdd = allowed - current;
        if (toAdd > 0)
        {
            active.Sort(ReplicaSetOrder.BySizeNewer);
        }
        else if (toAdd < 0)
        {
            active.Sort(ReplicaSetOrder.BySizeOlder);
        }

        var sizes = new int[active.Count];
        int added = 0;
        for (int i = 0; i < active.Count; i++)
        {
            int proportion = toAdd != 0 ? DeploymentMath.Proportion(active[i], d, toAdd, added) : 0;
            sizes[i] = DeploymentMath.Replicas(active[i]) + proportion;
            added += proportion;
        }

        if (active.Count > 0 && toAdd != 0)
        {
            sizes[0] = Math.Max(0, sizes[0] + toAdd - added);
        }

        // Every active set is written: the size may be unchanged but the replica annotations must follow.
        return [.. active.Select((rs, i) => new ScaleAction(rs, sizes[i]))];
    }

    /// <summary>
    /// Available pods a set will keep: status.availableReplicas capped at spec.replicas. The status can lag a
    /// scale-down (pods already deleted, status not yet recounted); upstream reads it uncapped and may then scale
    /// down below minAvailable for a moment, or error out of cleanupUnhealthyReplicas.
    /// </summary>
    private static int Available(ReplicaSet rs) => Math.Min(rs.Status?.AvailableReplicas ?? 0, DeploymentMath.Replicas(rs));

    private static string Key(ReplicaSet rs) => rs.Metadata?.Uid ?? rs.Metadata?.Name ?? "";
}
