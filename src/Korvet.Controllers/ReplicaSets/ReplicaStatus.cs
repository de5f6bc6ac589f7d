using Korvet.Api.Core.V1;
using Korvet.Api.Meta.V1;
using LabelSelector = Korvet.Api.Selectors.LabelSelector;

namespace Korvet.Controllers.ReplicaSets;

/// <summary>A ReplicaSet / ReplicationController condition in kind-neutral form.</summary>
public sealed record ReplicaCondition(string Type, string Status, DateTimeOffset? LastTransitionTime, string? Reason, string? Message);

/// <summary>The status fields ReplicaSets and ReplicationControllers share, in kind-neutral form.</summary>
public sealed record ReplicaStatus(int Replicas, int FullyLabeledReplicas, int ReadyReplicas, int AvailableReplicas, long ObservedGeneration,
    IReadOnlyList<ReplicaCondition> Conditions)
{
    public const string ReplicaFailure = "ReplicaFailure";

    /// <summary>True when the two have the same counts, generation and conditions.</summary>
    public bool SameAs(ReplicaStatus other) =>
        Replicas == other.Replicas && FullyLabeledReplicas == other.FullyLabeledReplicas && ReadyReplicas == other.ReadyReplicas &&
        AvailableReplicas == other.AvailableReplicas && ObservedGeneration == other.ObservedGeneration && Conditions.SequenceEqual(other.Conditions);

    /// <summary>
    /// calculateStatus: counts over the claimed active pods (fully labeled = carries every template label; available =
    /// ready for minReadySeconds), plus a ReplicaFailure condition while creating/deleting fails (FailedCreate /
    /// FailedDelete with the error's message), removed once a sync succeeds. ObservedGeneration is left as it was;
    /// the status writer sets it.
    /// </summary>
    public static ReplicaStatus Calculate(ReplicaStatus current, int desired, IReadOnlyDictionary<string, string>? templateLabels,
        int minReadySeconds, IReadOnlyList<Pod> pods, Exception? manageError, DateTimeOffset now)
    {
        LabelSelector template = LabelSelector.FromMatchLabels(templateLabels ?? new Dictionary<string, string>());
        int fully = 0, ready = 0, available = 0;
        foreach (Pod pod in pods)
        {
            if (template.Matches((IReadOnlyDictionary<string, string>?)pod.Metadata?.Labels ?? new Dictionary<string, string>()))
            {
                fully++;
            }

            if (PodState.IsReady(pod))
            {
                ready++;
                if (PodState.IsAvailable(pod, minReadySeconds, now))
                {
                    available++;
                }
            }
        }

        List<ReplicaCondition> conditions = [.. current.Conditions];
        bool hasFailure = conditions.Any(c => c.Type == ReplicaFailure);
        if (manageError is not null && !hasFailure)
        {
            int diff = pods.Count - desired;
            string reason = diff < 0 ? "FailedCreate" : diff > 0 ? "FailedDelete" : "";
            DateTimeOffset t = Deployments.DeploymentConditions.Truncate(now);
            conditions.Add(new ReplicaCondition(ReplicaFailure, "True", t, reason, manageError.Message));
        }
        else if (manageError is null && hasFailure)
        {
            conditions.RemoveAll(c => c.Type == ReplicaFailure);
        }

        return current with { Replicas = pods.Count, FullyLabeledReplicas = fully, ReadyReplicas = ready, AvailableReplicas = available, Conditions = conditions };
    }

    internal static DateTimeOffset? FromTime(Time? t) => t?.Value;
}
