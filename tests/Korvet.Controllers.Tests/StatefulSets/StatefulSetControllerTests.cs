using Korvet.Api.Apps.V1;
using Korvet.Api.Core.V1;
using Korvet.Api.Meta.V1;
using Korvet.Client;
using Korvet.Controllers.StatefulSets;
using Korvet.Controllers.Tests.ReplicaSets;

namespace Korvet.Controllers.Tests.StatefulSets;

/// <summary>
/// The StatefulSet controller in a real server's controller manager; no nodes — the test plays the kubelet, so it can
/// hold a pod not ready and see that OrderedReady waits for it.
/// </summary>
[Collection(WorkloadCollection.Name)]
public sealed class StatefulSetControllerTests(WorkloadCluster cluster)
{
    private ResourceClient<StatefulSet> Sets_ => cluster.Client.Resource<StatefulSet>();

    private ResourceClient<Pod> Pods => cluster.Client.Resource<Pod>();

    [Fact]
    public async Task Ordered_ready_creates_claims_then_each_pod_only_after_its_predecessor_is_ready()
    {
        StatefulSet set = Sets.Make("ord", claims: true);
        set.Metadata = new ObjectMeta { Name = "ord", Namespace = "default" };
        set.Spec!.Template!.Spec!.Volumes = null;
        await Sets_.CreateAsync(set);

        for (int i = 0; i < 3; i++)
        {
            string name = $"ord-{i}";
            Pod pod = await WaitPodAsync(name);
            PersistentVolumeClaim claim = await cluster.Client.Resource<PersistentVolumeClaim>().GetAsync($"www-ord-{i}", "default");
            Assert.Equal("ord", claim.Metadata!.Labels!["app"]);
            Assert.Equal($"www-ord-{i}", pod.Spec!.Volumes!.Single(v => v.Name == "www").PersistentVolumeClaim!.ClaimName);
            Assert.Equal((name, "nginx"), (pod.Spec.Hostname, pod.Spec.Subdomain));
            Assert.Equal(name, pod.Metadata!.Labels![StatefulPods.PodNameLabel]);
            Assert.Equal(i.ToString(System.Globalization.CultureInfo.InvariantCulture), pod.Metadata.Labels[StatefulPods.PodIndexLabel]);
            Assert.StartsWith("ord-", pod.Metadata.Labels[StatefulPods.RevisionLabel]);
            OwnerReference owner = Assert.Single(pod.Metadata.OwnerReferences!);
            Assert.True(owner is { Kind: "StatefulSet", Name: "ord", Controller: true, BlockOwnerDeletion: true });

            // While this pod is not Running and Ready, the next ordinal is not created.
            await Task.Delay(1000);
            Assert.Equal(Enumerable.Range(0, i + 1).Select(o => $"ord-{o}"), (await cluster.ActivePodsAsync("default", "app=ord")).Select(p => p.Metadata!.Name!).Order());
            Assert.Equal(1, await cluster.MarkReadyAsync("default", $"{StatefulPods.PodNameLabel}={name}"));
        }

        StatefulSet done = await WaitStatusAsync("ord", s => s.Status is { ReadyReplicas: 3, AvailableReplicas: 3, CurrentReplicas: 3, UpdatedReplicas: 3 });
        Assert.Equal(3, done.Status!.Replicas);
        Assert.Equal(done.Status.UpdateRevision, done.Status.CurrentRevision);
        Assert.Equal(done.Metadata!.Generation, done.Status.ObservedGeneration);
        ControllerRevision revision = await cluster.Client.Resource<ControllerRevision>().GetAsync(done.Status.UpdateRevision!, "default");
        Assert.Equal(1, revision.Revision);
        Assert.Equal(done.Metadata.Uid, revision.Metadata!.OwnerReferences![0].Uid);
        Assert.Equal(done.Status.UpdateRevision, (await Pods.GetAsync("ord-2", "default")).Metadata!.Labels![StatefulPods.RevisionLabel]);
    }

    [Fact]
    public async Task Parallel_creates_every_pod_without_waiting_for_readiness()
    {
        StatefulSet set = Sets.Make("par", replicas: 4, policy: "Parallel");
        set.Metadata = new ObjectMeta { Name = "par", Namespace = "default" };
        await Sets_.CreateAsync(set);
        await WorkloadCluster.WaitUntilAsync(async () => (await cluster.ActivePodsAsync("default", "app=par")).Count == 4, "4 parallel pods");
        List<Pod> pods = await cluster.ActivePodsAsync("default", "app=par");
        Assert.Equal(["par-0", "par-1", "par-2", "par-3"], pods.Select(p => p.Metadata!.Name).Order());
        Assert.All(pods, p => Assert.Equal("Pending", p.Status!.Phase));
        await WaitStatusAsync("par", s => s.Status is { Replicas: 4, ReadyReplicas: 0 });
    }

    [Fact]
    public async Task Failed_pod_is_deleted_and_recreated_with_the_same_name()
    {
        StatefulSet set = Sets.Make("sd", replicas: 3, policy: "Parallel");
        set.Metadata = new ObjectMeta { Name = "sd", Namespace = "default" };
        await Sets_.CreateAsync(set);
        await WorkloadCluster.WaitUntilAsync(async () =>
        {
            await cluster.MarkReadyAsync("default", "app=sd");
            return (await Sets_.GetAsync("sd", "default")).Status?.ReadyReplicas == 3;
        }, "3 ready");

        Pod before = await Pods.GetAsync("sd-1", "default");
        await Lifecycle.Objects.UpdatePodStatusAsync(cluster.Client, "default", "sd-1", s => s.Phase = "Failed");
        await WorkloadCluster.WaitUntilAsync(async () => (await Pods.TryGetAsync("sd-1", "default")) is { } p && p.Metadata!.Uid != before.Metadata!.Uid,
            "failed sd-1 replaced");
        Assert.Equal("Pending", (await Pods.GetAsync("sd-1", "default")).Status!.Phase);
    }

    private async Task<Pod> WaitPodAsync(string name)
    {
        Pod? pod = null;
        await WorkloadCluster.WaitUntilAsync(async () => (pod = await Pods.TryGetAsync(name, "default")) is not null, $"pod {name}");
        return pod!;
    }

    private async Task<StatefulSet> WaitStatusAsync(string name, Func<StatefulSet, bool> done)
    {
        StatefulSet? set = null;
        await WorkloadCluster.WaitUntilAsync(async () => done(set = await Sets_.GetAsync(name, "default")), $"status of {name}");
        return set!;
    }
}
