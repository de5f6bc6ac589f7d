using Korvet.Api.Apps.V1;
using Korvet.Api.Core.V1;

namespace Korvet.Controllers.StatefulSets;

/// <summary>Upstream's status computation (computeReplicaStatus, completeRollingUpdate, inconsistentStatus). Pure.</summary>
public static class StatefulSetStatusMath
{
    /// <summary>
    /// Counts over the set's pods: replicas = created pods, ready = Running+Ready, available = ready for
    /// minReadySeconds, current/updated = created, not terminating pods at the current/update revision.
    /// </summary>
    public static StatefulSetStatus Compute(StatefulSet set, IEnumerable<Pod> pods, string currentRevision, string updateRevision,
        int collisionCount, DateTimeOffset now)
    {
        int minReady = set.Spec?.MinReadySeconds ?? 0;
        var status = new StatefulSetStatus
        {
            ObservedGeneration = set.Metadata?.Generation ?? 0,
            CurrentRevision = currentRevision,
            UpdateRevision = updateRevision,
            CollisionCount = collisionCount,
            ReadyReplicas = 0,
            CurrentReplicas = 0,
            UpdatedReplicas = 0,
        };
        foreach (Pod pod in pods)
        {
            if (StatefulPods.IsCreated(pod))
            {
                status.Replicas++;
            }

            if (StatefulPods.IsRunningAndReady(pod))
            {
                status.ReadyReplicas++;
                if (StatefulPods.IsRunningAndAvailable(pod, minReady, now))
                {
                    status.AvailableReplicas++;
                }
            }

            if (StatefulPods.IsCreated(pod) && !StatefulPods.IsTerminating(pod))
            {
                string revision = StatefulPods.Revision(pod);
                if (revision == currentRevision)
                {
                    status.CurrentReplicas++;
                }

                if (revision == updateRevision)
                {
                    status.UpdatedReplicas++;
                }
            }
        }

        return status;
    }

    /// <summary>completeRollingUpdate: once every wanted replica is updated and ready, the update revision becomes current.</summary>
    public static void CompleteRollingUpdate(StatefulSet set, StatefulSetStatus status)
    {
        int replicas = StatefulPods.Replicas(set);
        if (set.Spec?.UpdateStrategy?.Type != "OnDelete" && status.UpdatedReplicas == replicas &&
            status.ReadyReplicas == replicas && status.Replicas == replicas)
        {
            status.CurrentReplicas = status.UpdatedReplicas;
            status.CurrentRevision = status.UpdateRevision;
        }
    }

    /// <summary>inconsistentStatus: whether the computed status must be written.</summary>
    public static bool NeedsWrite(StatefulSetStatus? old, StatefulSetStatus status) =>
        old is null || (status.ObservedGeneration ?? 0) > (old.ObservedGeneration ?? 0) || status.Replicas != old.Replicas ||
        (status.CurrentReplicas ?? 0) != (old.CurrentReplicas ?? 0) || (status.ReadyReplicas ?? 0) != (old.ReadyReplicas ?? 0) ||
        (status.UpdatedReplicas ?? 0) != (old.UpdatedReplicas ?? 0) || status.CurrentRevision != old.CurrentRevision ||
        status.AvailableReplicas != old.AvailableReplicas || status.UpdateRevision != old.UpdateRevision ||
        (status.CollisionCount ?? 0) != (old.CollisionCount ?? 0);
}
