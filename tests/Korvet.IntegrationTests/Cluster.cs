using Korvet.Agent.Simulation;
using Korvet.Client;
using Korvet.Server;

namespace Korvet.IntegrationTests;

/// <summary>A whole in-process cluster as a user gets it from <c>korvet server --simulate-nodes 3</c>: API server,
/// controller manager, scheduler and three simulated nodes, driven by the real kubectl 1.32.</summary>
public class SimulatedCluster : TestCluster
{
    protected override ServerOptions CreateOptions() => base.CreateOptions() with { SimulateNodes = 3 };

    /// <summary>A client with the admin credentials (for starting extra simulated nodes).</summary>
    public KubernetesClient NewClient() => new(ClientOptions);

    /// <summary>Starts <paramref name="count"/> more simulated nodes named <c>prefix-i</c>, as a separate
    /// <c>korvet agent --simulate</c> would; disposing the result stops their kubelets (leases stop being renewed).</summary>
    public async Task<ExtraNodes> StartNodesAsync(string prefix, int count, string cpu = "32")
    {
        KubernetesClient client = NewClient();
        var simulator = new NodeSimulator(client, new SimulationOptions(count, prefix, Cpu: cpu, LeaseRenewInterval: TimeSpan.FromSeconds(1)));
        await simulator.StartAsync(CancellationToken.None);
        return new ExtraNodes(client, simulator);
    }
}

/// <summary>Simulated nodes started by a test; disposing stops them like a dead machine (nothing is cleaned up).</summary>
public sealed class ExtraNodes(KubernetesClient client, NodeSimulator simulator) : IAsyncDisposable
{
    public IReadOnlyList<string> Names => simulator.NodeNames;

    public async ValueTask DisposeAsync()
    {
        await simulator.DisposeAsync();
        client.Dispose();
    }
}

/// <summary>A cluster whose node lifecycle controller gives up on a node after 20 s of silence (upstream: 40 s) and whose
/// pods tolerate an unreachable node for 3 s (upstream: 300 s), so node failure is observable in a test.</summary>
public sealed class FastNodeFailureCluster : SimulatedCluster
{
    protected override ServerOptions CreateOptions() => base.CreateOptions() with
    {
        DefaultTolerationSeconds = 3,
        Controllers = new Korvet.Controllers.ControllerManagerOptions
        {
            NodeMonitorGracePeriod = TimeSpan.FromSeconds(20),
            NodeMonitorPeriod = TimeSpan.FromMilliseconds(500),
        },
    };
}
