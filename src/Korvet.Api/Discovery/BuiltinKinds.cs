using System.Collections.Frozen;
using Korvet.Api.Generated;

namespace Korvet.Api.Discovery;

/// <summary>Where a built-in kind is served: group, version, plural (the URL segment), kind and scope.</summary>
public sealed record BuiltinKind(string Group, string Version, string Plural, string Kind, bool Namespaced)
{
    /// <summary><c>v1</c> for the core group, else <c>group/version</c>.</summary>
    public string ApiVersion => Group.Length == 0 ? Version : Group + "/" + Version;

    /// <summary>The URL prefix of the group-version: <c>/api/v1</c> or <c>/apis/group/version</c>.</summary>
    public string GroupVersionPath => Group.Length == 0 ? "/api/" + Version : "/apis/" + Group + "/" + Version;
}

/// <summary>
/// The built-in resources of Kubernetes 1.32 (every kind the API server serves without a CRD), usable without the API
/// server: clients find a typed class's URL here. Immutable.
/// </summary>
public static class BuiltinKinds
{
    /// <summary>In upstream's discovery order (group-versions as served, resources by name within one).</summary>
    public static IReadOnlyList<BuiltinKind> All { get; } =
    [
        new("", "v1", "bindings", "Binding", true),
        new("", "v1", "componentstatuses", "ComponentStatus", false),
        new("", "v1", "configmaps", "ConfigMap", true),
        new("", "v1", "endpoints", "Endpoints", true),
        new("", "v1", "events", "Event", true),
        new("", "v1", "limitranges", "LimitRange", true),
        new("", "v1", "namespaces", "Namespace", false),
        new("", "v1", "nodes", "Node", false),
        new("", "v1", "persistentvolumeclaims", "PersistentVolumeClaim", true),
        new("", "v1", "persistentvolumes", "PersistentVolume", false),
        new("", "v1", "pods", "Pod", true),
        new("", "v1", "podtemplates", "PodTemplate", true),
        new("", "v1", "replicationcontrollers", "ReplicationController", true),
        new("", "v1", "resourcequotas", "ResourceQuota", true),
        new("", "v1", "secrets", "Secret", true),
        new("", "v1", "serviceaccounts", "ServiceAccount", true),
        new("", "v1", "services", "Service", true),
        new("apiregistration.k8s.io", "v1", "apiservices", "APIService", false),
        new("apps", "v1", "controllerrevisions", "ControllerRevision", true),
        new("apps", "v1", "daemonsets", "DaemonSet", true),
        new("apps", "v1", "deployments", "Deployment", true),
        new("apps", "v1", "replicasets", "ReplicaSet", true),
        new("apps", "v1", "statefulsets", "StatefulSet", true),
        new("events.k8s.io", "v1", "events", "Event", true),
        new("authentication.k8s.io", "v1", "selfsubjectreviews", "SelfSubjectReview", false),
        new("authentication.k8s.io", "v1", "tokenreviews", "TokenReview", false),
        new("authorization.k8s.io", "v1", "localsubjectaccessreviews", "LocalSubjectAccessReview", true),
        new("authorization.k8s.io", "v1", "selfsubjectaccessreviews", "SelfSubjectAccessReview", false),
        new("authorization.k8s.io", "v1", "selfsubjectrulesreviews", "SelfSubjectRulesReview", false),
        new("authorization.k8s.io", "v1", "subjectaccessreviews", "SubjectAccessReview", false),
        new("autoscaling", "v2", "horizontalpodautoscalers", "HorizontalPodAutoscaler", true),
        new("autoscaling", "v1", "horizontalpodautoscalers", "HorizontalPodAutoscaler", true),
        new("batch", "v1", "cronjobs", "CronJob", true),
        new("batch", "v1", "jobs", "Job", true),
        new("certificates.k8s.io", "v1", "certificatesigningrequests", "CertificateSigningRequest", false),
        new("networking.k8s.io", "v1", "ingressclasses", "IngressClass", false),
        new("networking.k8s.io", "v1", "ingresses", "Ingress", true),
        new("networking.k8s.io", "v1", "networkpolicies", "NetworkPolicy", true),
        new("policy", "v1", "poddisruptionbudgets", "PodDisruptionBudget", true),
        new("rbac.authorization.k8s.io", "v1", "clusterrolebindings", "ClusterRoleBinding", false),
        new("rbac.authorization.k8s.io", "v1", "clusterroles", "ClusterRole", false),
        new("rbac.authorization.k8s.io", "v1", "rolebindings", "RoleBinding", true),
        new("rbac.authorization.k8s.io", "v1", "roles", "Role", true),
        new("storage.k8s.io", "v1", "csidrivers", "CSIDriver", false),
        new("storage.k8s.io", "v1", "csinodes", "CSINode", false),
        new("storage.k8s.io", "v1", "csistoragecapacities", "CSIStorageCapacity", true),
        new("storage.k8s.io", "v1", "storageclasses", "StorageClass", false),
        new("storage.k8s.io", "v1", "volumeattachments", "VolumeAttachment", false),
        new("admissionregistration.k8s.io", "v1", "mutatingwebhookconfigurations", "MutatingWebhookConfiguration", false),
        new("admissionregistration.k8s.io", "v1", "validatingadmissionpolicies", "ValidatingAdmissionPolicy", false),
        new("admissionregistration.k8s.io", "v1", "validatingadmissionpolicybindings", "ValidatingAdmissionPolicyBinding", false),
        new("admissionregistration.k8s.io", "v1", "validatingwebhookconfigurations", "ValidatingWebhookConfiguration", false),
        new("apiextensions.k8s.io", "v1", "customresourcedefinitions", "CustomResourceDefinition", false),
        new("scheduling.k8s.io", "v1", "priorityclasses", "PriorityClass", false),
        new("coordination.k8s.io", "v1", "leases", "Lease", true),
        new("node.k8s.io", "v1", "runtimeclasses", "RuntimeClass", false),
        new("discovery.k8s.io", "v1", "endpointslices", "EndpointSlice", true),
        new("flowcontrol.apiserver.k8s.io", "v1", "flowschemas", "FlowSchema", false),
        new("flowcontrol.apiserver.k8s.io", "v1", "prioritylevelconfigurations", "PriorityLevelConfiguration", false),
    ];

    private static readonly FrozenDictionary<(string ApiVersion, string Kind), BuiltinKind> ByKind =
        All.ToFrozenDictionary(k => (k.ApiVersion, k.Kind));

    private static readonly FrozenDictionary<Type, BuiltinKind> ByType = All
        .Select(k => (Type: ApiTypes.Find(k.ApiVersion, k.Kind), Kind: k))
        .Where(p => p.Type is not null)
        .ToFrozenDictionary(p => p.Type!, p => p.Kind);

    public static BuiltinKind? Find(string apiVersion, string kind) => ByKind.GetValueOrDefault((apiVersion, kind));

    /// <summary>The resource of a typed class (<c>typeof(Pod)</c> → core/v1 pods); null for non-resource types.</summary>
    public static BuiltinKind? Find(Type type) => ByType.GetValueOrDefault(type);

    public static BuiltinKind Get<T>() =>
        Find(typeof(T)) ?? throw new ArgumentException($"{typeof(T)} is not a built-in resource kind", nameof(T));
}
