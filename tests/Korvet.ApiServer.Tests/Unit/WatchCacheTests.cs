using Korvet.ApiServer.Errors;
using Korvet.ApiServer.Storage;
using Korvet.ApiServer.Tests.Support;
using Korvet.ApiServer.Watch;
using static Korvet.ApiServer.Tests.Support.StoreFixture;

namespace Korvet.ApiServer.Tests.Unit;

public sealed class WatchCacheTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private static async Task<WatcherEvent> NextAsync(CacheWatcher watcher)
    {
        using var timeout = new CancellationTokenSource(Wait);
        WatcherEvent ev = await watcher.Reader.ReadAsync(timeout.Token);
        watcher.Consumed();
        return ev;
    }

    [Fact]
    public async Task SnapshotThenWatchFromItsRevisionMissesNothing()
    {
        await using StoreFixture f = await CreateAsync();
        await f.Store.CreateAsync(f.ConfigMaps, "default", Obj("""{"metadata":{"name":"a"}}"""), Write, CancellationToken.None);
        WatchCache cache = f.Caches.For(f.ConfigMaps);
        await cache.WaitReadyAsync(CancellationToken.None);
        (List<StoredObject> items, long revision) = await cache.SnapshotAsync(f.ConfigMaps.KeyPrefix, ListFilter.Everything, CancellationToken.None);
        using CacheWatcher watcher = await cache.WatchAsync(f.ConfigMaps.KeyPrefix, ListFilter.Everything, revision, CancellationToken.None);
        Assert.True(items.Count <= 1);
        if (items.Count == 0)
        {
            // The cache had not applied the create yet: it then arrives as an event, never lost.
            WatcherEvent late = await NextAsync(watcher);
            Assert.Equal((WatchEventKind.Added, "a"), (late.Kind, late.Event.Object.Name));
        }

        await f.Store.CreateAsync(f.ConfigMaps, "default", Obj("""{"metadata":{"name":"b"}}"""), Write, CancellationToken.None);
        WatcherEvent added = await NextAsync(watcher);
        Assert.Equal((WatchEventKind.Added, "b"), (added.Kind, added.Event.Object.Name));
        using var written = new MemoryStream();
        await added.WriteLineAsync(written, CancellationToken.None);
        string line = System.Text.Encoding.UTF8.GetString(written.ToArray());
        Assert.StartsWith("{\"type\":\"ADDED\",\"object\":{\"kind\":\"ConfigMap\"", line);
        Assert.EndsWith("}}\n", line);
        Assert.Equal(System.Text.Encoding.UTF8.GetString(added.Event.Object.Json), line["{\"type\":\"ADDED\",\"object\":".Length..^2]);

        await f.Store.DeleteAsync(f.ConfigMaps, "default", "a", new DeleteRequest(), CancellationToken.None);
        WatcherEvent deleted = await NextAsync(watcher);
        Assert.Equal((WatchEventKind.Deleted, "a"), (deleted.Kind, deleted.Event.Object.Name));
        Assert.Equal(await f.Backend.CurrentRevisionAsync(), deleted.Event.Object.ResourceVersion);
    }

    [Fact]
    public async Task WatchFromRevisionReplaysLaterEventsAndSelectorsTranslateTypes()
    {
        await using StoreFixture f = await CreateAsync();
        WatchCache cache = f.Caches.For(f.ConfigMaps);
        await cache.WaitReadyAsync(CancellationToken.None);
        var created = Parse((await f.Store.CreateAsync(f.ConfigMaps, "default", Obj("""{"metadata":{"name":"a","labels":{"x":"1"}}}"""), Write, CancellationToken.None)).Body);
        long rv = long.Parse((string)created["metadata"]!["resourceVersion"]!);
        var unlabeled = Obj("""{"metadata":{"name":"a"}}""");
        await f.Store.UpdateAsync(f.ConfigMaps, "default", "a", "", unlabeled, Write, CancellationToken.None);

        ListFilter selector = new SelectorParser().Parse(f.ConfigMaps, "x=1", null);
        using CacheWatcher watcher = await cache.WatchAsync(f.ConfigMaps.KeyPrefix, selector, rv, CancellationToken.None);
        WatcherEvent ev = await NextAsync(watcher);
        Assert.Equal(WatchEventKind.Deleted, ev.Kind);
    }

    [Fact]
    public async Task TooOldResourceVersionIsExpired()
    {
        await using StoreFixture f = await CreateAsync(new WatchCacheOptions(HistoryCapacity: 16));
        WatchCache cache = f.Caches.For(f.ConfigMaps);
        await cache.WaitReadyAsync(CancellationToken.None);
        long start = await f.Backend.CurrentRevisionAsync();
        for (int i = 0; i < 40; i++)
        {
            await f.Store.CreateAsync(f.ConfigMaps, "default", Obj($$$"""{"metadata":{"name":"c{{{i}}}"}}"""), Write, CancellationToken.None);
        }

        long last = await f.Backend.CurrentRevisionAsync();
        for (int i = 0; i < 100 && cache.Revision < last; i++)
        {
            await Task.Delay(20);
        }

        var error = await Assert.ThrowsAsync<StatusException>(() => cache.WatchAsync(f.ConfigMaps.KeyPrefix, ListFilter.Everything, start, CancellationToken.None));
        Assert.Equal((410, "Expired"), (error.Code, error.Reason));
        Assert.StartsWith("too old resource version: ", error.Message);
    }

    [Fact]
    public async Task GetReusesCachedBytesForSameRevision()
    {
        await using StoreFixture f = await CreateAsync();
        WatchCache cache = f.Caches.For(f.ConfigMaps);
        await cache.WaitReadyAsync(CancellationToken.None);
        await f.Store.CreateAsync(f.ConfigMaps, "default", Obj("""{"metadata":{"name":"a"}}"""), Write, CancellationToken.None);
        long rev = await f.Backend.CurrentRevisionAsync();
        for (int i = 0; i < 100 && cache.Revision < rev; i++)
        {
            await Task.Delay(20);
        }

        StoredObject first = await f.Store.GetAsync(f.ConfigMaps, "default", "a", "", CancellationToken.None);
        StoredObject second = await f.Store.GetAsync(f.ConfigMaps, "default", "a", "", CancellationToken.None);
        Assert.Same(first, second);
        Assert.Same(first.Json, second.Json);
    }
}
