using Korvet.Agent.Simulation;
using Korvet.Api.Coordination.V1;
using Korvet.Api.Core.V1;
using Korvet.Api.Meta.V1;
using Korvet.Client;

namespace Korvet.Agent.Tests.Simulation;

/// <summary>Simulated nodes against a real in-process server (no scheduler: pods are created with spec.nodeName).</summary>
public sealed class NodeSimulatorTests(TestCluster cluster) : IClassFixture<TestCluster>
{
    private KubernetesClient NewClient() =>
        new(new ClientOptions(cluster.Host.BaseAddress, cluster.Host.Credentials.CaPem, cluster.Host.Credentials.AdminToken));

    private static async Task<T> EventuallyAsync<T>(Func<Task<T?>> probe, Func<T, bool> done, int seconds = 30)
        where T : class
    {
        DateTime until = DateTime.UtcNow.AddSeconds(seconds);
        T? last = null;
        while (DateTime.UtcNow < until)
        {
            last = await probe();
            if (last is not null && done(last))
            {
                return last;
            }

            await Task.Delay(100);
        }

        Assert.Fail($"condition not reached in {seconds} s; last: {(last is null ? "null" : Api.Serialization.ApiJson.SerializeToObject(last).ToJsonString())}");
        return null!;
    }

    private static Pod NewPod(string name, string node, string restartPolicy = "Always", Dictionary<string, string>? annotations = null) => new()
    {
        Metadata = new ObjectMeta { Name = name, Namespace = "default", Annotations = annotations },
        Spec = new PodSpec { NodeName = node, RestartPolicy = restartPolicy, Containers = [new Container { Name = "c", Image = "nginx:1.27" }] },
    };

    [Fact]
    public async Task NodesRegisterWithLeasesAndShowReadyInKubectl()
    {
        using KubernetesClient client = NewClient();
        await using var simulator = new NodeSimulator(client, new SimulationOptions(3, "reg"));
        await simulator.StartAsync(CancellationToken.None);

        foreach (string name in new[] { "reg-0", "reg-1", "reg-2" })
        {
            Node node = await client.Resource<Node>().GetAsync(name);
            Assert.Equal("True", node.Status!.Conditions!.Single(c => c.Type == "Ready").Status);
            Assert.Equal("simulated", node.Metadata!.Labels!["type"]);
            Lease lease = await client.Resource<Lease>().GetAsync(name, "kube-node-lease");
            Assert.Equal(name, lease.Spec!.HolderIdentity);
            Assert.Equal(40, lease.Spec.LeaseDurationSeconds);
            Assert.Equal(node.Metadata.Uid, Assert.Single(lease.Metadata!.OwnerReferences!).Uid);
        }

        (int exit, string output, string err) = await cluster.RunAsync("get", "nodes", "-l", "type=simulated", "--no-headers");
        Assert.True(exit == 0, err);
        foreach (string name in new[] { "reg-0", "reg-1", "reg-2" })
        {
            Assert.Matches($@"(?m)^{name}\s+Ready\s+<none>\s+\S+\s+v1\.32\.4", output);
        }
    }

    [Fact]
    public async Task LeasesAreRenewed()
    {
        using KubernetesClient client = NewClient();
        await using var simulator = new NodeSimulator(client, new SimulationOptions(1, "renew", LeaseRenewInterval: TimeSpan.FromMilliseconds(300)));
        await simulator.StartAsync(CancellationToken.None);
        Lease first = await client.Resource<Lease>().GetAsync("renew-0", "kube-node-lease");
        await EventuallyAsync(() => client.Resource<Lease>().TryGetAsync("renew-0", "kube-node-lease"),
            l => l.Spec!.RenewTime!.Value > first.Spec!.RenewTime!.Value, 10);
    }

    [Fact]
    public async Task BoundPodsRunWithIpsAndRunToCompletionPodsFinish()
    {
        using KubernetesClient client = NewClient();
        await using var simulator = new NodeSimulator(client, new SimulationOptions(2, "run", DefaultRunTime: TimeSpan.FromSeconds(1)));
        await simulator.StartAsync(CancellationToken.None);
        ResourceClient<Pod> pods = client.Resource<Pod>();
        await pods.CreateAsync(NewPod("web", "run-1"));
        await pods.CreateAsync(NewPod("once", "run-0", "Never"));
        await pods.CreateAsync(NewPod("boom", "run-0", "Never", new() { [SimulatedPodStatus.ExitCodeAnnotation] = "1", [SimulatedPodStatus.RunSecondsAnnotation] = "0.2" }));
        await pods.CreateAsync(NewPod("elsewhere", "not-a-simulated-node"));

        Pod web = await EventuallyAsync(() => pods.TryGetAsync("web", "default"), p => p.Status?.Phase == "Running");
        Assert.StartsWith("10.42.1.", web.Status!.PodIP, StringComparison.Ordinal);
        Assert.Equal("10.41.0.3", web.Status.HostIP);
        Assert.Equal("True", web.Status.Conditions!.Single(c => c.Type == "Ready").Status);
        Assert.True(web.Status.ContainerStatuses!.Single().Ready);

        Pod once = await EventuallyAsync(() => pods.TryGetAsync("once", "default"), p => p.Status?.Phase == "Succeeded");
        Assert.Equal(0, once.Status!.ContainerStatuses!.Single().State!.Terminated!.ExitCode);
        Pod boom = await EventuallyAsync(() => pods.TryGetAsync("boom", "default"), p => p.Status?.Phase == "Failed");
        Assert.Equal(1, boom.Status!.ContainerStatuses!.Single().State!.Terminated!.ExitCode);
        Assert.Equal("Pending", (await pods.GetAsync("elsewhere", "default")).Status!.Phase);
        await EventuallyAsync(() => pods.TryGetAsync("web", "default"), p => p.Status?.Phase == "Running"); // Always: never finishes

        (int exit, string output, string err) = await cluster.RunAsync("get", "pods", "web", "once", "-o", "wide", "--no-headers");
        Assert.True(exit == 0, err);
        Assert.Matches(@"(?m)^web\s+1/1\s+Running\s+0\s+\S+\s+10\.42\.1\.\d+\s+run-1", output);
        Assert.Matches(@"(?m)^once\s+0/1\s+Completed\s+0", output);

        // Graceful delete of a bound pod: the simulator finishes it like a kubelet (gracePeriodSeconds=0).
        (exit, _, err) = await cluster.RunAsync("delete", "pod", "web", "--timeout=30s");
        Assert.True(exit == 0, err);
        Assert.Null(await pods.TryGetAsync("web", "default"));
        await pods.DeleteAsync("elsewhere", "default", new DeleteOptions { GracePeriodSeconds = 0 });
    }

    [Fact]
    public async Task StoppedSimulatorStopsRenewing()
    {
        using KubernetesClient client = NewClient();
        var simulator = new NodeSimulator(client, new SimulationOptions(1, "stop", LeaseRenewInterval: TimeSpan.FromMilliseconds(200)));
        await simulator.StartAsync(CancellationToken.None);
        await simulator.DisposeAsync();
        Lease before = await client.Resource<Lease>().GetAsync("stop-0", "kube-node-lease");
        await Task.Delay(800);
        Lease after = await client.Resource<Lease>().GetAsync("stop-0", "kube-node-lease");
        Assert.Equal(before.Spec!.RenewTime!.Value, after.Spec!.RenewTime!.Value);
    }
}
