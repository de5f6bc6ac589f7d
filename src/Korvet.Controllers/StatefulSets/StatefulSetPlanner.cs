using Korvet.Api.Apps.V1;
using Korvet.Api.Core.V1;

namespace Korvet.Controllers.StatefulSets;

/// <summary>What one sync does to one pod (upstream processReplica / processCondemned / the rolling-update loop).</summary>
public enum StepKind
{
    /// <summary>A Failed or Succeeded replica is deleted; the next sync creates it again.</summary>
    DeleteFailed,

    /// <summary>The replica's claims (if missing) and then the pod are created.</summary>
    CreatePod,

    /// <summary>A Pending replica gets any missing claim created.</summary>
    CreateClaims,

    /// <summary>A replica whose identity labels drifted is patched back.</summary>
    FixIdentity,

    /// <summary>A pod beyond the ordinal range is deleted (scale down).</summary>
    DeleteCondemned,

    /// <summary>A replica not at the update revision is deleted (rolling update); it comes back at the new revision.</summary>
    DeleteForUpdate,

    /// <summary>The pod's claims get the owner references the retention policy asks for.</summary>
    UpdateClaims,
}

public sealed record PlanStep(StepKind Kind, Pod Pod);

/// <summary>
/// One sync's actions in upstream's three phases. Monotonic (OrderedReady) plans end at the first step that blocks
/// (one create or delete, or waiting for a pod); Parallel plans hold every replica and condemned step. The executor runs
/// <see cref="Replicas"/>, then (unless <see cref="StopAfterReplicas"/>) <see cref="CondemnedClaims"/> and <see cref="Condemned"/>, then (unless
/// <see cref="StopAfterCondemned"/>) <see cref="Update"/>; any failed write ends the sync.
/// </summary>
public sealed record SyncPlan(
    bool Monotonic,
    IReadOnlyList<PlanStep> Replicas,
    bool StopAfterReplicas,
    IReadOnlyList<PlanStep> CondemnedClaims,
    IReadOnlyList<PlanStep> Condemned,
    bool StopAfterCondemned,
    PlanStep? Update,
    string? WaitingFor);

/// <summary>
/// Upstream's updateStatefulSet decisions (stateful_set_control.go, MaxUnavailableStatefulSet off), without the API
/// calls. The pods are the set's claimed pods; newPod builds a not-yet-created pod of an
/// ordinal at the right revision (newVersionedStatefulSetPod); claimsMatch says whether a created pod's claims have the
/// owner references the retention policy wants (null: always). Pure.
/// </summary>
public static class StatefulSetPlanner
{
    public static SyncPlan Plan(StatefulSet set, IReadOnlyList<Pod> pods, string updateRevision, Func<int, Pod> newPod, DateTimeOffset now,
        Func<Pod, bool>? claimsMatch = null)
    {
        claimsMatch ??= _ => true;
        (Pod[] replicas, List<Pod> condemned) = Partition(set, pods, newPod);
        bool monotonic = set.Spec?.PodManagementPolicy != "Parallel";
        int minReady = set.Spec?.MinReadySeconds ?? 0;
        Pod? firstUnhealthy = replicas.FirstOrDefault(p => !StatefulPods.IsHealthy(p)) ??
                              condemned.AsEnumerable().Reverse().FirstOrDefault(p => !StatefulPods.IsHealthy(p));

        var replicaSteps = new List<PlanStep>();
        string? waiting = null;
        bool stop = false;
        foreach (Pod pod in replicas)
        {
            if (ProcessReplica(set, pod, monotonic, minReady, now, claimsMatch, replicaSteps, ref waiting) && monotonic)
            {
                stop = true;
                break;
            }
        }

        if (stop)
        {
            return new SyncPlan(monotonic, replicaSteps, true, [], [], true, null, waiting);
        }

        List<PlanStep> claimSteps = [.. condemned.Where(p => !claimsMatch(p)).Select(p => new PlanStep(StepKind.UpdateClaims, p))];
        var condemnedSteps = new List<PlanStep>();
        foreach (Pod pod in condemned)
        {
            if (ProcessCondemned(pod, firstUnhealthy, monotonic, minReady, now, condemnedSteps, ref waiting) && monotonic)
            {
                stop = true;
                break;
            }
        }

        if (stop || set.Spec?.UpdateStrategy?.Type == "OnDelete")
        {
            return new SyncPlan(monotonic, replicaSteps, false, claimSteps, condemnedSteps, true, null, waiting);
        }

        int updateMin = set.Spec?.UpdateStrategy?.RollingUpdate?.Partition ?? 0;
        for (int target = replicas.Length - 1; target >= updateMin; target--)
        {
            Pod pod = replicas[target];
            if (StatefulPods.Revision(pod) != updateRevision && !StatefulPods.IsTerminating(pod))
            {
                return new SyncPlan(monotonic, replicaSteps, false, claimSteps, condemnedSteps, false, new PlanStep(StepKind.DeleteForUpdate, pod), waiting);
            }

            if (!StatefulPods.IsHealthy(pod))
            {
                waiting ??= $"pod {pod.Metadata?.Name} to be updated";
                break;
            }
        }

        return new SyncPlan(monotonic, replicaSteps, false, claimSteps, condemnedSteps, false, null, waiting);
    }

    /// <summary>Replicas indexed by ordinal − start (missing ones built by <paramref name="newPod"/>); condemned descending.</summary>
    public static (Pod[] Replicas, List<Pod> Condemned) Partition(StatefulSet set, IReadOnlyList<Pod> pods, Func<int, Pod> newPod)
    {
        int start = StatefulPods.StartOrdinal(set);
        var replicas = new Pod[Math.Max(0, StatefulPods.Replicas(set))];
        var condemned = new List<Pod>();
        foreach (Pod pod in pods)
        {
            int ordinal = StatefulPods.Ordinal(pod);
            if (StatefulPods.InOrdinalRange(pod, set))
            {
                replicas[ordinal - start] = pod;
            }
            else if (ordinal >= 0)
            {
                condemned.Add(pod);
            }
        }

        for (int i = 0; i < replicas.Length; i++)
        {
            replicas[i] ??= newPod(start + i);
        }

        condemned.Sort((a, b) => StatefulPods.Ordinal(b).CompareTo(StatefulPods.Ordinal(a)));
        return (replicas, condemned);
    }

    /// <summary>processReplica: adds this replica's steps; true when a monotonic sync must stop here.</summary>
    private static bool ProcessReplica(StatefulSet set, Pod pod, bool monotonic, int minReady, DateTimeOffset now, Func<Pod, bool> claimsMatch,
        List<PlanStep> steps, ref string? waiting)
    {
        string name = pod.Metadata?.Name ?? "";
        if (StatefulPods.IsFailed(pod) || StatefulPods.IsSucceeded(pod))
        {
            if (!StatefulPods.IsTerminating(pod))
            {
                steps.Add(new PlanStep(StepKind.DeleteFailed, pod));
            }

            waiting ??= $"failed pod {name} to be replaced";
            return true;
        }

        if (!StatefulPods.IsCreated(pod))
        {
            steps.Add(new PlanStep(StepKind.CreatePod, pod));
            waiting ??= monotonic ? $"pod {name} to be Running and Ready" : null;
            return true;
        }

        if (StatefulPods.IsPending(pod) && (set.Spec?.VolumeClaimTemplates?.Count ?? 0) > 0)
        {
            steps.Add(new PlanStep(StepKind.CreateClaims, pod));
        }

        if (monotonic && StatefulPods.IsTerminating(pod))
        {
            waiting ??= $"pod {name} to terminate";
            return true;
        }

        if (monotonic && (!StatefulPods.IsRunningAndReady(pod) || !StatefulPods.IsRunningAndAvailable(pod, minReady, now)))
        {
            waiting ??= $"pod {name} to be Running and Ready";
            return true;
        }

        if (!StatefulPods.IdentityMatches(set, pod))
        {
            steps.Add(new PlanStep(StepKind.FixIdentity, pod));
        }

        if (!claimsMatch(pod))
        {
            steps.Add(new PlanStep(StepKind.UpdateClaims, pod));
        }

        return false;
    }

    /// <summary>processCondemned: adds the scale-down delete; true when a monotonic sync must stop here.</summary>
    private static bool ProcessCondemned(Pod pod, Pod? firstUnhealthy, bool monotonic, int minReady, DateTimeOffset now, List<PlanStep> steps, ref string? waiting)
    {
        if (StatefulPods.IsTerminating(pod))
        {
            waiting ??= monotonic ? $"pod {pod.Metadata?.Name} to terminate" : null;
            return true;
        }

        bool healthy = StatefulPods.IsRunningAndReady(pod) && StatefulPods.IsRunningAndAvailable(pod, minReady, now);
        if (monotonic && !healthy && !ReferenceEquals(pod, firstUnhealthy))
        {
            waiting ??= $"pod {firstUnhealthy?.Metadata?.Name} to be Running and Ready before scaling down";
            return true;
        }

        steps.Add(new PlanStep(StepKind.DeleteCondemned, pod));
        return true;
    }
}
