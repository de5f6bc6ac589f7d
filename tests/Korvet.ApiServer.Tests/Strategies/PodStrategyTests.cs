using System.Text.Json.Nodes;
using static Korvet.ApiServer.Tests.Strategies.StrategyHarness;

namespace Korvet.ApiServer.Tests.Strategies;

public sealed class PodStrategyTests
{
    private const string Minimal = """{"metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"nginx"}]}}""";

    [Fact]
    public void MinimalPodGetsUpstreamDefaultsAndPendingStatus()
    {
        JsonObject pod = Defaulted("", "pods", Minimal);
        AssertJson("""
            {"containers":[{"name":"c","image":"nginx","imagePullPolicy":"Always","resources":{},
              "terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File"}],
             "dnsPolicy":"ClusterFirst","enableServiceLinks":true,"restartPolicy":"Always","schedulerName":"default-scheduler",
             "securityContext":{},"terminationGracePeriodSeconds":30,
             "tolerations":[{"key":"node.kubernetes.io/not-ready","operator":"Exists","effect":"NoExecute","tolerationSeconds":300},
               {"key":"node.kubernetes.io/unreachable","operator":"Exists","effect":"NoExecute","tolerationSeconds":300}]}
            """, pod["spec"]);
        AssertJson("""{"phase":"Pending","qosClass":"BestEffort"}""", pod["status"]);
    }

    [Theory]
    [InlineData("nginx", "Always")]
    [InlineData("nginx:latest", "Always")]
    [InlineData("nginx:1.27", "IfNotPresent")]
    [InlineData("localhost:5000/nginx", "Always")]
    [InlineData("localhost:5000/nginx:v1", "IfNotPresent")]
    [InlineData("nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "IfNotPresent")]
    public void ImagePullPolicyFollowsTheTag(string image, string policy)
    {
        JsonObject pod = Defaulted("", "pods", $$$"""{"metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"{{{image}}}"}]}}""");
        Assert.Equal(policy, (string?)pod["spec"]!["containers"]![0]!["imagePullPolicy"]);
    }

    [Fact]
    public void NestedDefaultsPortsProbesVolumesEnvAndRequestsFromLimits()
    {
        JsonObject pod = Defaulted("", "pods", """
            {"metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"nginx:1",
              "ports":[{"containerPort":80}],
              "livenessProbe":{"httpGet":{"port":80}},
              "env":[{"name":"N","valueFrom":{"fieldRef":{"fieldPath":"metadata.name"}}}],
              "resources":{"limits":{"cpu":"1","memory":"1Gi"}},
              "volumeMounts":[{"name":"a","mountPath":"/a"},{"name":"b","mountPath":"/b"},{"name":"e","mountPath":"/e"}]}],
             "volumes":[{"name":"a","configMap":{"name":"cm"}},{"name":"b","secret":{"secretName":"s"}},{"name":"e"}]}}
            """);
        JsonNode c = pod["spec"]!["containers"]![0]!;
        AssertJson("""[{"containerPort":80,"protocol":"TCP"}]""", c["ports"]);
        AssertJson("""{"httpGet":{"port":80,"path":"/","scheme":"HTTP"},"timeoutSeconds":1,"periodSeconds":10,"successThreshold":1,"failureThreshold":3}""", c["livenessProbe"]);
        AssertJson("""{"fieldRef":{"apiVersion":"v1","fieldPath":"metadata.name"}}""", c["env"]![0]!["valueFrom"]);
        AssertJson("""{"limits":{"cpu":"1","memory":"1Gi"},"requests":{"cpu":"1","memory":"1Gi"}}""", c["resources"]);
        AssertJson("""[{"name":"a","configMap":{"name":"cm","defaultMode":420}},{"name":"b","secret":{"secretName":"s","defaultMode":420}},{"name":"e","emptyDir":{}}]""",
            pod["spec"]!["volumes"]);
        Assert.Equal("Guaranteed", (string?)pod["status"]!["qosClass"]);
    }

    [Theory]
    [InlineData("""{"requests":{"cpu":"1","memory":"1Gi"},"limits":{"cpu":"1000m","memory":"1024Mi"}}""", "Guaranteed")]
    [InlineData("""{"requests":{"cpu":"100m"}}""", "Burstable")]
    [InlineData("""{"limits":{"memory":"1Gi"}}""", "Burstable")]
    [InlineData("""{"requests":{"ephemeral-storage":"1Gi"}}""", "BestEffort")]
    public void QosClassComparesQuantitiesByValue(string resources, string qos)
    {
        JsonObject pod = Defaulted("", "pods", $$$"""{"metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"x","resources":{{{resources}}}}]}}""");
        Assert.Equal(qos, (string?)pod["status"]!["qosClass"]);
    }

    [Fact]
    public void HostNetworkCopiesContainerPortsToHostPorts()
    {
        JsonObject pod = Defaulted("", "pods", """{"metadata":{"name":"p"},"spec":{"hostNetwork":true,"containers":[{"name":"c","image":"x","ports":[{"containerPort":8080}]}]}}""");
        Assert.Equal(8080, (int)pod["spec"]!["containers"]![0]!["ports"]![0]!["hostPort"]!);
    }

    [Theory]
    [InlineData("""{"containers":[]}""", "Pod \"p\" is invalid: spec.containers: Required value")]
    [InlineData("""{"containers":[{"name":"c"}]}""", "Pod \"p\" is invalid: spec.containers[0].image: Required value")]
    [InlineData("""{"containers":[{"image":"x"}]}""", "Pod \"p\" is invalid: spec.containers[0].name: Required value")]
    [InlineData("""{"containers":[{"name":"C_1","image":"x"}]}""",
        "Pod \"p\" is invalid: spec.containers[0].name: Invalid value: \"C_1\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')")]
    [InlineData("""{"containers":[{"name":"c","image":"x"},{"name":"c","image":"y"}]}""", "Pod \"p\" is invalid: spec.containers[1].name: Duplicate value: \"c\"")]
    [InlineData("""{"containers":[{"name":"c","image":"x","ports":[{"containerPort":70000}]}]}""",
        "Pod \"p\" is invalid: spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive")]
    [InlineData("""{"containers":[{"name":"c","image":"x","ports":[{"containerPort":80,"protocol":"HTTP"}]}]}""",
        "Pod \"p\" is invalid: spec.containers[0].ports[0].protocol: Unsupported value: \"HTTP\": supported values: \"SCTP\", \"TCP\", \"UDP\"")]
    [InlineData("""{"containers":[{"name":"c","image":"x","ports":[{"name":"web","containerPort":80},{"name":"web","containerPort":81}]}]}""",
        "Pod \"p\" is invalid: spec.containers[0].ports[1].name: Duplicate value: \"web\"")]
    [InlineData("""{"restartPolicy":"Sometimes","containers":[{"name":"c","image":"x"}]}""",
        "Pod \"p\" is invalid: spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", \"OnFailure\", \"Never\"")]
    [InlineData("""{"containers":[{"name":"c","image":"x","volumeMounts":[{"name":"v","mountPath":"/v"}]}]}""",
        "Pod \"p\" is invalid: spec.containers[0].volumeMounts[0].name: Not found: \"v\"")]
    [InlineData("""{"containers":[{"name":"c","image":"x","imagePullPolicy":"Sometimes"}]}""",
        "Pod \"p\" is invalid: spec.containers[0].imagePullPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", \"IfNotPresent\", \"Never\"")]
    [InlineData("""{"containers":[{"name":"c","image":"x","resources":{"requests":{"cpu":"2"},"limits":{"cpu":"1500m"}}}]}""",
        "Pod \"p\" is invalid: spec.containers[0].resources.requests[cpu]: Invalid value: \"2\": must be less than or equal to cpu limit of 1500m")]
    [InlineData("""{"containers":[{"name":"c"},{"name":"d"}]}""",
        "Pod \"p\" is invalid: [spec.containers[0].image: Required value, spec.containers[1].image: Required value]")]
    public void InvalidPodsGetUpstreamMessages(string spec, string message) =>
        Assert.Equal(message, CreateError("", "pods", $$$"""{"metadata":{"name":"p"},"spec":{{{spec}}}}"""));

    [Fact]
    public void UpdatesMayChangeImagesButNotOtherSpecFields()
    {
        JsonObject old = Defaulted("", "pods", Minimal);
        var image = (JsonObject)old.DeepClone();
        image["spec"]!["containers"]![0]!["image"] = "nginx:2";
        image["spec"]!["activeDeadlineSeconds"] = 30;
        Assert.Equal("", UpdateError("", "pods", old, image));

        var env = (JsonObject)old.DeepClone();
        env["spec"]!["containers"]![0]!["env"] = new JsonArray(new JsonObject { ["name"] = "A", ["value"] = "b" });
        Assert.StartsWith("Pod \"p\" is invalid: spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`", UpdateError("", "pods", old, env));
    }

    [Fact]
    public void UpdateKeepsStatusAndLabelsAreValidated()
    {
        JsonObject old = Defaulted("", "pods", Minimal);
        var updated = (JsonObject)old.DeepClone();
        updated["status"] = new JsonObject { ["phase"] = "Running" };
        updated["metadata"]!["labels"] = new JsonObject { ["bad key!"] = "v" };
        string error = UpdateError("", "pods", old, updated);
        Assert.Equal("Pending", (string?)updated["status"]!["phase"]);
        Assert.StartsWith("Pod \"p\" is invalid: metadata.labels: Invalid value: \"bad key!\": name part must consist of alphanumeric characters", error);
    }

    [Fact]
    public void DefaultTolerationsRespectExistingOnes()
    {
        JsonObject pod = Defaulted("", "pods", """
            {"metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"nginx"}],
             "tolerations":[{"key":"node.kubernetes.io/unreachable","operator":"Exists","effect":"NoExecute","tolerationSeconds":5}]}}
            """);
        AssertJson("""
            [{"key":"node.kubernetes.io/unreachable","operator":"Exists","effect":"NoExecute","tolerationSeconds":5},
             {"key":"node.kubernetes.io/not-ready","operator":"Exists","effect":"NoExecute","tolerationSeconds":300}]
            """, pod["spec"]!["tolerations"]);
        JsonObject all = Defaulted("", "pods", """{"metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"nginx"}],"tolerations":[{"operator":"Exists"}]}}""");
        AssertJson("""[{"operator":"Exists"}]""", all["spec"]!["tolerations"]);
    }
}
