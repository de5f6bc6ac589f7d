using Korvet.Api.Coordination.V1;
using Korvet.Api.Core.V1;
using Korvet.Api.Meta.V1;
using Korvet.Api.Resource;
using Korvet.Client;

namespace Korvet.Scheduler.Tests;

/// <summary>The in-process scheduler of a real <c>korvet server</c>, driven through the client like any user.</summary>
public sealed class EndToEndTests : IClassFixture<TestCluster>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly TestCluster _cluster;

    public EndToEndTests(TestCluster cluster)
    {
        _cluster = cluster;
    }

    private static async Task CreateNodeAsync(KubernetesClient client, string name, string cpu)
    {
        var resources = new Dictionary<string, Quantity>
        {
            ["cpu"] = Quantity.Parse(cpu), ["memory"] = Quantity.Parse("8Gi"), ["pods"] = Quantity.FromInt64(110),
        };
        Node created = await client.Resource<Node>().CreateAsync(new Node
        {
            Metadata = new ObjectMeta { Name = name, Labels = new() { ["kubernetes.io/hostname"] = name } },
        });
        created.Status = new NodeStatus
        {
            Capacity = resources,
            Allocatable = new Dictionary<string, Quantity>(resources),
            Conditions = [new NodeCondition { Type = "Ready", Status = "True", Reason = "KubeletReady", Message = "kubelet is posting ready status" }],
        };
        await client.Resource<Node>().UpdateStatusAsync(created);
    }

    private static Pod Pod(string name, string cpu, string? schedulerName = null) => new()
    {
        Metadata = new ObjectMeta { Name = name, Namespace = "default" },
        Spec = new PodSpec
        {
            SchedulerName = schedulerName,
            Containers = [new Container { Name = "c", Image = "nginx", Resources = new ResourceRequirements { Requests = new() { ["cpu"] = Quantity.Parse(cpu) } } }],
        },
    };

    private static async Task<T> EventuallyAsync<T>(Func<Task<T?>> probe, string what)
        where T : class
    {
        DateTimeOffset deadline = DateTimeOffset.UtcNow + Patience;
        while (true)
        {
            if (await probe() is { } value)
            {
                return value;
            }

            if (DateTimeOffset.UtcNow > deadline)
            {
                throw new TimeoutException("timed out waiting for " + what);
            }

            await Task.Delay(100);
        }
    }

    private static async Task<Event?> FindEventAsync(KubernetesClient client, string pod, string reason)
    {
        ResourceList<Event> events = await client.Resource<Event>().ListAsync("default");
        return events.Items.LastOrDefault(e => e.InvolvedObject?.Name == pod && e.Reason == reason);
    }

    [Fact]
    public async Task TheInProcessSchedulerHoldsTheKubeSchedulerLease()
    {
        using var client = new KubernetesClient(ClientOptions.FromKubeconfigFile(_cluster.Kubeconfig));
        SchedulerHost host = _cluster.Host.Scheduler!;
        Lease lease = await EventuallyAsync(() => client.Resource<Lease>().TryGetAsync("kube-scheduler", "kube-system"), "the lease");
        Assert.Equal(host.Identity, lease.Spec?.HolderIdentity);
        Assert.NotNull(host.Current);
    }

    [Fact]
    public async Task PodsAreBoundAndAnUnfittablePodWaitsForANode()
    {
        using var client = new KubernetesClient(ClientOptions.FromKubeconfigFile(_cluster.Kubeconfig));
        ResourceClient<Pod> pods = client.Resource<Pod>();
        await CreateNodeAsync(client, "small-1", "2");
        await CreateNodeAsync(client, "small-2", "2");

        foreach (int i in Enumerable.Range(0, 3))
        {
            await pods.CreateAsync(Pod($"web-{i}", "500m"));
        }

        await pods.CreateAsync(Pod("elsewhere", "100m", schedulerName: "other-scheduler"));
        foreach (int i in Enumerable.Range(0, 3))
        {
            Pod bound = await EventuallyAsync(async () => await pods.GetAsync($"web-{i}", "default") is { Spec.NodeName.Length: > 0 } p ? p : null, $"web-{i} bound");
            Assert.StartsWith("small-", bound.Spec!.NodeName);
            Assert.Contains(bound.Status!.Conditions!, c => c.Type == "PodScheduled" && c.Status == "True");
            Event scheduled = await EventuallyAsync(() => FindEventAsync(client, $"web-{i}", "Scheduled"), "Scheduled event");
            Assert.Equal($"Successfully assigned default/web-{i} to {bound.Spec.NodeName}", scheduled.Message);
            Assert.Equal(("Normal", "default-scheduler"), (scheduled.Type, scheduled.Source?.Component));
        }

        await pods.CreateAsync(Pod("big", "3"));
        Event failed = await EventuallyAsync(() => FindEventAsync(client, "big", "FailedScheduling"), "FailedScheduling event");
        Assert.Equal("Warning", failed.Type);
        Assert.Equal(
            "0/2 nodes are available: 2 Insufficient cpu. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.",
            failed.Message);
        PodCondition unschedulable = await EventuallyAsync(
            async () => (await pods.GetAsync("big", "default")).Status?.Conditions?.FirstOrDefault(c => c.Type == "PodScheduled"), "PodScheduled=False");
        Assert.Equal(("False", "Unschedulable", failed.Message), (unschedulable.Status, unschedulable.Reason, unschedulable.Message));

        await CreateNodeAsync(client, "large", "8");
        Pod placed = await EventuallyAsync(async () => await pods.GetAsync("big", "default") is { Spec.NodeName.Length: > 0 } p ? p : null, "big bound");
        Assert.Equal("large", placed.Spec!.NodeName);
        Assert.Contains(placed.Status!.Conditions!, c => c.Type == "PodScheduled" && c.Status == "True");

        Assert.Null((await pods.GetAsync("elsewhere", "default")).Spec!.NodeName);
    }
}
