using Korvet.Api.Apps.V1;
using Korvet.Api.Core.V1;
using Korvet.Api.Meta.V1;
using Korvet.Client.Cache;
using Korvet.Controllers.ReplicaSets;

namespace Korvet.Controllers.Disruption;

/// <summary>
/// Upstream's finders over the informer caches, in their order: a ReplicaSet not controlled by a Deployment; the
/// Deployment controlling a pod's ReplicaSet; a ReplicationController; a StatefulSet. The owner must be the same object
/// (uid) the reference names. An unset replicas counts as 1 (the API default).
/// </summary>
public sealed class CacheScaleFinder(Store<ReplicaSet> replicaSets, Store<Deployment> deployments,
    Store<ReplicationController> replicationControllers, Store<StatefulSet> statefulSets) : IScaleFinder
{
    public ControllerScale? Find(OwnerReference controllerRef, string ns)
    {
        string group = Group(controllerRef.ApiVersion);
        switch (controllerRef.Kind)
        {
            case "ReplicaSet" when group == "apps":
            {
                ReplicaSet? set = replicaSets.Get(ns, controllerRef.Name);
                if (set?.Metadata?.Uid != controllerRef.Uid)
                {
                    return null;
                }

                OwnerReference? owner = PodState.ControllerOf(set.Metadata);
                if (owner is null || owner.Kind != "Deployment" || Group(owner.ApiVersion) != "apps")
                {
                    return new ControllerScale(set.Metadata.Uid ?? "", set.Spec?.Replicas ?? 1);
                }

                Deployment? deployment = deployments.Get(ns, owner.Name);
                return deployment?.Metadata?.Uid == owner.Uid
                    ? new ControllerScale(deployment.Metadata.Uid ?? "", deployment.Spec?.Replicas ?? 1)
                    : null;
            }

            case "ReplicationController" when group.Length == 0:
            {
                ReplicationController? rc = replicationControllers.Get(ns, controllerRef.Name);
                return rc?.Metadata?.Uid == controllerRef.Uid ? new ControllerScale(rc.Metadata.Uid ?? "", rc.Spec?.Replicas ?? 1) : null;
            }

            case "StatefulSet" when group == "apps":
            {
                StatefulSet? set = statefulSets.Get(ns, controllerRef.Name);
                return set?.Metadata?.Uid == controllerRef.Uid ? new ControllerScale(set.Metadata.Uid ?? "", set.Spec?.Replicas ?? 1) : null;
            }

            default:
                return null;
        }
    }

    private static string Group(string? apiVersion) =>
        apiVersion is { } v && v.IndexOf('/', StringComparison.Ordinal) is var slash and >= 0 ? v[..slash] : "";
}
