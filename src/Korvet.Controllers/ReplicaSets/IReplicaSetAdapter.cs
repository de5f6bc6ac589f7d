using Korvet.Api;
using Korvet.Api.Core.V1;
using Korvet.Api.Meta.V1;
using LabelSelector = Korvet.Api.Selectors.LabelSelector;

namespace Korvet.Controllers.ReplicaSets;

/// <summary>What the replica controller needs to know about one ReplicaSet or ReplicationController.</summary>
public sealed record ReplicaSetView(ObjectMeta Meta, int Replicas, int MinReadySeconds, LabelSelector? Selector, PodTemplateSpec? Template, ReplicaStatus Status)
{
    public string Key => PodState.Key(Meta);
}

/// <summary>
/// The seam that lets one replica controller serve both apps/v1 ReplicaSet (label-selector) and core/v1
/// ReplicationController (map selector), the way upstream runs the RC manager over a converted RS informer.
/// </summary>
public interface IReplicaSetAdapter<T>
    where T : class, IKubernetesObject
{
    string ApiVersion { get; }

    string Kind { get; }

    /// <summary>The controller's name (events' source component, logs, the queue).</summary>
    string ControllerName { get; }

    /// <summary>The view of <paramref name="obj"/>; Selector is null when the stored selector cannot be parsed.</summary>
    ReplicaSetView View(T obj);

    /// <summary>A copy of <paramref name="obj"/> carrying <paramref name="status"/>; the cached object is not touched.</summary>
    T WithStatus(T obj, ReplicaStatus status);
}
