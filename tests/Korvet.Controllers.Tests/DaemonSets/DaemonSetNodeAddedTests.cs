using Korvet.Agent.Simulation;
using Korvet.Client;

namespace Korvet.Controllers.Tests.DaemonSets;

/// <summary>Nodes joining and leaving a cluster (its own cluster: the node count changes).</summary>
public sealed class DaemonSetNodeAddedTests(DaemonSetCluster cluster) : IClassFixture<DaemonSetCluster>
{
    [KubectlFact]
    public async Task ANodeAddedLaterGetsAPodAndADeletedNodeLeavesTheCount()
    {
        const string ns = "ds-grow";
        await cluster.OkAsync("create", "namespace", ns);
        await cluster.ApplyAsync(ns, DaemonSetCluster.Manifest("agent", "agent:1"));
        await cluster.OkAsync("-n", ns, "rollout", "status", "daemonset/agent", "--timeout=60s");
        Assert.Equal(3, (await cluster.PodRowsAsync(ns, "app=agent")).Count);

        (KubernetesClient client, NodeSimulator simulator) = await cluster.StartNodesAsync("late", 1);
        try
        {
            await cluster.EventuallyAsync(o => o == "4 4 4", 30, "-n", ns, "get", "ds", "agent", "-o",
                "jsonpath={.status.desiredNumberScheduled} {.status.currentNumberScheduled} {.status.numberReady}");
            await cluster.OkAsync("-n", ns, "rollout", "status", "daemonset/agent", "--timeout=60s");
            Assert.Contains("late-0 Running agent:1", await cluster.PodRowsAsync(ns, "app=agent"));
        }
        finally
        {
            await simulator.DisposeAsync();
            client.Dispose();
        }

        await cluster.OkAsync("delete", "node", "late-0");
        await cluster.EventuallyAsync(o => o == "3 3 3", 30, "-n", ns, "get", "ds", "agent", "-o",
            "jsonpath={.status.desiredNumberScheduled} {.status.currentNumberScheduled} {.status.numberAvailable}");
        await cluster.OkAsync("-n", ns, "rollout", "status", "daemonset/agent", "--timeout=30s");
    }
}
