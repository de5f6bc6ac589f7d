using Korvet.Agent.Simulation;
using Korvet.Client;
using Korvet.Client.Cache;
using Korvet.Server.Bootstrap;
using Microsoft.Extensions.Logging;

namespace Korvet.Server;

/// <summary>
/// <c>korvet server --simulate-nodes N</c>: simulated nodes in the server process, connected back over loopback HTTPS
/// with the admin token and the cluster CA like any other client. Owns its client; dispose to stop.
/// </summary>
internal sealed class InProcessSimulation : IAsyncDisposable
{
    private readonly KubernetesClient _client;
    private readonly NodeSimulator _simulator;

    private InProcessSimulation(KubernetesClient client, NodeSimulator simulator)
    {
        _client = client;
        _simulator = simulator;
    }

    public static async Task<InProcessSimulation> StartAsync(Uri server, ServerCredentials credentials, int count, ILoggerFactory loggerFactory,
        SharedInformerFactory? sharedInformers, CancellationToken cancellationToken)
    {
        var client = new KubernetesClient(new ClientOptions(server, credentials.CaPem, credentials.AdminToken, UserAgent: "korvet-simulator"), loggerFactory);
        var simulator = new NodeSimulator(client, new SimulationOptions(count), loggerFactory: loggerFactory, sharedInformers: sharedInformers);
        try
        {
            await simulator.StartAsync(cancellationToken);
        }
        catch
        {
            await simulator.DisposeAsync();
            client.Dispose();
            throw;
        }

        return new InProcessSimulation(client, simulator);
    }

    public async ValueTask DisposeAsync()
    {
        await _simulator.DisposeAsync();
        _client.Dispose();
    }
}
