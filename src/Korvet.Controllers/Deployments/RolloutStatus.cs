using Korvet.Api.Apps.V1;
using Deployment = Korvet.Api.Apps.V1.Deployment;

namespace Korvet.Controllers.Deployments;

/// <summary>
/// syncRolloutStatus's computation: the counted status plus the Progressing condition (complete, progressing or timed
/// out) and the ReplicaFailure condition copied from the sets. Pure; the controller writes the result when it differs.
/// </summary>
public static class RolloutStatus
{
    public static DeploymentStatus Compute(Deployment d, IReadOnlyList<ReplicaSet> allSets, ReplicaSet? newSet, DateTimeOffset now)
    {
        DeploymentStatus status = DeploymentConditions.CalculateStatus(d, allSets, newSet, now);
        if (!DeploymentConditions.HasProgressDeadline(d))
        {
            DeploymentConditions.Remove(status, DeploymentConditions.Progressing);
        }

        DeploymentCondition? current = DeploymentConditions.Get(d.Status, DeploymentConditions.Progressing);
        bool alreadyComplete = status.Replicas == status.UpdatedReplicas && current?.Reason == DeploymentConditions.NewReplicaSetAvailableReason;
        if (DeploymentConditions.HasProgressDeadline(d) && !alreadyComplete)
        {
            string name = d.Metadata?.Name ?? "";
            if (DeploymentConditions.Complete(d, status))
            {
                string message = newSet is null ? $"Deployment \"{name}\" has successfully progressed." : $"ReplicaSet \"{newSet.Metadata?.Name}\" has successfully progressed.";
                DeploymentConditions.Set(status, DeploymentConditions.New(DeploymentConditions.Progressing, "True", DeploymentConditions.NewReplicaSetAvailableReason, message, now));
            }
            else if (DeploymentConditions.IsProgressing(d, status))
            {
                string message = newSet is null ? $"Deployment \"{name}\" is progressing." : $"ReplicaSet \"{newSet.Metadata?.Name}\" is progressing.";
                DeploymentCondition condition = DeploymentConditions.New(DeploymentConditions.Progressing, "True", DeploymentConditions.ReplicaSetUpdatedReason, message, now);
                if (current is not null)
                {
                    if (current.Status == "True")
                    {
                        condition.LastTransitionTime = current.LastTransitionTime;
                    }

                    DeploymentConditions.Remove(status, DeploymentConditions.Progressing);
                }

                DeploymentConditions.Set(status, condition);
            }
            else if (DeploymentConditions.TimedOut(d, status, now))
            {
                string message = newSet is null ? $"Deployment \"{name}\" has timed out progressing." : $"ReplicaSet \"{newSet.Metadata?.Name}\" has timed out progressing.";
                DeploymentConditions.Set(status, DeploymentConditions.New(DeploymentConditions.Progressing, "False", DeploymentConditions.TimedOutReason, message, now));
            }
        }

        if (ReplicaFailure(allSets, newSet) is DeploymentCondition failure)
        {
            DeploymentConditions.Set(status, failure);
        }
        else
        {
            DeploymentConditions.Remove(status, DeploymentConditions.ReplicaFailure);
        }

        return status;
    }

    /// <summary>
    /// requeueStuckDeployment: when the rollout is neither complete nor timed out, how long until the deadline passes
    /// (so the controller re-checks then); null when no re-check is needed.
    /// </summary>
    public static TimeSpan? TimeUntilDeadline(Deployment d, DeploymentStatus status, DateTimeOffset now)
    {
        DeploymentCondition? current = DeploymentConditions.Get(status, DeploymentConditions.Progressing);
        if (!DeploymentConditions.HasProgressDeadline(d) || current is null ||
            DeploymentConditions.Complete(d, status) || current.Reason == DeploymentConditions.TimedOutReason)
        {
            return null;
        }

        DateTimeOffset updated = current.LastUpdateTime?.Value ?? now;
        TimeSpan after = updated.AddSeconds(d.Spec!.ProgressDeadlineSeconds!.Value) - now;
        return after < TimeSpan.FromSeconds(1) ? TimeSpan.Zero : after;
    }

    private static DeploymentCondition? ReplicaFailure(IReadOnlyList<ReplicaSet> allSets, ReplicaSet? newSet)
    {
        foreach (ReplicaSet rs in (newSet is null ? allSets : allSets.Where(s => s != newSet).Prepend(newSet)))
        {
            if (rs.Status?.Conditions?.FirstOrDefault(c => c.Type == DeploymentConditions.ReplicaFailure) is ReplicaSetCondition c)
            {
                return DeploymentConditions.FromReplicaSet(c);
            }
        }

        return null;
    }
}
