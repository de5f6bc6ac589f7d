using Korvet.Api.Apps.V1;
using Korvet.Api.Core.V1;
using Korvet.Api.Meta.V1;
using Korvet.Client;

namespace Korvet.Controllers.Tests.ReplicaSets;

/// <summary>End to end against a real server: the controller keeps counts, adopts and releases, scales, reports status.</summary>
[Collection(WorkloadCollection.Name)]
public sealed class ReplicaSetControllerTests(WorkloadCluster cluster)
{
    private ResourceClient<ReplicaSet> Sets => cluster.Client.Resource<ReplicaSet>();

    private ResourceClient<Pod> Pods => cluster.Client.Resource<Pod>();

    [Fact]
    public async Task Keeps_the_count_when_pods_are_deleted_and_reports_status()
    {
        await Sets.CreateAsync(Set("keep", 3));
        await WorkloadCluster.WaitUntilAsync(async () => (await cluster.ActivePodsAsync("default", "app=keep")).Count == 3, "3 pods");
        List<Pod> pods = await cluster.ActivePodsAsync("default", "app=keep");
        Assert.All(pods, p =>
        {
            Assert.StartsWith("keep-", p.Metadata!.Name);
            OwnerReference owner = Assert.Single(p.Metadata.OwnerReferences!);
            Assert.Equal(("ReplicaSet", "keep", true, true), (owner.Kind, owner.Name, owner.Controller, owner.BlockOwnerDeletion));
        });

        await cluster.MarkReadyAsync("default", "app=keep");
        await WorkloadCluster.WaitUntilAsync(async () => (await Sets.GetAsync("keep", "default")).Status is { ReadyReplicas: 3, AvailableReplicas: 3, FullyLabeledReplicas: 3, Replicas: 3, ObservedGeneration: 1 }, "status counts");

        await Pods.DeleteAsync(pods[0].Metadata!.Name!, "default");
        await WorkloadCluster.WaitUntilAsync(async () =>
        {
            List<Pod> now = await cluster.ActivePodsAsync("default", "app=keep");
            return now.Count == 3 && now.All(p => p.Metadata!.Name != pods[0].Metadata!.Name);
        }, "a replacement pod");
        await Task.Delay(500);
        Assert.Equal(3, (await cluster.ActivePodsAsync("default", "app=keep")).Count);
    }

    [Fact]
    public async Task Adopts_matching_orphans_and_releases_pods_that_stop_matching()
    {
        Pod orphan = await Pods.CreateAsync(new Pod
        {
            Metadata = new ObjectMeta { Name = "orphan", Namespace = "default", Labels = new() { ["app"] = "adopt" } },
            Spec = new PodSpec { Containers = [new Container { Name = "c", Image = "busybox" }] },
        });
        ReplicaSet rs = await Sets.CreateAsync(Set("adopt", 2));
        await WorkloadCluster.WaitUntilAsync(async () => (await Pods.GetAsync("orphan", "default")).Metadata?.OwnerReferences?.Any(o => o.Uid == rs.Metadata!.Uid && o.Controller == true && o.BlockOwnerDeletion == true) == true, "adoption");
        await WorkloadCluster.WaitUntilAsync(async () => (await cluster.ActivePodsAsync("default", "app=adopt")).Count == 2, "2 pods");
        await Task.Delay(500);
        Assert.Equal(2, (await cluster.ActivePodsAsync("default", "app=adopt")).Count);

        await Pods.PatchAsync("orphan", "default", PatchType.Merge, """{"metadata":{"labels":{"app":"gone"}}}""");
        await WorkloadCluster.WaitUntilAsync(async () => (await Pods.GetAsync("orphan", "default")).Metadata?.OwnerReferences is null or { Count: 0 }, "release");
        await WorkloadCluster.WaitUntilAsync(async () => (await cluster.ActivePodsAsync("default", "app=adopt")).Count == 2, "a replacement for the released pod");
        _ = orphan;
    }

    [Fact]
    public async Task Scales_up_and_down_deleting_not_ready_pods_first()
    {
        await Sets.CreateAsync(Set("scale", 2));
        await WorkloadCluster.WaitUntilAsync(async () => (await cluster.ActivePodsAsync("default", "app=scale")).Count == 2, "2 pods");
        await cluster.MarkReadyAsync("default", "app=scale");
        await Sets.PatchAsync("scale", "default", PatchType.Merge, """{"spec":{"replicas":5}}""");
        await WorkloadCluster.WaitUntilAsync(async () => (await cluster.ActivePodsAsync("default", "app=scale")).Count == 5, "5 pods");
        List<string> ready = [.. (await cluster.ActivePodsAsync("default", "app=scale")).Where(p => p.Status?.Phase == "Running").Select(p => p.Metadata!.Name!)];
        Assert.Equal(2, ready.Count);

        await Sets.PatchAsync("scale", "default", PatchType.Merge, """{"spec":{"replicas":2}}""");
        await WorkloadCluster.WaitUntilAsync(async () => (await cluster.ActivePodsAsync("default", "app=scale")).Count == 2, "2 pods again");
        Assert.Equal(ready.Order(), (await cluster.ActivePodsAsync("default", "app=scale")).Select(p => p.Metadata!.Name!).Order());
        await WorkloadCluster.WaitUntilAsync(async () => (await Sets.GetAsync("scale", "default")).Status is { Replicas: 2, ReadyReplicas: 2, ObservedGeneration: 3 }, "status after scale-down");
    }

    [KubectlFact]
    public async Task A_replication_controller_from_a_manifest_keeps_its_count()
    {
        const string manifest = """
            apiVersion: v1
            kind: ReplicationController
            metadata:
              name: rc
              namespace: default
            spec:
              replicas: 2
              template:
                metadata:
                  labels:
                    app: rc
                spec:
                  containers:
                  - name: c
                    image: busybox
            """;
        (int exit, string output, string error) = await cluster.RunWithInputAsync(manifest, "apply", "-f", "-");
        Assert.True(exit == 0, output + error);
        await WorkloadCluster.WaitUntilAsync(async () => (await cluster.ActivePodsAsync("default", "app=rc")).Count == 2, "2 rc pods");
        Pod first = (await cluster.ActivePodsAsync("default", "app=rc"))[0];
        Assert.Equal("ReplicationController", first.Metadata!.OwnerReferences![0].Kind);
        Assert.Equal("v1", first.Metadata.OwnerReferences[0].ApiVersion);
        (exit, output, error) = await cluster.RunAsync("delete", "pod", first.Metadata.Name!, "-n", "default");
        Assert.True(exit == 0, output + error);
        await WorkloadCluster.WaitUntilAsync(async () =>
        {
            List<Pod> pods = await cluster.ActivePodsAsync("default", "app=rc");
            return pods.Count == 2 && pods.All(p => p.Metadata!.Name != first.Metadata.Name);
        }, "the rc replaces the pod");
        await cluster.MarkReadyAsync("default", "app=rc");
        await WorkloadCluster.WaitUntilAsync(async () => (await cluster.Client.Resource<ReplicationController>().GetAsync("rc", "default")).Status is { ReadyReplicas: 2, AvailableReplicas: 2 }, "rc status");
        (exit, output, error) = await cluster.RunAsync("get", "rc", "rc", "-n", "default");
        Assert.True(exit == 0, output + error);
        Assert.Matches(@"rc\s+2\s+2\s+2", output);
    }

    internal static ReplicaSet Set(string name, int replicas) => new()
    {
        Metadata = new ObjectMeta { Name = name, Namespace = "default" },
        Spec = new ReplicaSetSpec
        {
            Replicas = replicas,
            Selector = new LabelSelector { MatchLabels = new() { ["app"] = name } },
            Template = new PodTemplateSpec
            {
                Metadata = new ObjectMeta { Labels = new() { ["app"] = name } },
                Spec = new PodSpec { Containers = [new Container { Name = "c", Image = "busybox" }] },
            },
        },
    };
}
