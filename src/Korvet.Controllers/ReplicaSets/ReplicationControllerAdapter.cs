using Korvet.Api.Core.V1;
using Korvet.Api.Meta.V1;
using Korvet.Api.Selectors;
using Korvet.Client;
using LabelSelector = Korvet.Api.Selectors.LabelSelector;

namespace Korvet.Controllers.ReplicaSets;

/// <summary>core/v1 ReplicationController for the replica controller: the selector is a plain label map. Stateless.</summary>
public sealed class ReplicationControllerAdapter : IReplicaSetAdapter<ReplicationController>
{
    public string ApiVersion => "v1";

    public string Kind => "ReplicationController";

    public string ControllerName => "replication-controller";

    public ReplicaSetView View(ReplicationController obj) => new(
        obj.Metadata ?? new ObjectMeta(),
        obj.Spec?.Replicas ?? 1,
        obj.Spec?.MinReadySeconds ?? 0,
        Selector(obj.Spec?.Selector),
        obj.Spec?.Template,
        new ReplicaStatus(
            obj.Status?.Replicas ?? 0,
            obj.Status?.FullyLabeledReplicas ?? 0,
            obj.Status?.ReadyReplicas ?? 0,
            obj.Status?.AvailableReplicas ?? 0,
            obj.Status?.ObservedGeneration ?? 0,
            [.. (obj.Status?.Conditions ?? []).Select(c => new ReplicaCondition(c.Type, c.Status, ReplicaStatus.FromTime(c.LastTransitionTime), c.Reason, c.Message))]));

    public ReplicationController WithStatus(ReplicationController obj, ReplicaStatus status)
    {
        ReplicationController copy = ObjectCopy.Clone(obj);
        copy.Status = new ReplicationControllerStatus
        {
            Replicas = status.Replicas,
            FullyLabeledReplicas = status.FullyLabeledReplicas,
            ReadyReplicas = status.ReadyReplicas,
            AvailableReplicas = status.AvailableReplicas,
            ObservedGeneration = status.ObservedGeneration,
            Conditions = status.Conditions.Count == 0 ? null : [.. status.Conditions.Select(c => new ReplicationControllerCondition
            {
                Type = c.Type,
                Status = c.Status,
                LastTransitionTime = c.LastTransitionTime is DateTimeOffset t ? new Time(t) : null,
                Reason = c.Reason,
                Message = c.Message,
            })],
        };
        return copy;
    }

    /// <summary>An RC selector: an empty or absent map selects nothing (the server defaults it from the template labels).</summary>
    private static LabelSelector? Selector(Dictionary<string, string>? selector)
    {
        if (selector is null || selector.Count == 0)
        {
            return LabelSelector.Nothing;
        }

        try
        {
            return LabelSelector.FromMatchLabels(selector);
        }
        catch (SelectorException)
        {
            return null;
        }
    }
}
