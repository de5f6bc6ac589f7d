using System.Collections.Concurrent;
using System.Net;
using Korvet.Api.Core.V1;
using Korvet.Api.Meta.V1;
using Korvet.Client.Cache;
using Korvet.Server;

namespace Korvet.Client.Tests;

public sealed class InformerTests(ClientCluster cluster) : IClassFixture<ClientCluster>
{
    [Fact]
    public async Task CacheConvergesAndHandlersFireInOrder()
    {
        var configMaps = cluster.Client.Resource<ConfigMap>();
        await configMaps.CreateAsync(new ConfigMap { Metadata = new ObjectMeta { Name = "before", Namespace = "kube-public" } });

        await using var factory = new SharedInformerFactory(cluster.Client);
        SharedIndexInformer<ConfigMap> informer = factory.For<ConfigMap>();
        Assert.Same(informer, factory.For<ConfigMap>());
        var log = new ConcurrentQueue<string>();
        int running = 0;
        bool overlapped = false;
        void Record(string entry)
        {
            overlapped |= Interlocked.Increment(ref running) != 1;
            log.Enqueue(entry);
            Thread.Sleep(1);
            Interlocked.Decrement(ref running);
        }

        informer.AddEventHandler(
            onAdd: o => Record("add " + o.Metadata!.Name),
            onUpdate: (old, o) => Record($"update {o.Metadata!.Name} {old.Data?.GetValueOrDefault("v")}->{o.Data?.GetValueOrDefault("v")}"),
            onDelete: o => Record("delete " + o.Metadata!.Name));
        informer.AddEventHandler(onAdd: _ => throw new InvalidOperationException("a failing handler is logged, not fatal"));

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await factory.StartAsync(cts.Token);
        await factory.WaitForCacheSyncAsync(cts.Token);
        Assert.True(informer.HasSynced);
        Assert.NotNull(informer.Store.Get("kube-public/before"));

        await configMaps.CreateAsync(new ConfigMap { Metadata = new ObjectMeta { Name = "live", Namespace = "kube-public" }, Data = new() { ["v"] = "1" } });
        await configMaps.PatchAsync("live", "kube-public", PatchType.Merge, """{"data":{"v":"2"}}""");
        await configMaps.DeleteAsync("before", "kube-public");
        await Wait.UntilAsync(() => log.Contains("delete before"), "the delete notification");

        Assert.Equal(["add before", "add live", "update live 1->2", "delete before"], log.Where(l => l.Contains("before") || l.Contains("live")));
        Assert.False(overlapped);
        Assert.Null(informer.Store.Get("kube-public/before"));
        Assert.Equal("2", informer.Store.Get("kube-public", "live")!.Data!["v"]);
        Assert.Contains(informer.Store.ByIndex(Store<ConfigMap>.NamespaceIndex, "kube-public"), c => c.Metadata!.Name == "live");

        var late = new ConcurrentQueue<string>();
        informer.AddEventHandler(onAdd: o => late.Enqueue(o.Metadata!.Name!));
        await Wait.UntilAsync(() => late.Contains("live"), "replay of the cache to a late handler");
    }

    [Fact]
    public void CloneIsDeep()
    {
        var pod = new Pod { Metadata = new ObjectMeta { Name = "a", Labels = new() { ["x"] = "1" } }, Spec = new PodSpec { NodeName = "n1" } };
        Pod copy = ObjectCopy.Clone(pod);
        copy.Metadata!.Labels!["x"] = "2";
        copy.Spec!.NodeName = "n2";
        Assert.Equal("1", pod.Metadata.Labels["x"]);
        Assert.Equal("n1", pod.Spec.NodeName);
        Assert.Equal("a", copy.Metadata.Name);
    }

    [Fact]
    public void CustomIndexes()
    {
        var store = new Store<Pod>();
        store.AddIndex("node", p => p.Spec?.NodeName is { } n ? [n] : []);
        store.Upsert(new Pod { Metadata = new ObjectMeta { Name = "a", Namespace = "x" }, Spec = new PodSpec { NodeName = "n1" } });
        store.Upsert(new Pod { Metadata = new ObjectMeta { Name = "b", Namespace = "y" }, Spec = new PodSpec { NodeName = "n1" } });
        store.Upsert(new Pod { Metadata = new ObjectMeta { Name = "a", Namespace = "x" }, Spec = new PodSpec { NodeName = "n2" } });
        Assert.Equal(["b"], store.ByIndex("node", "n1").Select(p => p.Metadata!.Name));
        Assert.Equal(["a"], store.ByIndex("node", "n2").Select(p => p.Metadata!.Name));
        store.Remove("y/b");
        Assert.Empty(store.ByIndex("node", "n1"));
        Assert.Empty(store.ByIndex(Store<Pod>.NamespaceIndex, "y"));
    }

    [Fact]
    public async Task CachedObjectsCarryNoManagedFieldsAndUpdatesFromThemKeepTheServersEntries()
    {
        var configMaps = cluster.Client.Resource<ConfigMap>();
        ConfigMap created = await configMaps.CreateAsync(new ConfigMap { Metadata = new ObjectMeta { Name = "stripped", Namespace = "kube-public" }, Data = new() { ["a"] = "1" } });
        Assert.NotEmpty(created.Metadata!.ManagedFields!);

        await using var factory = new SharedInformerFactory(cluster.Client);
        SharedIndexInformer<ConfigMap> informer = factory.For<ConfigMap>();
        await using var keeping = new SharedInformerFactory(cluster.Client, keepManagedFields: true);
        SharedIndexInformer<ConfigMap> keeper = keeping.For<ConfigMap>();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await factory.StartAsync(cts.Token);
        await keeping.StartAsync(cts.Token);
        await factory.WaitForCacheSyncAsync(cts.Token);
        await keeping.WaitForCacheSyncAsync(cts.Token);
        Assert.Null(informer.Store.Get("kube-public", "stripped")!.Metadata!.ManagedFields);
        Assert.NotEmpty(keeper.Store.Get("kube-public", "stripped")!.Metadata!.ManagedFields!);

        // Another manager (as a controller would be) updates from its cached copy.
        using var controller = new KubernetesClient(ClientOptions.FromKubeconfigFile(cluster.Kubeconfig) with { UserAgent = "some-controller" });
        ConfigMap copy = ObjectCopy.Clone(informer.Store.Get("kube-public", "stripped")!);
        copy.Data!["b"] = "2";
        ConfigMap updated = await controller.Resource<ConfigMap>().UpdateAsync(copy);
        Assert.Equal(2, updated.Metadata!.ManagedFields!.Count);
        await Wait.UntilAsync(() => informer.Store.Get("kube-public", "stripped")?.Data?.ContainsKey("b") == true, "the watched update");
        Assert.Null(informer.Store.Get("kube-public", "stripped")!.Metadata!.ManagedFields);
    }

    [Fact]
    public async Task ScopesShareOneCacheAndTheirHandlersLeaveWithThem()
    {
        var configMaps = cluster.Client.Resource<ConfigMap>();
        await using var shared = new SharedInformerFactory(cluster.Client);
        using var componentClient = new KubernetesClient(ClientOptions.FromKubeconfigFile(cluster.Kubeconfig) with { UserAgent = "component" });
        var first = new ConcurrentQueue<string>();
        var second = new ConcurrentQueue<string>();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        SharedInformerFactory scopeA = shared.CreateScope(componentClient);
        SharedIndexInformer<ConfigMap> viewA = scopeA.For<ConfigMap>();
        viewA.AddEventHandler(onAdd: c => first.Enqueue(c.Metadata!.Name!));
        await scopeA.StartAsync(cts.Token);
        await scopeA.WaitForCacheSyncAsync(cts.Token);
        Assert.Same(componentClient, scopeA.Client);

        await using SharedInformerFactory scopeB = shared.CreateScope(componentClient);
        SharedIndexInformer<ConfigMap> viewB = scopeB.For<ConfigMap>();
        viewB.AddEventHandler(onAdd: c => second.Enqueue(c.Metadata!.Name!));
        await scopeB.StartAsync(cts.Token);
        Assert.Same(shared.For<ConfigMap>().Store, viewA.Store);
        Assert.Same(viewA.Store, viewB.Store);
        Assert.Equal(1, shared.For<ConfigMap>().ListCount);

        await configMaps.CreateAsync(new ConfigMap { Metadata = new ObjectMeta { Name = "scoped-1", Namespace = "kube-public" } });
        await Wait.UntilAsync(() => first.Contains("scoped-1") && second.Contains("scoped-1"), "both scopes hear of scoped-1");

        await scopeA.DisposeAsync();
        await configMaps.CreateAsync(new ConfigMap { Metadata = new ObjectMeta { Name = "scoped-2", Namespace = "kube-public" } });
        await Wait.UntilAsync(() => second.Contains("scoped-2"), "the remaining scope hears of scoped-2");
        Assert.DoesNotContain("scoped-2", first);
        Assert.NotNull(viewB.Store.Get("kube-public", "scoped-2"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => viewB.RunAsync(cts.Token));
    }

    [Fact]
    public async Task ReplaceDeliversTheDifference()
    {
        // Never reaches a server: only the relist diff and the dispatch loop run.
        using var client = new KubernetesClient(new ClientOptions(new Uri("https://127.0.0.1:1")));
        var informer = new SharedIndexInformer<ConfigMap>(client.Resource<ConfigMap>());
        var log = new ConcurrentQueue<string>();
        informer.AddEventHandler(o => log.Enqueue("add " + o.Metadata!.Name), (_, o) => log.Enqueue("update " + o.Metadata!.Name),
            o => log.Enqueue("delete " + o.Metadata!.Name));
        using var cts = new CancellationTokenSource();
        Task run = informer.RunAsync(cts.Token);
        static ConfigMap Cm(string name, string rv) => new() { Metadata = new ObjectMeta { Name = name, Namespace = "ns", ResourceVersion = rv } };

        informer.Replace(new() { ["ns/a"] = Cm("a", "1"), ["ns/b"] = Cm("b", "2") }, "2");
        informer.Replace(new() { ["ns/a"] = Cm("a", "1"), ["ns/b"] = Cm("b", "5"), ["ns/c"] = Cm("c", "6") }, "6");
        informer.Replace(new() { ["ns/c"] = Cm("c", "6") }, "7");
        await Wait.UntilAsync(() => log.Count >= 6, "six notifications");
        Assert.Equal(["add a", "add b", "update b", "add c", "delete a", "delete b"], log);
        Assert.Equal("7", informer.LastSyncResourceVersion);
        Assert.True(informer.HasSynced);
        await cts.CancelAsync();
        await run;
    }
}

/// <summary>A server whose watch caches keep only 8 events, so resuming an idle watch soon gets 410 Expired.</summary>
public sealed class TinyWatchWindowCluster : ClientCluster
{
    protected override ServerOptions CreateOptions() => base.CreateOptions() with { WatchCacheHistory = 8 };
}

public sealed class RelistTests(TinyWatchWindowCluster cluster) : IClassFixture<TinyWatchWindowCluster>
{
    [Fact]
    public async Task WatchFromAnExpiredVersionThrowsGone()
    {
        var configMaps = cluster.Client.Resource<ConfigMap>();
        string rv = (await configMaps.ListAsync("default")).ResourceVersion;
        for (int i = 0; i < 20; i++)
        {
            await configMaps.CreateAsync(new ConfigMap { Metadata = new ObjectMeta { Name = $"gone-{i}", Namespace = "default" } });
        }

        ApiException gone = await Assert.ThrowsAsync<ApiException>(async () =>
        {
            await foreach (WatchEvent<ConfigMap> e in configMaps.WatchAsync("default", new ListOptions { ResourceVersion = rv }))
            {
                _ = e;
            }
        });
        Assert.True(gone.IsGone);
        Assert.Equal(HttpStatusCode.Gone, gone.StatusCode);
    }

    [Fact]
    public async Task InformerRelistsAfterExpiredAndConverges()
    {
        var configMaps = cluster.Client.Resource<ConfigMap>();
        await configMaps.CreateAsync(new ConfigMap { Metadata = new ObjectMeta { Name = "kept", Namespace = "kube-node-lease", Labels = new() { ["relist"] = "yes" } } });

        // Watches end every second and resume from the last matching event; unmatched writes in between push that
        // version out of the 8-event window, so the resume gets 410 and the informer must relist.
        var informer = new SharedIndexInformer<ConfigMap>(configMaps, labelSelector: "relist=yes", watchTimeout: TimeSpan.FromSeconds(1));
        var adds = new ConcurrentQueue<string>();
        informer.AddEventHandler(onAdd: o => adds.Enqueue(o.Metadata!.Name!));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        Task run = informer.RunAsync(cts.Token);
        await informer.WaitForCacheSyncAsync(cts.Token);
        Assert.Equal(1, informer.ListCount);

        for (int i = 0; i < 20; i++)
        {
            await configMaps.CreateAsync(new ConfigMap { Metadata = new ObjectMeta { Name = $"noise-{i}", Namespace = "kube-node-lease" } });
        }

        await Wait.UntilAsync(() => informer.ListCount >= 2, "a relist after 410", seconds: 20);
        await configMaps.CreateAsync(new ConfigMap { Metadata = new ObjectMeta { Name = "after", Namespace = "kube-node-lease", Labels = new() { ["relist"] = "yes" } } });
        await Wait.UntilAsync(() => informer.Store.Get("kube-node-lease/after") is not null, "the cache to converge after the relist");
        Assert.NotNull(informer.Store.Get("kube-node-lease/kept"));
        Assert.Equal(2, informer.Store.Count);

        // The store is updated before the handlers run (on the dispatch loop), so the add may still be on its way.
        await Wait.UntilAsync(() => adds.Count >= 2, "the add handler for 'after'");
        Assert.Equal(["kept", "after"], adds);
        await cts.CancelAsync();
        await run;
    }
}
