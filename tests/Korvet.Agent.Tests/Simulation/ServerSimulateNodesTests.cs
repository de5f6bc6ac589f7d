using Korvet.Server;

namespace Korvet.Agent.Tests.Simulation;

/// <summary><c>korvet server --simulate-nodes 2</c>: the server runs simulated nodes in-process over loopback HTTPS.</summary>
public sealed class ServerSimulateNodesTests(ServerSimulateNodesTests.Cluster cluster) : IClassFixture<ServerSimulateNodesTests.Cluster>
{
    public sealed class Cluster : TestCluster
    {
        protected override ServerOptions CreateOptions() => base.CreateOptions() with { SimulateNodes = 2 };
    }

    [Fact]
    public async Task SimulatedNodesAreReadyInKubectl()
    {
        (int exit, string output, string err) = await cluster.RunAsync("get", "nodes", "--no-headers");
        Assert.True(exit == 0, err);
        Assert.Matches(@"(?m)^korvet-sim-0\s+Ready\s", output);
        Assert.Matches(@"(?m)^korvet-sim-1\s+Ready\s", output);
        (exit, output, err) = await cluster.RunAsync("get", "leases", "-n", "kube-node-lease", "-o", "name");
        Assert.True(exit == 0, err);
        Assert.Contains("lease.coordination.k8s.io/korvet-sim-0", output, StringComparison.Ordinal);
    }
}
