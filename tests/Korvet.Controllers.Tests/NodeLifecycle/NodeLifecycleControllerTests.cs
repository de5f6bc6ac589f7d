using Korvet.Agent.Simulation;
using Korvet.Api.Core.V1;
using Korvet.Api.Meta.V1;
using Korvet.Client;
using Korvet.Controllers.NodeLifecycle;
using Korvet.Controllers.Tests.Support;

namespace Korvet.Controllers.Tests.NodeLifecycle;

/// <summary>A simulated node whose simulator stops: NotReady, tainted, its pods marked not ready and evicted after
/// their (server-defaulted, 2 s here) tolerationSeconds; back when a simulator renews its Lease again.</summary>
public sealed class NodeLifecycleControllerTests(NodesAndJobsCluster cluster) : IClassFixture<NodesAndJobsCluster>
{
    [Fact]
    public async Task NewPodsGetTheDefaultTolerations()
    {
        (int exit, string output, string err) = await cluster.RunAsync("run", "tolerant", "--image=nginx", "--overrides",
            "{\"spec\":{\"nodeName\":\"nowhere\"}}", "-o", "jsonpath={range .spec.tolerations[*]}{.key}:{.effect}:{.tolerationSeconds} {end}");
        Assert.True(exit == 0, err);
        Assert.Equal("node.kubernetes.io/not-ready:NoExecute:2 node.kubernetes.io/unreachable:NoExecute:2", output.Trim());
    }

    [Fact]
    public async Task LostNodeIsTaintedAndItsPodsEvictedThenItComesBack()
    {
        using KubernetesClient client = cluster.NewClient();
        var options = new SimulationOptions(1, "lost", LeaseRenewInterval: TimeSpan.FromMilliseconds(500));
        var simulator = new NodeSimulator(client, options);
        await simulator.StartAsync(CancellationToken.None);
        ResourceClient<Pod> pods = client.Resource<Pod>();
        ResourceClient<Node> nodes = client.Resource<Node>();
        foreach (string name in new[] { "evicted", "stays" })
        {
            await pods.CreateAsync(new Pod
            {
                Metadata = new ObjectMeta { Name = name, Namespace = "default" },
                Spec = new PodSpec
                {
                    NodeName = "lost-0",
                    Containers = [new Container { Name = "c", Image = "nginx" }],
                    Tolerations = name == "stays" ? [new Toleration { Operator = "Exists" }] : null,
                },
            });
            await NodesAndJobsCluster.EventuallyAsync(() => pods.TryGetAsync(name, "default"), p => p.Status?.Phase == "Running");
        }

        await simulator.DisposeAsync();
        Node lost = await NodesAndJobsCluster.EventuallyAsync(() => nodes.TryGetAsync("lost-0"),
            n => n.Spec?.Taints?.Count == 2 && n.Status!.Conditions!.Single(c => c.Type == "Ready").Status == "Unknown", 30);
        NodeCondition ready = lost.Status!.Conditions!.Single(c => c.Type == "Ready");
        Assert.Equal(("NodeStatusUnknown", "Kubelet stopped posting node status."), (ready.Reason, ready.Message));
        Assert.Equal([(NodeTaints.Unreachable, "NoSchedule"), (NodeTaints.Unreachable, "NoExecute")], lost.Spec!.Taints!.Select(t => (t.Key, t.Effect)));
        (int exit, string output, string err) = await cluster.RunAsync("get", "node", "lost-0", "--no-headers");
        Assert.True(exit == 0, err);
        Assert.Matches(@"^lost-0\s+NotReady\s", output);

        Pod notReady = await NodesAndJobsCluster.EventuallyAsync(() => pods.TryGetAsync("stays", "default"),
            p => p.Status!.Conditions!.Single(c => c.Type == "Ready").Status == "False", 15);
        Assert.Null(notReady.Metadata!.DeletionTimestamp);

        // tolerationSeconds 2 (server default in this cluster): deleted (graceful: nobody finishes it on a lost node).
        await NodesAndJobsCluster.EventuallyAsync(async () => await pods.TryGetAsync("evicted", "default") ?? new Pod { Metadata = new ObjectMeta { Name = "gone" } },
            p => p.Metadata!.Name == "gone" || p.Metadata.DeletionTimestamp is not null, 15);
        await Task.Delay(2500);
        Assert.Null((await pods.GetAsync("stays", "default")).Metadata!.DeletionTimestamp);

        // A simulator for the node again: Ready, taints removed, and the terminating pod finalized.
        await using var back = new NodeSimulator(client, options);
        await back.StartAsync(CancellationToken.None);
        await NodesAndJobsCluster.EventuallyAsync(() => nodes.TryGetAsync("lost-0"),
            n => (n.Spec?.Taints ?? []).Count == 0 && n.Status!.Conditions!.Single(c => c.Type == "Ready").Status == "True", 30);
        await NodesAndJobsCluster.EventuallyAsync(() => pods.TryGetAsync("stays", "default"),
            p => p.Status!.Conditions!.Single(c => c.Type == "Ready").Status == "True", 30);
        DateTime until = DateTime.UtcNow.AddSeconds(30);
        while (await pods.TryGetAsync("evicted", "default") is not null)
        {
            Assert.True(DateTime.UtcNow < until, "evicted pod was not finalized by the returning node");
            await Task.Delay(100);
        }
    }
}
