using Korvet.Api.Apps.V1;
using Korvet.Api.Meta.V1;
using Deployment = Korvet.Api.Apps.V1.Deployment;

namespace Korvet.Controllers.Deployments;

/// <summary>
/// Deployment conditions and the progress/completion predicates of upstream deployment_util, as pure functions.
/// Times are truncated to whole seconds (what the API stores) so a recomputed status compares equal to a stored one.
/// </summary>
public static class DeploymentConditions
{
    public const string Available = "Available";
    public const string Progressing = "Progressing";
    public const string ReplicaFailure = "ReplicaFailure";

    public const string NewReplicaSetReason = "NewReplicaSetCreated";
    public const string FoundNewReplicaSetReason = "FoundNewReplicaSet";
    public const string ReplicaSetUpdatedReason = "ReplicaSetUpdated";
    public const string NewReplicaSetAvailableReason = "NewReplicaSetAvailable";
    public const string TimedOutReason = "ProgressDeadlineExceeded";
    public const string FailedCreateReason = "ReplicaSetCreateError";
    public const string PausedReason = "DeploymentPaused";
    public const string ResumedReason = "DeploymentResumed";
    public const string MinimumReplicasAvailable = "MinimumReplicasAvailable";
    public const string MinimumReplicasUnavailable = "MinimumReplicasUnavailable";

    public static DeploymentCondition New(string type, string status, string reason, string message, DateTimeOffset now)
    {
        var t = new Time(Truncate(now));
        return new DeploymentCondition { Type = type, Status = status, Reason = reason, Message = message, LastUpdateTime = t, LastTransitionTime = t };
    }

    public static DeploymentCondition? Get(DeploymentStatus? status, string type) => status?.Conditions?.FirstOrDefault(c => c.Type == type);

    /// <summary>
    /// SetDeploymentCondition: no change when status and reason are the same; keeps lastTransitionTime when only the
    /// reason changed; the condition moves to the end of the list.
    /// </summary>
    public static void Set(DeploymentStatus status, DeploymentCondition condition)
    {
        DeploymentCondition? current = Get(status, condition.Type);
        if (current is not null && current.Status == condition.Status && current.Reason == condition.Reason)
        {
            return;
        }

        if (current is not null && current.Status == condition.Status)
        {
            condition.LastTransitionTime = current.LastTransitionTime;
        }

        Remove(status, condition.Type);
        (status.Conditions ??= []).Add(condition);
    }

    public static void Remove(DeploymentStatus status, string type)
    {
        status.Conditions?.RemoveAll(c => c.Type == type);
        if (status.Conditions is { Count: 0 })
        {
            status.Conditions = null;
        }
    }

    public static bool HasProgressDeadline(Deployment d) => d.Spec?.ProgressDeadlineSeconds is int s && s != int.MaxValue;

    /// <summary>DeploymentComplete: every replica updated and available, and the newest spec observed.</summary>
    public static bool Complete(Deployment d, DeploymentStatus status)
    {
        int replicas = DeploymentMath.Replicas(d);
        return (status.UpdatedReplicas ?? 0) == replicas && (status.Replicas ?? 0) == replicas &&
               (status.AvailableReplicas ?? 0) == replicas && (status.ObservedGeneration ?? 0) >= (d.Metadata?.Generation ?? 0);
    }

    /// <summary>DeploymentProgressing: more updated, ready or available pods, or fewer old ones, than in the stored status.</summary>
    public static bool IsProgressing(Deployment d, DeploymentStatus status)
    {
        DeploymentStatus old = d.Status ?? new DeploymentStatus();
        int oldOld = (old.Replicas ?? 0) - (old.UpdatedReplicas ?? 0);
        int newOld = (status.Replicas ?? 0) - (status.UpdatedReplicas ?? 0);
        return (status.UpdatedReplicas ?? 0) > (old.UpdatedReplicas ?? 0) || newOld < oldOld ||
               (status.ReadyReplicas ?? 0) > (old.ReadyReplicas ?? 0) || (status.AvailableReplicas ?? 0) > (old.AvailableReplicas ?? 0);
    }

    /// <summary>DeploymentTimedOut: the Progressing condition was last updated more than progressDeadlineSeconds ago.</summary>
    public static bool TimedOut(Deployment d, DeploymentStatus status, DateTimeOffset now)
    {
        if (!HasProgressDeadline(d) || Get(status, Progressing) is not DeploymentCondition c)
        {
            return false;
        }

        if (c.Reason == NewReplicaSetAvailableReason)
        {
            return false;
        }

        if (c.Reason == TimedOutReason)
        {
            return true;
        }

        DateTimeOffset from = c.LastUpdateTime?.Value ?? now;
        return from.AddSeconds(d.Spec!.ProgressDeadlineSeconds!.Value) < now;
    }

    /// <summary>calculateStatus: counts from the sets plus the Available condition.</summary>
    public static DeploymentStatus CalculateStatus(Deployment d, IReadOnlyList<ReplicaSet> allSets, ReplicaSet? newSet, DateTimeOffset now)
    {
        int available = DeploymentMath.AvailableSum(allSets);
        int unavailable = Math.Max(0, DeploymentMath.SpecReplicaSum(allSets) - available);
        var status = new DeploymentStatus
        {
            ObservedGeneration = d.Metadata?.Generation,
            Replicas = DeploymentMath.StatusReplicaSum(allSets),
            UpdatedReplicas = newSet is null ? 0 : DeploymentMath.StatusReplicaSum([newSet]),
            ReadyReplicas = DeploymentMath.ReadySum(allSets),
            AvailableReplicas = available,
            UnavailableReplicas = unavailable,
            CollisionCount = d.Status?.CollisionCount,
            Conditions = d.Status?.Conditions is { } conditions ? [.. conditions.Select(Copy)] : null,
        };

        if (available >= DeploymentMath.Replicas(d) - DeploymentMath.MaxUnavailable(d))
        {
            Set(status, New(Available, "True", MinimumReplicasAvailable, "Deployment has minimum availability.", now));
        }
        else
        {
            Set(status, New(Available, "False", MinimumReplicasUnavailable, "Deployment does not have minimum availability.", now));
        }

        return status;
    }

    /// <summary>The ReplicaSet's ReplicaFailure condition as a deployment condition (ReplicaSetToDeploymentCondition).</summary>
    public static DeploymentCondition FromReplicaSet(ReplicaSetCondition c) => new()
    {
        Type = c.Type,
        Status = c.Status,
        LastTransitionTime = c.LastTransitionTime,
        LastUpdateTime = c.LastTransitionTime,
        Reason = c.Reason,
        Message = c.Message,
    };

    public static DeploymentCondition Copy(DeploymentCondition c) => new()
    {
        Type = c.Type,
        Status = c.Status,
        LastUpdateTime = c.LastUpdateTime,
        LastTransitionTime = c.LastTransitionTime,
        Reason = c.Reason,
        Message = c.Message,
    };

    public static DateTimeOffset Truncate(DateTimeOffset t) => new(t.UtcTicks - (t.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
}
