using Korvet.Api.Apps.V1;
using Korvet.Api.Meta.V1;
using Korvet.Api.Selectors;
using Korvet.Api.Serialization;
using Korvet.Client;
using LabelSelector = Korvet.Api.Selectors.LabelSelector;
using ApiReplicaSet = Korvet.Api.Apps.V1.ReplicaSet;

namespace Korvet.Controllers.ReplicaSets;

/// <summary>apps/v1 ReplicaSet for the replica controller. Stateless.</summary>
public sealed class ReplicaSetAdapter : IReplicaSetAdapter<ApiReplicaSet>
{
    public string ApiVersion => "apps/v1";

    public string Kind => "ReplicaSet";

    public string ControllerName => "replicaset-controller";

    public ReplicaSetView View(ApiReplicaSet obj) => new(
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

    public ApiReplicaSet WithStatus(ApiReplicaSet obj, ReplicaStatus status)
    {
        ApiReplicaSet copy = ObjectCopy.Clone(obj);
        copy.Status = new ReplicaSetStatus
        {
            Replicas = status.Replicas,
            FullyLabeledReplicas = status.FullyLabeledReplicas,
            ReadyReplicas = status.ReadyReplicas,
            AvailableReplicas = status.AvailableReplicas,
            ObservedGeneration = status.ObservedGeneration,
            Conditions = status.Conditions.Count == 0 ? null : [.. status.Conditions.Select(c => new ReplicaSetCondition
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

    /// <summary>A typed metav1.LabelSelector as a matcher; null when it is invalid; Nothing when absent.</summary>
    public static LabelSelector? Selector(Korvet.Api.Meta.V1.LabelSelector? selector)
    {
        if (selector is null)
        {
            return LabelSelector.Nothing;
        }

        try
        {
            return LabelSelector.FromJson(ApiJson.SerializeToObject(selector));
        }
        catch (SelectorException)
        {
            return null;
        }
    }
}
