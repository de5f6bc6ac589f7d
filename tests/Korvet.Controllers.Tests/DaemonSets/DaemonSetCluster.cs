using Korvet.Agent.Simulation;
using Korvet.Client;
using Korvet.Server;

namespace Korvet.Controllers.Tests.DaemonSets;

/// <summary>
/// A whole in-process cluster as <c>korvet server --simulate-nodes 3</c> gives it (API server, the default controller
/// manager with the DaemonSet controller, scheduler, nodes korvet-sim-0..2), driven by the real kubectl.
/// </summary>
public class DaemonSetCluster : TestCluster
{
    public static readonly string[] Nodes = ["korvet-sim-0", "korvet-sim-1", "korvet-sim-2"];

    protected override ServerOptions CreateOptions() => base.CreateOptions() with { SimulateNodes = 3 };

    public KubernetesClient NewClient() => new(ClientOptions);

    /// <summary>Starts <paramref name="count"/> more simulated nodes <c>prefix-i</c>; disposing stops their kubelets.</summary>
    public async Task<(KubernetesClient Client, NodeSimulator Simulator)> StartNodesAsync(string prefix, int count)
    {
        KubernetesClient client = NewClient();
        var simulator = new NodeSimulator(client, new SimulationOptions(count, prefix, LeaseRenewInterval: TimeSpan.FromSeconds(1)));
        await simulator.StartAsync(CancellationToken.None);
        return (client, simulator);
    }

    public async Task<string> ApplyAsync(string ns, string yaml)
    {
        (int exit, string stdout, string stderr) = await RunWithInputAsync(yaml, "-n", ns, "apply", "-f", "-");
        Assert.True(exit == 0, $"kubectl apply failed ({exit}): {stderr}{stdout}");
        return stdout;
    }

    /// <summary>"node phase image" rows of the live (not terminating) pods of <paramref name="selector"/>, sorted.</summary>
    public async Task<List<string>> PodRowsAsync(string ns, string selector)
    {
        string output = await OkAsync("-n", ns, "get", "pods", "-l", selector, "-o",
            "jsonpath={range .items[*]}{.metadata.deletionTimestamp}|{.spec.nodeName} {.status.phase} {.spec.containers[0].image}{\"\\n\"}{end}");
        return [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(r => r.StartsWith('|')).Select(r => r[1..]).Order(StringComparer.Ordinal)];
    }

    /// <summary>A DaemonSet manifest named <paramref name="name"/> (label app=name) with optional extra pod spec YAML.</summary>
    public static string Manifest(string name, string image, string podSpecExtra = "", string strategy = "")
    {
        string indentedExtra = string.Join('\n', podSpecExtra.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => "      " + l));
        return $"""
            apiVersion: apps/v1
            kind: DaemonSet
            metadata:
              name: {name}
            spec:
              selector:
                matchLabels:
                  app: {name}
            {strategy}
              template:
                metadata:
                  labels:
                    app: {name}
                spec:
                  containers:
                  - name: agent
                    image: {image}
            {indentedExtra}
            """;
    }
}
