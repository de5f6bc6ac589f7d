using Korvet.Api.Discovery;

namespace Korvet.ApiServer.Registry;

/// <summary>
/// Every built-in resource Kubernetes 1.32 serves, as its discovery documents show them (names, scope, short names,
/// categories, verbs, subresources). Group-versions are listed in upstream's discovery order; within a group-version
/// resources are in name order.
/// </summary>
public static class BuiltinResources
{
    private static readonly string[] AllVerbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];
    private static readonly string[] NoCollectionDelete = ["create", "delete", "get", "list", "patch", "update", "watch"];
    private static readonly string[] CreateOnly = ["create"];
    private static readonly string[] GetList = ["get", "list"];

    /// <summary>Group-versions in discovery order; the first version of a group is its preferred version.</summary>
    public static IReadOnlyList<ResourceDefinition> Build()
    {
        var list = new List<ResourceDefinition>();

        // core/v1
        Add(list, "", "v1", "bindings", "Binding", true, verbs: CreateOnly);
        Add(list, "", "v1", "componentstatuses", "ComponentStatus", false, "cs", verbs: GetList);
        Add(list, "", "v1", "configmaps", "ConfigMap", true, "cm");
        Add(list, "", "v1", "endpoints", "Endpoints", true, "ep");
        Add(list, "", "v1", "events", "Event", true, "ev");
        Add(list, "", "v1", "limitranges", "LimitRange", true, "limits");
        Add(list, "", "v1", "namespaces", "Namespace", false, "ns", verbs: NoCollectionDelete, subs: "finalize,status");
        Add(list, "", "v1", "nodes", "Node", false, "no", subs: "proxy,status");
        Add(list, "", "v1", "persistentvolumeclaims", "PersistentVolumeClaim", true, "pvc", subs: "status");
        Add(list, "", "v1", "persistentvolumes", "PersistentVolume", false, "pv", subs: "status");
        Add(list, "", "v1", "pods", "Pod", true, "po", "all",
            subs: "attach,binding,ephemeralcontainers,eviction,exec,log,portforward,proxy,status");
        Add(list, "", "v1", "podtemplates", "PodTemplate", true);
        Add(list, "", "v1", "replicationcontrollers", "ReplicationController", true, "rc", "all", subs: "scale,status");
        Add(list, "", "v1", "resourcequotas", "ResourceQuota", true, "quota", subs: "status");
        Add(list, "", "v1", "secrets", "Secret", true);
        Add(list, "", "v1", "serviceaccounts", "ServiceAccount", true, "sa", subs: "token");
        Add(list, "", "v1", "services", "Service", true, "svc", "all", verbs: AllVerbs, subs: "proxy,status");

        Add(list, "apiregistration.k8s.io", "v1", "apiservices", "APIService", false, cats: "api-extensions", subs: "status");

        Add(list, "apps", "v1", "controllerrevisions", "ControllerRevision", true);
        Add(list, "apps", "v1", "daemonsets", "DaemonSet", true, "ds", "all", subs: "status");
        Add(list, "apps", "v1", "deployments", "Deployment", true, "deploy", "all", subs: "scale,status");
        Add(list, "apps", "v1", "replicasets", "ReplicaSet", true, "rs", "all", subs: "scale,status");
        Add(list, "apps", "v1", "statefulsets", "StatefulSet", true, "sts", "all", subs: "scale,status");

        Add(list, "events.k8s.io", "v1", "events", "Event", true, "ev");

        Add(list, "authentication.k8s.io", "v1", "selfsubjectreviews", "SelfSubjectReview", false, verbs: CreateOnly);
        Add(list, "authentication.k8s.io", "v1", "tokenreviews", "TokenReview", false, verbs: CreateOnly);

        Add(list, "authorization.k8s.io", "v1", "localsubjectaccessreviews", "LocalSubjectAccessReview", true, verbs: CreateOnly);
        Add(list, "authorization.k8s.io", "v1", "selfsubjectaccessreviews", "SelfSubjectAccessReview", false, verbs: CreateOnly);
        Add(list, "authorization.k8s.io", "v1", "selfsubjectrulesreviews", "SelfSubjectRulesReview", false, verbs: CreateOnly);
        Add(list, "authorization.k8s.io", "v1", "subjectaccessreviews", "SubjectAccessReview", false, verbs: CreateOnly);

        Add(list, "autoscaling", "v2", "horizontalpodautoscalers", "HorizontalPodAutoscaler", true, "hpa", "all", subs: "status");
        Add(list, "autoscaling", "v1", "horizontalpodautoscalers", "HorizontalPodAutoscaler", true, "hpa", "all", subs: "status");

        Add(list, "batch", "v1", "cronjobs", "CronJob", true, "cj", "all", subs: "status");
        Add(list, "batch", "v1", "jobs", "Job", true, cats: "all", subs: "status");

        Add(list, "certificates.k8s.io", "v1", "certificatesigningrequests", "CertificateSigningRequest", false, "csr",
            subs: "approval,status");

        Add(list, "networking.k8s.io", "v1", "ingressclasses", "IngressClass", false);
        Add(list, "networking.k8s.io", "v1", "ingresses", "Ingress", true, "ing", subs: "status");
        Add(list, "networking.k8s.io", "v1", "networkpolicies", "NetworkPolicy", true, "netpol");

        Add(list, "policy", "v1", "poddisruptionbudgets", "PodDisruptionBudget", true, "pdb", subs: "status");

        Add(list, "rbac.authorization.k8s.io", "v1", "clusterrolebindings", "ClusterRoleBinding", false);
        Add(list, "rbac.authorization.k8s.io", "v1", "clusterroles", "ClusterRole", false);
        Add(list, "rbac.authorization.k8s.io", "v1", "rolebindings", "RoleBinding", true);
        Add(list, "rbac.authorization.k8s.io", "v1", "roles", "Role", true);

        Add(list, "storage.k8s.io", "v1", "csidrivers", "CSIDriver", false);
        Add(list, "storage.k8s.io", "v1", "csinodes", "CSINode", false);
        Add(list, "storage.k8s.io", "v1", "csistoragecapacities", "CSIStorageCapacity", true);
        Add(list, "storage.k8s.io", "v1", "storageclasses", "StorageClass", false, "sc");
        Add(list, "storage.k8s.io", "v1", "volumeattachments", "VolumeAttachment", false, subs: "status");

        Add(list, "admissionregistration.k8s.io", "v1", "mutatingwebhookconfigurations", "MutatingWebhookConfiguration", false,
            cats: "api-extensions");
        Add(list, "admissionregistration.k8s.io", "v1", "validatingadmissionpolicies", "ValidatingAdmissionPolicy", false,
            cats: "api-extensions", subs: "status");
        Add(list, "admissionregistration.k8s.io", "v1", "validatingadmissionpolicybindings", "ValidatingAdmissionPolicyBinding",
            false, cats: "api-extensions");
        Add(list, "admissionregistration.k8s.io", "v1", "validatingwebhookconfigurations", "ValidatingWebhookConfiguration", false,
            cats: "api-extensions");

        Add(list, "apiextensions.k8s.io", "v1", "customresourcedefinitions", "CustomResourceDefinition", false, "crd,crds",
            "api-extensions", subs: "status");

        Add(list, "scheduling.k8s.io", "v1", "priorityclasses", "PriorityClass", false, "pc");

        Add(list, "coordination.k8s.io", "v1", "leases", "Lease", true);

        Add(list, "node.k8s.io", "v1", "runtimeclasses", "RuntimeClass", false);

        Add(list, "discovery.k8s.io", "v1", "endpointslices", "EndpointSlice", true);

        Add(list, "flowcontrol.apiserver.k8s.io", "v1", "flowschemas", "FlowSchema", false, subs: "status");
        Add(list, "flowcontrol.apiserver.k8s.io", "v1", "prioritylevelconfigurations", "PriorityLevelConfiguration", false,
            subs: "status");

        return list;
    }

    private static void Add(List<ResourceDefinition> list, string group, string version, string plural, string kind,
        bool namespaced, string shortNames = "", string cats = "", string[]? verbs = null, string subs = "")
    {
        // Korvet.Api's BuiltinKinds is the client-side copy of group/version/plural/scope; the two must agree.
        BuiltinKind? shared = BuiltinKinds.Find(group.Length == 0 ? version : group + "/" + version, kind);
        if (shared is null || shared.Plural != plural || shared.Namespaced != namespaced)
        {
            throw new InvalidOperationException($"{group}/{version} {plural} disagrees with Korvet.Api.Discovery.BuiltinKinds");
        }

        var subresources = new List<SubresourceDefinition>();
        foreach (string name in Split(subs))
        {
            subresources.Add(Subresource(name, group, version, kind));
        }

        list.Add(new ResourceDefinition(group, version, plural, kind.ToLowerInvariant(), kind, namespaced,
            Split(shortNames), Split(cats), verbs ?? AllVerbs, subresources,
            // events.k8s.io/v1 Events are core/v1 Events (StoredVersions converts), as upstream's cohabiting resources.
            group.Length == 0 || (group == "events.k8s.io" && plural == "events") ? "core" : group));
    }

    private static SubresourceDefinition Subresource(string name, string group, string version, string kind) => name switch
    {
        "status" => new(name, group, version, kind, ["get", "patch", "update"]),
        "scale" => new(name, "autoscaling", "v1", "Scale", ["get", "patch", "update"]),
        "approval" => new(name, group, version, kind, ["get", "patch", "update"]),
        "finalize" => new(name, group, version, kind, ["update"]),
        "ephemeralcontainers" => new(name, group, version, kind, ["get", "patch", "update"]),
        "log" => new(name, group, version, kind, ["get"]),
        "binding" => new(name, group, version, "Binding", ["create"]),
        "eviction" => new(name, "policy", "v1", "Eviction", ["create"]),
        "token" => new(name, "authentication.k8s.io", "v1", "TokenRequest", ["create"]),
        "exec" => new(name, group, version, "PodExecOptions", ["create", "get"]),
        "attach" => new(name, group, version, "PodAttachOptions", ["create", "get"]),
        "portforward" => new(name, group, version, "PodPortForwardOptions", ["create", "get"]),
        "proxy" => new(name, group, version, kind + "ProxyOptions", ["create", "delete", "get", "patch", "update"]),
        _ => throw new ArgumentException($"unknown subresource {name}", nameof(name)),
    };

    private static string[] Split(string csv) =>
        csv.Length == 0 ? [] : csv.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
