using Korvet.Api.Apps.V1;
using Korvet.Api.Core.V1;
using Korvet.Api.IntStr;
using Korvet.Api.Meta.V1;
using Korvet.Api.Policy.V1;
using Korvet.Client;
using Korvet.Controllers.Tests.ReplicaSets;

namespace Korvet.Controllers.Tests.Disruption;

/// <summary>The disruption controller in the default controller manager of a real server; the test plays the kubelet.</summary>
[Collection(WorkloadCollection.Name)]
public sealed class DisruptionControllerTests(WorkloadCluster cluster)
{
    private ResourceClient<PodDisruptionBudget> Budgets => cluster.Client.Resource<PodDisruptionBudget>();

    private static PodDisruptionBudget Budget(string name, string app, IntOrString? min = null, IntOrString? max = null) => new()
    {
        Metadata = new ObjectMeta { Name = name, Namespace = "default" },
        Spec = new PodDisruptionBudgetSpec
        {
            MinAvailable = min,
            MaxUnavailable = max,
            Selector = new LabelSelector { MatchLabels = new() { ["app"] = app } },
        },
    };

    private async Task<PodDisruptionBudgetStatus> StatusWhenAsync(string name, Func<PodDisruptionBudgetStatus, bool> done, string what)
    {
        PodDisruptionBudgetStatus? last = null;
        await WorkloadCluster.WaitUntilAsync(async () =>
        {
            last = (await Budgets.GetAsync(name, "default")).Status;
            return last is not null && done(last);
        }, what);
        return last!;
    }

    [Fact]
    public async Task MinAvailableFollowsReadyPodsAndAnEvictionTakesADisruption()
    {
        await cluster.Client.Resource<ReplicaSet>().CreateAsync(ReplicaSetControllerTests.Set("guarded", 3));
        await WorkloadCluster.WaitUntilAsync(async () => (await cluster.ActivePodsAsync("default", "app=guarded")).Count == 3, "3 pods");
        await Budgets.CreateAsync(Budget("guarded", "guarded", min: 2));
        PodDisruptionBudgetStatus pending = await StatusWhenAsync("guarded", s => s.ObservedGeneration == 1 && s.ExpectedPods == 3, "observed budget");
        Assert.Equal((0, 2, 0), (pending.CurrentHealthy, pending.DesiredHealthy, pending.DisruptionsAllowed));

        await cluster.MarkReadyAsync("default", "app=guarded");
        PodDisruptionBudgetStatus ready = await StatusWhenAsync("guarded", s => s.CurrentHealthy == 3, "3 healthy");
        Assert.Equal(1, ready.DisruptionsAllowed);
        Condition condition = Assert.Single(ready.Conditions!);
        Assert.Equal(("DisruptionAllowed", "True", "SufficientPods"), (condition.Type, condition.Status, condition.Reason));

        string victim = (await cluster.ActivePodsAsync("default", "app=guarded"))[0].Metadata!.Name!;
        var eviction = new Eviction
        {
            ApiVersion = "policy/v1", Kind = "Eviction", Metadata = new ObjectMeta { Name = victim, Namespace = "default" },
        };
        await cluster.Client.Resource<Pod>().CreateSubresourceAsync(victim, "default", "eviction", eviction);

        // The replacement is not Ready yet: 2 healthy of 2 needed, nothing more may go, and the evicted pod's entry is
        // dropped once the pod is gone.
        PodDisruptionBudgetStatus after = await StatusWhenAsync("guarded",
            s => s.CurrentHealthy == 2 && s.DisruptedPods is null or { Count: 0 } && s.ExpectedPods == 3, "the eviction observed");
        Assert.Equal(0, after.DisruptionsAllowed);
        Assert.Equal("InsufficientPods", after.Conditions![0].Reason);
        string next = (await cluster.ActivePodsAsync("default", "app=guarded")).First(p => p.Status?.Phase == "Running").Metadata!.Name!;
        eviction.Metadata.Name = next;
        var refused = await Assert.ThrowsAsync<ApiException>(() =>
            cluster.Client.Resource<Pod>().CreateSubresourceAsync(next, "default", "eviction", eviction));
        Assert.Equal(429, (int)refused.StatusCode);

        await cluster.MarkReadyAsync("default", "app=guarded");
        await StatusWhenAsync("guarded", s => s.CurrentHealthy == 3 && s.DisruptionsAllowed == 1, "the replacement Ready");
    }

    [Fact]
    public async Task MaxUnavailablePercentUsesTheDeploymentScale()
    {
        Deployment deployment = await cluster.Client.Resource<Deployment>().CreateAsync(new Deployment
        {
            Metadata = new ObjectMeta { Name = "spread", Namespace = "default" },
            Spec = new DeploymentSpec
            {
                Replicas = 4,
                Selector = new LabelSelector { MatchLabels = new() { ["app"] = "spread" } },
                Template = new PodTemplateSpec
                {
                    Metadata = new ObjectMeta { Labels = new() { ["app"] = "spread" } },
                    Spec = new PodSpec { Containers = [new Container { Name = "c", Image = "busybox" }] },
                },
            },
        });
        Assert.NotNull(deployment.Metadata?.Uid);
        await WorkloadCluster.WaitUntilAsync(async () => (await cluster.ActivePodsAsync("default", "app=spread")).Count == 4, "4 pods");
        await cluster.MarkReadyAsync("default", "app=spread");
        await Budgets.CreateAsync(Budget("spread", "spread", max: "30%"));
        // 30% of 4 rounds up to 2: desired 2, 4 healthy, 2 disruptions allowed.
        PodDisruptionBudgetStatus status = await StatusWhenAsync("spread", s => s.CurrentHealthy == 4 && s.ExpectedPods == 4, "4 healthy of 4");
        Assert.Equal((2, 2), (status.DesiredHealthy, status.DisruptionsAllowed));

        await cluster.Client.Resource<Deployment>().PatchAsync("spread", "default", PatchType.Merge, """{"spec":{"replicas":6}}""");
        await WorkloadCluster.WaitUntilAsync(async () => (await cluster.ActivePodsAsync("default", "app=spread")).Count == 6, "6 pods");
        // 6 expected, 30% → 2 unavailable, desired 4; the two new pods are not Ready: 4 healthy, nothing allowed.
        status = await StatusWhenAsync("spread", s => s.ExpectedPods == 6, "the new scale");
        Assert.Equal((4, 4, 0), (status.DesiredHealthy, status.CurrentHealthy, status.DisruptionsAllowed));
    }
}
