using System.Text.Json.Nodes;
using static Korvet.ApiServer.Tests.Strategies.StrategyHarness;

namespace Korvet.ApiServer.Tests.Strategies;

public sealed class WorkloadStrategyTests
{
    private const string Template = """{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"c","image":"nginx:1"}]}}""";

    private const string TemplateDefaults = """
        {"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"c","image":"nginx:1","imagePullPolicy":"IfNotPresent",
          "resources":{},"terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File"}],
          "dnsPolicy":"ClusterFirst","restartPolicy":"Always","schedulerName":"default-scheduler","securityContext":{},
          "terminationGracePeriodSeconds":30}}
        """;

    private static string Workload(string extra = "") =>
        $$$"""{"metadata":{"name":"w"},"spec":{{{{extra}}}"selector":{"matchLabels":{"app":"web"}},"template":{{{Template}}}}}""";

    [Fact]
    public void DeploymentDefaults()
    {
        JsonObject d = Defaulted("apps", "deployments", Workload());
        AssertJson($$$"""
            {"replicas":1,"revisionHistoryLimit":10,"progressDeadlineSeconds":600,
             "strategy":{"type":"RollingUpdate","rollingUpdate":{"maxUnavailable":"25%","maxSurge":"25%"}},
             "selector":{"matchLabels":{"app":"web"}},"template":{{{TemplateDefaults}}}}
            """, d["spec"]);
        Assert.Equal("{}", d["status"]!.ToJsonString());
    }

    [Fact]
    public void RecreateDeploymentGetsNoRollingUpdate()
    {
        JsonObject d = Defaulted("apps", "deployments", Workload("\"strategy\":{\"type\":\"Recreate\"},"));
        AssertJson("""{"type":"Recreate"}""", d["spec"]!["strategy"]);
    }

    [Fact]
    public void ReplicaSetDaemonSetStatefulSetDefaults()
    {
        AssertJson($$$"""{"replicas":1,"selector":{"matchLabels":{"app":"web"}},"template":{{{TemplateDefaults}}}}""",
            Defaulted("apps", "replicasets", Workload())["spec"]);
        AssertJson($$$"""
            {"updateStrategy":{"type":"RollingUpdate","rollingUpdate":{"maxUnavailable":1,"maxSurge":0}},"revisionHistoryLimit":10,
             "selector":{"matchLabels":{"app":"web"}},"template":{{{TemplateDefaults}}}}
            """, Defaulted("apps", "daemonsets", Workload())["spec"]);
        AssertJson($$$"""
            {"replicas":1,"podManagementPolicy":"OrderedReady","serviceName":"w",
             "updateStrategy":{"type":"RollingUpdate","rollingUpdate":{"partition":0}},"revisionHistoryLimit":10,
             "persistentVolumeClaimRetentionPolicy":{"whenDeleted":"Retain","whenScaled":"Retain"},
             "volumeClaimTemplates":[{"metadata":{"name":"data"},"spec":{"accessModes":["ReadWriteOnce"],"volumeMode":"Filesystem"},"status":{"phase":"Pending"}}],
             "selector":{"matchLabels":{"app":"web"}},"template":{{{TemplateDefaults}}}}
            """, Defaulted("apps", "statefulsets", Workload("\"serviceName\":\"w\",\"volumeClaimTemplates\":[{\"metadata\":{\"name\":\"data\"},\"spec\":{\"accessModes\":[\"ReadWriteOnce\"]}}],"))["spec"]);
    }

    [Fact]
    public void ReplicationControllerDefaultsSelectorAndLabelsFromTemplate()
    {
        JsonObject rc = Defaulted("", "replicationcontrollers", $$$"""{"metadata":{"name":"w"},"spec":{"template":{{{Template}}}}}""");
        AssertJson("""{"app":"web"}""", rc["spec"]!["selector"]);
        AssertJson("""{"app":"web"}""", rc["metadata"]!["labels"]);
        Assert.Equal(1, (int)rc["spec"]!["replicas"]!);
    }

    [Theory]
    [InlineData("apps", "deployments", "Deployment")]
    [InlineData("apps", "replicasets", "ReplicaSet")]
    [InlineData("apps", "daemonsets", "DaemonSet")]
    public void SelectorMustMatchTemplateLabels(string group, string plural, string kind)
    {
        string json = """{"metadata":{"name":"w"},"spec":{"selector":{"matchLabels":{"app":"other"}},"template":""" + Template + "}}";
        Assert.Equal($"{kind} \"w\" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{{\"app\":\"web\"}}: `selector` does not match template `labels`",
            CreateError(group, plural, json));
    }

    [Theory]
    [InlineData("""{"template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"c","image":"x"}]}}}""",
        "Deployment \"w\" is invalid: spec.selector: Required value")]
    [InlineData("""{"replicas":-1,"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"c","image":"x"}]}}}""",
        "Deployment \"w\" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0")]
    [InlineData("""{"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},"spec":{"restartPolicy":"Never","containers":[{"name":"c","image":"x"}]}}}""",
        "Deployment \"w\" is invalid: spec.template.spec.restartPolicy: Unsupported value: \"Never\": supported values: \"Always\"")]
    [InlineData("""{"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"c"}]}}}""",
        "Deployment \"w\" is invalid: spec.template.spec.containers[0].image: Required value")]
    public void InvalidDeployments(string spec, string message) =>
        Assert.Equal(message, CreateError("apps", "deployments", $$$"""{"metadata":{"name":"w"},"spec":{{{spec}}}}"""));

    [Fact]
    public void DeploymentSelectorIsImmutable()
    {
        JsonObject old = Defaulted("apps", "deployments", Workload());
        var updated = (JsonObject)old.DeepClone();
        updated["spec"]!["selector"] = JsonNode.Parse("""{"matchLabels":{"app":"web2"}}""");
        updated["spec"]!["template"]!["metadata"]!["labels"] = JsonNode.Parse("""{"app":"web2"}""");
        Assert.Equal("Deployment \"w\" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{\"app\":\"web2\"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable",
            UpdateError("apps", "deployments", old, updated));
    }

    [Fact]
    public void StatefulSetOnlyAllowsUpstreamsMutableFields()
    {
        JsonObject old = Defaulted("apps", "statefulsets", Workload("\"serviceName\":\"w\","));
        var scaled = (JsonObject)old.DeepClone();
        scaled["spec"]!["replicas"] = 3;
        Assert.Equal("", UpdateError("apps", "statefulsets", old, scaled));
        var renamed = (JsonObject)old.DeepClone();
        renamed["spec"]!["serviceName"] = "other";
        Assert.Equal("StatefulSet \"w\" is invalid: spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
            UpdateError("apps", "statefulsets", old, renamed));
    }

    [Fact]
    public void StatefulSetContainersMayMountClaimTemplatesButNotUnknownVolumes()
    {
        const string claim = "\"volumeClaimTemplates\":[{\"metadata\":{\"name\":\"data\"},\"spec\":{\"accessModes\":[\"ReadWriteOnce\"],\"resources\":{\"requests\":{\"storage\":\"1Gi\"}}}}],";
        string Mounting(string volume) =>
            "{\"metadata\":{\"name\":\"w\"},\"spec\":{\"serviceName\":\"w\"," + claim + "\"selector\":{\"matchLabels\":{\"app\":\"web\"}}," +
            "\"template\":{\"metadata\":{\"labels\":{\"app\":\"web\"}},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"nginx:1\"," +
            "\"volumeMounts\":[{\"name\":\"" + volume + "\",\"mountPath\":\"/data\"}]}]}}}}";
        (JsonObject created, var causes) = Create("apps", "statefulsets", Mounting("data"));
        Assert.Empty(causes);
        Assert.Null(created["spec"]!["template"]!["spec"]!["volumes"]);
        Assert.Contains("volumeMounts[0].name: Not found: \"other\"", CreateError("apps", "statefulsets", Mounting("other")));
    }
}
