using Korvet.ApiServer.Registry;
using Korvet.ApiServer.Storage;

namespace Korvet.ApiServer.Strategies;

/// <summary>The kind-specific strategies, keyed like <see cref="StrategyTable"/> by (group, plural).</summary>
public static class KindStrategies
{
    /// <summary>One strategy per served resource that has upstream defaulting/validation written here;
    /// <paramref name="defaultTolerationSeconds"/> goes to the pod strategy's default tolerations.</summary>
    public static Dictionary<(string Group, string Plural), IResourceStrategy> Create(ResourceRegistry registry, long defaultTolerationSeconds = 300)
    {
        var table = new Dictionary<(string Group, string Plural), IResourceStrategy>();
        void Add(string group, string plural, Func<ResourceDefinition, IResourceStrategy> make)
        {
            ResourceDefinition? resource = registry.All.FirstOrDefault(r => r.Group == group && r.Plural == plural);
            if (resource is not null)
            {
                table[(group, plural)] = make(resource);
            }
        }

        void Simple(string group, string plural, KindRules rules) => Add(group, plural, r => new SimpleStrategy(r, rules));

        Add("", "pods", r => new PodStrategy(r, defaultTolerationSeconds));
        Add("", "services", r => new ServiceStrategy(r));
        Add("", "configmaps", r => new ConfigMapStrategy(r));
        Add("", "secrets", r => new SecretStrategy(r));
        Add("", "replicationcontrollers", r => new ReplicationControllerStrategy(r));
        Add("apps", "deployments", r => new DeploymentStrategy(r));
        Add("apps", "replicasets", r => new ReplicaSetStrategy(r));
        Add("apps", "statefulsets", r => new StatefulSetStrategy(r));
        Add("apps", "daemonsets", r => new DaemonSetStrategy(r));
        Add("batch", "jobs", r => new JobStrategy(r));
        Add("batch", "cronjobs", r => new CronJobStrategy(r));
        Simple("", "endpoints", CoreKinds.Endpoints);
        Simple("discovery.k8s.io", "endpointslices", CoreKinds.EndpointSlice);
        Simple("", "serviceaccounts", CoreKinds.ServiceAccount);
        Simple("", "nodes", CoreKinds.Node);
        Simple("", "persistentvolumeclaims", CoreKinds.PersistentVolumeClaim);
        Simple("", "resourcequotas", CoreKinds.ResourceQuota);
        Simple("", "limitranges", CoreKinds.LimitRange);
        Simple("", "events", CoreKinds.Event);
        Simple("events.k8s.io", "events", CoreKinds.Event);
        Simple("coordination.k8s.io", "leases", CoreKinds.Lease);
        Simple("rbac.authorization.k8s.io", "roles", RbacKinds.Role);
        Simple("rbac.authorization.k8s.io", "clusterroles", RbacKinds.ClusterRole);
        Simple("rbac.authorization.k8s.io", "rolebindings", RbacKinds.RoleBinding);
        Simple("rbac.authorization.k8s.io", "clusterrolebindings", RbacKinds.ClusterRoleBinding);
        Simple("networking.k8s.io", "ingresses", NetworkingKinds.Ingress);
        Simple("networking.k8s.io", "networkpolicies", NetworkingKinds.NetworkPolicy);
        Simple("policy", "poddisruptionbudgets", NetworkingKinds.PodDisruptionBudget);
        Simple("autoscaling", "horizontalpodautoscalers", NetworkingKinds.HorizontalPodAutoscaler);
        Simple("scheduling.k8s.io", "priorityclasses", NetworkingKinds.PriorityClass);
        Simple("storage.k8s.io", "storageclasses", NetworkingKinds.StorageClass);
        return table;
    }
}
