using Korvet.Storage.Watching;

namespace Korvet.Storage.Tests.Watching;

public sealed class WatchHubTests
{
    private static WatchEvent Put(string key, long revision) =>
        new(WatchEventType.Put, new KeyValue(key, [1], revision, revision), null);

    private static async IAsyncEnumerable<WatchEvent> NoHistory(string prefix, long from, long to,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        await Task.CompletedTask;
        yield break;
    }

    [Fact]
    public async Task A_watcher_that_falls_behind_is_ended_with_an_error_without_blocking_the_publisher()
    {
        var hub = new WatchHub(bufferCapacity: 4);
        await using var watch = hub.WatchAsync("/a/", 0, () => 0, NoHistory).GetAsyncEnumerator();
        var first = watch.MoveNextAsync();
        Assert.Equal(1, hub.Count);

        for (var revision = 1; revision <= 10; revision++)
        {
            hub.Publish(Put("/a/x", revision));
        }

        Assert.True(await first);
        Assert.Equal(1, watch.Current.Revision);
        Assert.Equal(0, hub.Count);
        var drained = new List<long>();
        var error = await Assert.ThrowsAsync<StorageException>(async () =>
        {
            while (await watch.MoveNextAsync())
            {
                drained.Add(watch.Current.Revision);
            }
        });
        Assert.Equal(StorageErrorCode.Unavailable, error.Code);
        // The pending reader's continuation runs on the thread pool and may take revision 1 out of the channel
        // before or after the channel fills; it then stays suspended at its yield until the next MoveNextAsync, so
        // it frees at most that one slot. Either way the delivered revisions are gap-free and the rest is cut off.
        Assert.True(drained.SequenceEqual([2L, 3L, 4L]) || drained.SequenceEqual([2L, 3L, 4L, 5L]),
            $"drained: {string.Join(",", drained)}");
    }

    [Fact]
    public async Task Only_matching_prefixes_are_delivered_and_close_ends_watches()
    {
        var hub = new WatchHub(bufferCapacity: 16);
        await using var watch = hub.WatchAsync("/a/", 0, () => 0, NoHistory).GetAsyncEnumerator();
        var next = watch.MoveNextAsync();

        hub.Publish(Put("/b/x", 1));
        hub.Publish(Put("/a/y", 2));
        Assert.True(await next);
        Assert.Equal("/a/y", watch.Current.Current.Key);

        hub.Close();
        Assert.False(await watch.MoveNextAsync());
    }
}
