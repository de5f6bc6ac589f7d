using System.Net;
using Korvet.Api.Core.V1;
using Korvet.Api.Meta.V1;
using Korvet.Api.Resource;
using Korvet.Client;
using Korvet.Server;

namespace Korvet.Scheduler.Tests;

/// <summary>A server without its in-process scheduler.</summary>
public sealed class ClusterWithoutScheduler : TestCluster
{
    protected override ServerOptions CreateOptions() =>
        new(DataDir, IPAddress.Loopback, HttpsPort: 0, DisableAgent: true, DisableControllers: true, DisableScheduler: true);
}

/// <summary>Separate schedulers (as <c>korvet scheduler</c> runs them) under leader election: one schedules at a time.</summary>
public sealed class StandaloneSchedulerTests : IClassFixture<ClusterWithoutScheduler>
{
    private readonly ClusterWithoutScheduler _cluster;

    public StandaloneSchedulerTests(ClusterWithoutScheduler cluster)
    {
        _cluster = cluster;
    }

    private static async Task<string> BoundNodeAsync(ResourceClient<Pod> pods, string name)
    {
        DateTimeOffset deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTimeOffset.UtcNow < deadline)
        {
            if ((await pods.GetAsync(name, "default")).Spec?.NodeName is { Length: > 0 } node)
            {
                return node;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException(name + " was not bound");
    }

    private static Pod NewPod(string name) => new()
    {
        Metadata = new ObjectMeta { Name = name, Namespace = "default" },
        Spec = new PodSpec { Containers = [new Container { Name = "c", Image = "nginx" }] },
    };

    [Fact]
    public async Task OnlyTheLeaderSchedulesAndAFollowerTakesOver()
    {
        ClientOptions options = ClientOptions.FromKubeconfigFile(_cluster.Kubeconfig);
        using var client = new KubernetesClient(options);
        var resources = new Dictionary<string, Quantity> { ["cpu"] = Quantity.Parse("4"), ["memory"] = Quantity.Parse("8Gi"), ["pods"] = Quantity.FromInt64(110) };
        Node node = await client.Resource<Node>().CreateAsync(new Node { Metadata = new ObjectMeta { Name = "solo" } });
        node.Status = new NodeStatus { Allocatable = resources, Capacity = resources };
        await client.Resource<Node>().UpdateStatusAsync(node);
        ResourceClient<Pod> pods = client.Resource<Pod>();

        var schedulerOptions = new SchedulerOptions(LeaseDuration: TimeSpan.FromSeconds(3));
        SchedulerHost first = SchedulerHost.Start(options, schedulerOptions);
        await using SchedulerHost second = SchedulerHost.Start(options, schedulerOptions);
        try
        {
            await pods.CreateAsync(NewPod("one"));
            Assert.Equal("solo", await BoundNodeAsync(pods, "one"));
            SchedulerHost leader = first.Current is not null ? first : second;
            SchedulerHost follower = leader == first ? second : first;
            Assert.Null(follower.Current);
            Assert.Equal(1, leader.Current!.BoundCount);

            await leader.DisposeAsync();
            await pods.CreateAsync(NewPod("two"));
            Assert.Equal("solo", await BoundNodeAsync(pods, "two"));
            Assert.NotNull(follower.Current);
            Assert.Equal(1, follower.Current!.BoundCount);
        }
        finally
        {
            await first.DisposeAsync();
        }
    }
}
