using Korvet.Api.Apps.V1;
using Korvet.Api.Core.V1;
using Korvet.Controllers.Tests.Lifecycle;

namespace Korvet.Controllers.Tests.GarbageCollector;

/// <summary>Deployment → ReplicaSet → Pod chains deleted with each propagation policy through the real kubectl.</summary>
[Collection(LifecycleCollection.Name)]
public sealed class GarbageCollectionTests(LifecycleCluster cluster)
{
    private async Task<bool> GoneAsync<T>(string name, string ns)
        where T : class, Korvet.Api.IKubernetesObject =>
        await cluster.Client.Resource<T>().TryGetAsync(name, ns) is null;

    [KubectlFact]
    public async Task BackgroundDeleteRemovesReplicaSetAndPod()
    {
        await Objects.CreateNamespaceAsync(cluster.Client, "gc-bg");
        await Objects.CreateChainAsync(cluster.Client, "gc-bg", "web");
        var (exit, _, err) = await cluster.RunAsync("delete", "deployment", "web", "-n", "gc-bg", "--cascade=background");
        Assert.True(exit == 0, err);
        await LifecycleCluster.UntilAsync(() => GoneAsync<ReplicaSet>("web-rs", "gc-bg"), "the ReplicaSet to be collected");
        await LifecycleCluster.UntilAsync(() => GoneAsync<Pod>("web-pod", "gc-bg"), "the Pod to be collected");
    }

    [KubectlFact]
    public async Task ForegroundDeleteReturnsAfterDependentsAreGone()
    {
        await Objects.CreateNamespaceAsync(cluster.Client, "gc-fg");
        await Objects.CreateChainAsync(cluster.Client, "gc-fg", "web");
        var (exit, output, err) = await cluster.RunAsync("delete", "deployment", "web", "-n", "gc-fg", "--cascade=foreground", "--timeout=30s");
        Assert.True(exit == 0, err);
        Assert.Contains("deployment.apps \"web\" deleted", output, StringComparison.Ordinal);

        // kubectl waited for the deployment itself, which goes last in foreground deletion.
        Assert.True(await GoneAsync<Deployment>("web", "gc-fg"));
        Assert.True(await GoneAsync<ReplicaSet>("web-rs", "gc-fg"));
        Assert.True(await GoneAsync<Pod>("web-pod", "gc-fg"));
    }

    [KubectlFact]
    public async Task OrphanDeleteKeepsReplicaSetWithoutOwner()
    {
        await Objects.CreateNamespaceAsync(cluster.Client, "gc-orphan");
        (_, ReplicaSet rs, _) = await Objects.CreateChainAsync(cluster.Client, "gc-orphan", "web");
        var (exit, _, err) = await cluster.RunAsync("delete", "deployment", "web", "-n", "gc-orphan", "--cascade=orphan", "--timeout=30s");
        Assert.True(exit == 0, err);
        Assert.True(await GoneAsync<Deployment>("web", "gc-orphan"));
        ReplicaSet kept = await cluster.Client.Resource<ReplicaSet>().GetAsync("web-rs", "gc-orphan");
        Assert.Equal(rs.Metadata!.Uid, kept.Metadata!.Uid);
        Assert.Null(kept.Metadata.OwnerReferences);
        Pod pod = await cluster.Client.Resource<Pod>().GetAsync("web-pod", "gc-orphan");
        Assert.Equal(rs.Metadata.Uid, Assert.Single(pod.Metadata!.OwnerReferences!).Uid);

        // The pod's owner is alive: nothing more happens to it.
        await Task.Delay(500);
        Assert.False(await GoneAsync<Pod>("web-pod", "gc-orphan"));
    }

    [Fact]
    public async Task DependentOfAnOwnerThatNeverExistedIsCollected()
    {
        await Objects.CreateNamespaceAsync(cluster.Client, "gc-dangling");
        await cluster.Client.Resource<ConfigMap>().CreateAsync(new ConfigMap
        {
            Metadata = new Korvet.Api.Meta.V1.ObjectMeta
            {
                Name = "orphaned", Namespace = "gc-dangling",
                OwnerReferences = [new Korvet.Api.Meta.V1.OwnerReference { ApiVersion = "v1", Kind = "ConfigMap", Name = "ghost", Uid = Guid.NewGuid().ToString() }],
            },
        });
        await cluster.Client.Resource<ConfigMap>().CreateAsync(new ConfigMap
        {
            Metadata = new Korvet.Api.Meta.V1.ObjectMeta { Name = "ghost", Namespace = "gc-dangling" },
        });

        // Same name, different uid: still not the owner.
        await LifecycleCluster.UntilAsync(() => GoneAsync<ConfigMap>("orphaned", "gc-dangling"), "the dangling dependent to be collected");
        Assert.False(await GoneAsync<ConfigMap>("ghost", "gc-dangling"));
    }
}
