using System.Text.Json.Nodes;
using static Korvet.ApiServer.Tests.Strategies.StrategyHarness;

namespace Korvet.ApiServer.Tests.Strategies;

public sealed class ServiceStrategyTests
{
    [Fact]
    public void ClusterIpServiceDefaults()
    {
        JsonObject svc = Defaulted("", "services", """{"metadata":{"name":"s"},"spec":{"selector":{"app":"web"},"ports":[{"port":80}]}}""");
        AssertJson("""
            {"selector":{"app":"web"},"ports":[{"port":80,"protocol":"TCP","targetPort":80}],"type":"ClusterIP","sessionAffinity":"None",
             "internalTrafficPolicy":"Cluster","ipFamilyPolicy":"SingleStack","ipFamilies":["IPv4"]}
            """, svc["spec"]);
        AssertJson("""{"loadBalancer":{}}""", svc["status"]);
    }

    [Fact]
    public void NodePortAndLoadBalancerDefaults()
    {
        JsonObject np = Defaulted("", "services", """{"metadata":{"name":"s"},"spec":{"type":"NodePort","ports":[{"port":80,"targetPort":"http"}]}}""");
        Assert.Equal("Cluster", (string?)np["spec"]!["externalTrafficPolicy"]);
        Assert.Equal("http", (string?)np["spec"]!["ports"]![0]!["targetPort"]);
        JsonObject lb = Defaulted("", "services", """{"metadata":{"name":"s"},"spec":{"type":"LoadBalancer","sessionAffinity":"ClientIP","ports":[{"port":80}]}}""");
        Assert.True((bool)lb["spec"]!["allocateLoadBalancerNodePorts"]!);
        Assert.Equal(10800, (int)lb["spec"]!["sessionAffinityConfig"]!["clientIP"]!["timeoutSeconds"]!);
    }

    [Fact]
    public void HeadlessWithoutSelectorRequiresDualStackAndExternalNameGetsNoIpFields()
    {
        JsonObject headless = Defaulted("", "services", """{"metadata":{"name":"s"},"spec":{"clusterIP":"None"}}""");
        Assert.Equal("RequireDualStack", (string?)headless["spec"]!["ipFamilyPolicy"]);
        AssertJson("""["None"]""", headless["spec"]!["clusterIPs"]);
        JsonObject external = Defaulted("", "services", """{"metadata":{"name":"s"},"spec":{"type":"ExternalName","externalName":"example.com"}}""");
        Assert.Null(external["spec"]!["ipFamilies"]);
        Assert.Null(external["spec"]!["internalTrafficPolicy"]);
    }

    [Theory]
    [InlineData("""{"selector":{"app":"web"}}""", "Service \"s\" is invalid: spec.ports: Required value")]
    [InlineData("""{"ports":[{"port":0}]}""", "Service \"s\" is invalid: [spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive, spec.ports[0].targetPort: Invalid value: 0: must be between 1 and 65535, inclusive]")]
    [InlineData("""{"ports":[{"port":80,"protocol":"ICMP"}]}""",
        "Service \"s\" is invalid: spec.ports[0].protocol: Unsupported value: \"ICMP\": supported values: \"SCTP\", \"TCP\", \"UDP\"")]
    [InlineData("""{"ports":[{"port":80},{"port":81}]}""", "Service \"s\" is invalid: [spec.ports[0].name: Required value, spec.ports[1].name: Required value]")]
    [InlineData("""{"ports":[{"name":"a","port":80},{"name":"a","port":81}]}""", "Service \"s\" is invalid: spec.ports[1].name: Duplicate value: \"a\"")]
    [InlineData("""{"type":"Bogus","ports":[{"port":80}]}""",
        "Service \"s\" is invalid: spec.type: Unsupported value: \"Bogus\": supported values: \"ClusterIP\", \"ExternalName\", \"LoadBalancer\", \"NodePort\"")]
    [InlineData("""{"ports":[{"port":80,"nodePort":30080}]}""", "Service \"s\" is invalid: spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'")]
    [InlineData("""{"type":"ExternalName"}""", "Service \"s\" is invalid: spec.externalName: Required value")]
    public void InvalidServices(string spec, string message) =>
        Assert.Equal(message, CreateError("", "services", $$$"""{"metadata":{"name":"s"},"spec":{{{spec}}}}"""));

    [Fact]
    public void UpdateKeepsAllocatedValuesAndClusterIpIsImmutable()
    {
        JsonObject old = Defaulted("", "services", """{"metadata":{"name":"s"},"spec":{"type":"NodePort","clusterIP":"10.43.0.10","ports":[{"port":80,"nodePort":30080}]}}""");
        JsonObject replaced = Obj("""{"metadata":{"name":"s"},"spec":{"type":"NodePort","ports":[{"port":80}]}}""");
        Assert.Equal("", UpdateError("", "services", old, replaced));
        Assert.Equal("10.43.0.10", (string?)replaced["spec"]!["clusterIP"]);
        Assert.Equal(30080, (int)replaced["spec"]!["ports"]![0]!["nodePort"]!);

        JsonObject moved = (JsonObject)old.DeepClone();
        moved["spec"]!["clusterIP"] = "10.43.0.11";
        moved["spec"]!["clusterIPs"] = new JsonArray("10.43.0.11");
        Assert.Equal("Service \"s\" is invalid: spec.clusterIPs[0]: Invalid value: []string{\"10.43.0.11\"}: may not change once set",
            UpdateError("", "services", old, moved));
    }
}
