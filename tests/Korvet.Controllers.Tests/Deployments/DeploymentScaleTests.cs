using System.Diagnostics;
using Korvet.Api.Apps.V1;
using Korvet.Api.Core.V1;
using Korvet.Api.Meta.V1;
using Korvet.Controllers.Tests.ReplicaSets;
using Xunit.Abstractions;
using Deployment = Korvet.Api.Apps.V1.Deployment;

namespace Korvet.Controllers.Tests.Deployments;

/// <summary>
/// The controllers' share of the 1,000-replica figure: from the Deployment's create to 1,000 pods existing (no
/// scheduler or nodes here). Creates run in parallel slow-start batches, two bursts of 500.
/// </summary>
[Collection(WorkloadCollection.Name)]
public sealed class DeploymentScaleTests(WorkloadCluster cluster, ITestOutputHelper output)
{
    [Fact]
    public async Task A_thousand_replicas_get_their_pods_within_seconds()
    {
        var d = new Deployment
        {
            Metadata = new ObjectMeta { Name = "big", Namespace = "default" },
            Spec = new DeploymentSpec
            {
                Replicas = 1000,
                Selector = new LabelSelector { MatchLabels = new() { ["app"] = "big" } },
                Template = new PodTemplateSpec
                {
                    Metadata = new ObjectMeta { Labels = new() { ["app"] = "big" } },
                    Spec = new PodSpec { Containers = [new Container { Name = "c", Image = "nginx" }] },
                },
            },
        };
        var clock = Stopwatch.StartNew();
        await cluster.Client.Resource<Deployment>().CreateAsync(d);
        await WorkloadCluster.WaitUntilAsync(async () =>
            (await cluster.Client.Resource<ReplicaSet>().ListAsync("default", new ListOptions { LabelSelector = "app=big" })).Items is [{ Status.Replicas: 1000 }],
            "1000 pods counted by the ReplicaSet", seconds: 30);
        output.WriteLine($"1000 pods created and counted in {clock.Elapsed.TotalSeconds:F2} s");
        // Measured ~4.4 s alone on 2 cores; the bound leaves room for the parallel test classes and other builds on
        // the machine (the 10 s figure of issue 4, with scheduler and nodes, is a benchmark, not this gate).
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"took {clock.Elapsed}");
        Assert.Equal(1000, (await cluster.ActivePodsAsync("default", "app=big")).Count);
        await cluster.Client.Resource<Deployment>().PatchAsync("big", "default", Korvet.Client.PatchType.Merge, """{"spec":{"replicas":0}}""");
        await WorkloadCluster.WaitUntilAsync(async () => (await cluster.ActivePodsAsync("default", "app=big")).Count == 0, "scale to zero", seconds: 30);
    }
}
