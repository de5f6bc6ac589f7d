using static Korvet.ApiServer.Tests.Kubectl.KubectlAssert;

namespace Korvet.ApiServer.Tests.Kubectl;

/// <summary>Service IP and node-port allocation and the bootstrap <c>kubernetes</c> Service, as kubectl 1.32 shows them.</summary>
public sealed class KubectlServiceTests : IClassFixture<ApiOnlyCluster>
{
    private readonly TestCluster _server;

    public KubectlServiceTests(ApiOnlyCluster server) => _server = server;

    [KubectlFact]
    public async Task NodePortServiceGetsClusterIpAndNodePortAndKubernetesServiceExists()
    {
        var created = await _server.RunAsync("create", "service", "nodeport", "x", "--tcp=80:8080");
        Succeeded(created);
        Assert.Equal("service/x created", created.Out.Trim());

        var svc = await _server.RunAsync("get", "svc", "x");
        Succeeded(svc);
        Assert.Matches(@"x\s+NodePort\s+10\.43\.\d+\.\d+\s+<none>\s+80:3\d{4}/TCP\s+\d+s", svc.Out);

        var taken = await _server.RunAsync("get", "svc", "x", "-o", "jsonpath={.spec.ports[0].nodePort}");
        Succeeded(taken);
        var clash = await _server.RunAsync("create", "service", "nodeport", "y", "--tcp=81:8080", $"--node-port={taken.Out}");
        Assert.NotEqual(0, clash.Exit);
        Assert.Contains($"spec.ports[0].nodePort: Invalid value: {taken.Out}: provided port is already allocated", clash.Err, StringComparison.Ordinal);

        var kubernetes = await _server.RunAsync("get", "svc", "kubernetes");
        Succeeded(kubernetes);
        Assert.Matches(@"kubernetes\s+ClusterIP\s+10\.43\.0\.1\s+<none>\s+443/TCP", kubernetes.Out);

        var endpoints = await _server.RunAsync("get", "endpoints", "kubernetes", "-o", "jsonpath={.subsets[0].addresses[0].ip}");
        Succeeded(endpoints);
        Assert.Equal("127.0.0.1", endpoints.Out);

        var slice = await _server.RunAsync("get", "endpointslices", "-l", "kubernetes.io/service-name=kubernetes", "-o", "name");
        Succeeded(slice);
        Assert.Equal("endpointslice.discovery.k8s.io/kubernetes", slice.Out.Trim());
    }
}
