using System.Text.Json.Nodes;
using static Korvet.ApiServer.Tests.Strategies.StrategyHarness;

namespace Korvet.ApiServer.Tests.Strategies;

public sealed class OtherKindsTests
{
    [Theory]
    [InlineData("rbac.authorization.k8s.io", "rolebindings",
        """{"metadata":{"name":"b"},"roleRef":{"kind":"Role","name":"r"},"subjects":[{"kind":"User","name":"u"},{"kind":"ServiceAccount","name":"sa","namespace":"default"}]}""",
        """{"metadata":{"name":"b","uid":"00000000-0000-0000-0000-000000000001"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"Role","name":"r"},"subjects":[{"kind":"User","name":"u","apiGroup":"rbac.authorization.k8s.io"},{"kind":"ServiceAccount","name":"sa","namespace":"default"}]}""")]
    [InlineData("scheduling.k8s.io", "priorityclasses", """{"metadata":{"name":"high"},"value":1000}""",
        """{"metadata":{"name":"high","uid":"00000000-0000-0000-0000-000000000001"},"value":1000,"preemptionPolicy":"PreemptLowerPriority"}""")]
    [InlineData("storage.k8s.io", "storageclasses", """{"metadata":{"name":"local"},"provisioner":"rancher.io/local-path"}""",
        """{"metadata":{"name":"local","uid":"00000000-0000-0000-0000-000000000001"},"provisioner":"rancher.io/local-path","reclaimPolicy":"Delete","volumeBindingMode":"Immediate"}""")]
    [InlineData("networking.k8s.io", "networkpolicies", """{"metadata":{"name":"n"},"spec":{"podSelector":{},"egress":[{"ports":[{"port":53}]}]}}""",
        """{"metadata":{"name":"n","uid":"00000000-0000-0000-0000-000000000001"},"spec":{"podSelector":{},"egress":[{"ports":[{"port":53,"protocol":"TCP"}]}],"policyTypes":["Ingress","Egress"]}}""")]
    [InlineData("policy", "poddisruptionbudgets", """{"metadata":{"name":"p"},"spec":{"minAvailable":1,"selector":{"matchLabels":{"app":"a"}}}}""",
        """{"metadata":{"name":"p","uid":"00000000-0000-0000-0000-000000000001"},"spec":{"minAvailable":1,"selector":{"matchLabels":{"app":"a"}}},"status":{"currentHealthy":0,"desiredHealthy":0,"disruptionsAllowed":0,"expectedPods":0}}""")]
    [InlineData("", "persistentvolumeclaims", """{"metadata":{"name":"c"},"spec":{"accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"1Gi"}}}}""",
        """{"metadata":{"name":"c","uid":"00000000-0000-0000-0000-000000000001"},"spec":{"accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"1Gi"}},"volumeMode":"Filesystem"},"status":{"phase":"Pending"}}""")]
    [InlineData("discovery.k8s.io", "endpointslices", """{"metadata":{"name":"e"},"addressType":"IPv4","endpoints":[{"addresses":["10.0.0.1"]}],"ports":[{"port":80}]}""",
        """{"metadata":{"name":"e","uid":"00000000-0000-0000-0000-000000000001"},"addressType":"IPv4","endpoints":[{"addresses":["10.0.0.1"]}],"ports":[{"port":80,"name":"","protocol":"TCP"}]}""")]
    [InlineData("", "endpoints", """{"metadata":{"name":"e"},"subsets":[{"addresses":[{"ip":"10.0.0.1"}],"ports":[{"port":80}]}]}""",
        """{"metadata":{"name":"e","uid":"00000000-0000-0000-0000-000000000001"},"subsets":[{"addresses":[{"ip":"10.0.0.1"}],"ports":[{"port":80,"protocol":"TCP"}]}]}""")]
    [InlineData("", "limitranges", """{"metadata":{"name":"l"},"spec":{"limits":[{"type":"Container","max":{"cpu":"2"},"min":{"memory":"1Mi"}}]}}""",
        """{"metadata":{"name":"l","uid":"00000000-0000-0000-0000-000000000001"},"spec":{"limits":[{"type":"Container","max":{"cpu":"2"},"min":{"memory":"1Mi"},"default":{"cpu":"2"},"defaultRequest":{"cpu":"2","memory":"1Mi"}}]}}""")]
    [InlineData("", "nodes", """{"metadata":{"name":"n"},"status":{"capacity":{"cpu":"2"}}}""",
        """{"metadata":{"name":"n","uid":"00000000-0000-0000-0000-000000000001"},"status":{"capacity":{"cpu":"2"},"allocatable":{"cpu":"2"}}}""")]
    [InlineData("autoscaling", "horizontalpodautoscalers",
        """{"apiVersion":"autoscaling/v2","kind":"HorizontalPodAutoscaler","metadata":{"name":"h"},"spec":{"scaleTargetRef":{"apiVersion":"apps/v1","kind":"Deployment","name":"d"},"maxReplicas":5}}""",
        """{"apiVersion":"autoscaling/v2","kind":"HorizontalPodAutoscaler","metadata":{"name":"h","uid":"00000000-0000-0000-0000-000000000001"},"spec":{"scaleTargetRef":{"apiVersion":"apps/v1","kind":"Deployment","name":"d"},"maxReplicas":5,"minReplicas":1,"metrics":[{"type":"Resource","resource":{"name":"cpu","target":{"type":"Utilization","averageUtilization":80}}}]},"status":{"currentMetrics":null,"desiredReplicas":0}}""")]
    public void Defaults(string group, string plural, string input, string expected) =>
        AssertJson(expected, Defaulted(group, plural, input));

    [Theory]
    [InlineData("rbac.authorization.k8s.io", "rolebindings", """{"metadata":{"name":"b"},"roleRef":{"kind":"Thing","name":"r"}}""",
        "RoleBinding \"b\" is invalid: roleRef.kind: Unsupported value: \"Thing\": supported values: \"Role\", \"ClusterRole\"")]
    [InlineData("rbac.authorization.k8s.io", "clusterroles", """{"metadata":{"name":"r"},"rules":[{"apiGroups":[""],"resources":["pods"]}]}""",
        "ClusterRole \"r\" is invalid: rules[0].verbs: Required value: verbs must contain at least one value")]
    [InlineData("rbac.authorization.k8s.io", "roles", """{"metadata":{"name":"r"},"rules":[{"verbs":["get"]},{"verbs":["get"],"nonResourceURLs":["/healthz"]}]}""",
        "Role \"r\" is invalid: [rules[0].apiGroups: Required value: resource rules must supply at least one api group, rules[0].resources: Required value: resource rules must supply at least one resource, rules[1].nonResourceURLs: Invalid value: []string{\"/healthz\"}: namespaced rules cannot apply to non-resource URLs]")]
    [InlineData("rbac.authorization.k8s.io", "clusterroles", """{"metadata":{"name":"r"},"rules":[{"verbs":["get"],"nonResourceURLs":["/healthz","/livez"]}]}""", "")]
    [InlineData("rbac.authorization.k8s.io", "clusterrolebindings", """{"metadata":{"name":"b"},"roleRef":{"kind":"ClusterRole","name":"view"},"subjects":[{"kind":"ServiceAccount","name":"sa"}]}""",
        "ClusterRoleBinding \"b\" is invalid: subjects[0].namespace: Required value")]
    [InlineData("scheduling.k8s.io", "priorityclasses", """{"metadata":{"name":"huge"},"value":2000000000}""",
        "PriorityClass \"huge\" is invalid: value: Forbidden: maximum allowed value of a user defined priority is 1000000000")]
    [InlineData("storage.k8s.io", "storageclasses", """{"metadata":{"name":"s"}}""", "StorageClass \"s\" is invalid: provisioner: Required value")]
    [InlineData("", "persistentvolumeclaims", """{"metadata":{"name":"c"},"spec":{"resources":{"requests":{"storage":"1Gi"}}}}""",
        "PersistentVolumeClaim \"c\" is invalid: spec.accessModes: Required value: at least 1 access mode is required")]
    [InlineData("networking.k8s.io", "ingresses", """{"metadata":{"name":"i"},"spec":{"rules":[{"http":{"paths":[{"path":"/","backend":{"service":{"name":"s","port":{"number":80}}}}]}}]}}""",
        "Ingress \"i\" is invalid: spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified")]
    [InlineData("autoscaling", "horizontalpodautoscalers", """{"metadata":{"name":"h"},"spec":{"scaleTargetRef":{"kind":"Deployment","name":"d"},"minReplicas":3,"maxReplicas":2}}""",
        "HorizontalPodAutoscaler \"h\" is invalid: spec.maxReplicas: Invalid value: 2: must be greater than or equal to `minReplicas`")]
    [InlineData("coordination.k8s.io", "leases", """{"metadata":{"name":"l"},"spec":{"leaseDurationSeconds":0}}""",
        "Lease \"l\" is invalid: spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0")]
    [InlineData("discovery.k8s.io", "endpointslices", """{"metadata":{"name":"e"},"addressType":"IPv5"}""",
        "EndpointSlice \"e\" is invalid: addressType: Unsupported value: \"IPv5\": supported values: \"IPv4\", \"IPv6\", \"FQDN\"")]
    public void Invalid(string group, string plural, string input, string message) =>
        Assert.Equal(message, CreateError(group, plural, input));

    [Fact]
    public void ImmutableFieldsOfSmallKinds()
    {
        JsonObject binding = Defaulted("rbac.authorization.k8s.io", "clusterrolebindings",
            """{"metadata":{"name":"b"},"roleRef":{"kind":"ClusterRole","name":"view"},"subjects":[{"kind":"Group","name":"g"}]}""");
        var rebound = (JsonObject)binding.DeepClone();
        rebound["roleRef"]!["name"] = "edit";
        Assert.Equal("ClusterRoleBinding \"b\" is invalid: roleRef: Invalid value: rbac.RoleRef{APIGroup:\"rbac.authorization.k8s.io\", Kind:\"ClusterRole\", Name:\"edit\"}: cannot change roleRef",
            UpdateError("rbac.authorization.k8s.io", "clusterrolebindings", binding, rebound));

        JsonObject pc = Defaulted("scheduling.k8s.io", "priorityclasses", """{"metadata":{"name":"p"},"value":5}""");
        var changed = (JsonObject)pc.DeepClone();
        changed["value"] = 6;
        Assert.Equal("PriorityClass \"p\" is invalid: value: Forbidden: may not be changed in an update.",
            UpdateError("scheduling.k8s.io", "priorityclasses", pc, changed));

        JsonObject claim = Defaulted("", "persistentvolumeclaims", """{"metadata":{"name":"c"},"spec":{"accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"1Gi"}}}}""");
        var grown = (JsonObject)claim.DeepClone();
        grown["spec"]!["resources"]!["requests"]!["storage"] = "2Gi";
        Assert.Equal("", UpdateError("", "persistentvolumeclaims", claim, grown));
        var remoded = (JsonObject)claim.DeepClone();
        remoded["spec"]!["accessModes"] = new JsonArray("ReadWriteMany");
        Assert.StartsWith("PersistentVolumeClaim \"c\" is invalid: spec: Forbidden: spec is immutable after creation",
            UpdateError("", "persistentvolumeclaims", claim, remoded));
    }
}
