using System.Text;
using Korvet.Storage.Etcd;

namespace Korvet.Storage.Tests.Etcd;

/// <summary>Watch semantics of <see cref="EtcdBackend"/> against a real single etcd member.</summary>
[Collection(EtcdCollection.Name)]
public sealed class EtcdWatchTests(EtcdSingleMemberFixture fixture) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private readonly string _prefix = $"/watch/{Guid.NewGuid():N}/";
    private EtcdBackend _backend = null!;

    public Task InitializeAsync()
    {
        if (EtcdMember.Available)
        {
            _backend = new EtcdBackend(new EtcdBackendOptions(fixture.Cluster.ClientUrls));
        }

        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        if (_backend is not null)
        {
            await _backend.DisposeAsync();
        }
    }

    private static byte[] V(string s) => Encoding.UTF8.GetBytes(s);

    private static async Task<List<WatchEvent>> TakeAsync(IAsyncEnumerable<WatchEvent> watch, int count)
    {
        using var timeout = new CancellationTokenSource(Patience);
        var events = new List<WatchEvent>();
        await foreach (var e in watch.WithCancellation(timeout.Token))
        {
            events.Add(e);
            if (events.Count == count)
            {
                break;
            }
        }

        return events;
    }

    [EtcdFact]
    public async Task WatchFromAPastRevisionReplaysHistoryWithPreviousValues()
    {
        var a = _prefix + "a";
        var r1 = await _backend.CreateAsync(a, V("1"));
        var r2 = await _backend.UpdateAsync(a, V("2"), r1);
        var r3 = await _backend.CreateAsync(_prefix + "b", V("b"));
        var del = await _backend.DeleteAsync(a, r2);
        await _backend.CreateAsync("/elsewhere/" + Guid.NewGuid(), V("not under the prefix"));

        var events = await TakeAsync(_backend.WatchAsync(_prefix, r1), 4);
        Assert.Equal([r1, r2, r3, del.Revision], events.Select(e => e.Revision));
        Assert.True(events[0].IsCreate);
        Assert.Null(events[0].Previous);
        Assert.Equal("2", Encoding.UTF8.GetString(events[1].Current.Value));
        Assert.Equal("1", Encoding.UTF8.GetString(events[1].Previous!.Value));
        Assert.Equal(WatchEventType.Delete, events[3].Type);
        Assert.Equal(a, events[3].Current.Key);
        Assert.Empty(events[3].Current.Value);
        Assert.Equal("2", Encoding.UTF8.GetString(events[3].Previous!.Value));

        // Starting later skips what came before.
        var later = await TakeAsync(_backend.WatchAsync(_prefix, r3), 2);
        Assert.Equal([r3, del.Revision], later.Select(e => e.Revision));
    }

    [EtcdFact]
    public async Task WatchFromNowSeesOnlyNewEventsInOrder()
    {
        await _backend.CreateAsync(_prefix + "old", V("before the watch"));
        using var cts = new CancellationTokenSource(Patience);
        await using var enumerator = _backend.WatchAsync(_prefix, 0, cts.Token).GetAsyncEnumerator(cts.Token);
        var next = enumerator.MoveNextAsync().AsTask();
        // The watch is created on the first MoveNextAsync; wait until etcd has registered it.
        await Task.Delay(300);
        var revisions = new List<long>();
        for (var i = 0; i < 20; i++)
        {
            revisions.Add(await _backend.CreateAsync($"{_prefix}n{i}", V(i.ToString())));
        }

        var seen = new List<long>();
        while (seen.Count < revisions.Count)
        {
            Assert.True(await next);
            seen.Add(enumerator.Current.Revision);
            next = enumerator.MoveNextAsync().AsTask();
        }

        Assert.Equal(revisions, seen);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => next);
    }

    [EtcdFact]
    public async Task WatchFromACompactedRevisionFailsAndResumesFromTheCompactedRevision()
    {
        var key = _prefix + "k";
        var r1 = await _backend.CreateAsync(key, V("1"));
        var r2 = await _backend.UpdateAsync(key, V("2"), r1);
        var r3 = await _backend.UpdateAsync(key, V("3"), r2);
        await _backend.CompactAsync(r3);

        var e = await Assert.ThrowsAsync<StorageException>(() => TakeAsync(_backend.WatchAsync(_prefix, r1), 1));
        Assert.Equal(StorageErrorCode.Compacted, e.Code);
        Assert.Equal(r3, e.CompactedRevision);

        // Like a reflector after 410 Gone: resume from the revision etcd said is still available.
        var r4 = await _backend.UpdateAsync(key, V("4"), r3);
        var resumed = await TakeAsync(_backend.WatchAsync(_prefix, e.CompactedRevision), 2);
        Assert.Equal([r3, r4], resumed.Select(x => x.Revision));
        Assert.Equal("3", Encoding.UTF8.GetString(resumed[1].Previous!.Value));
    }

    [EtcdFact]
    public async Task DisposingTheBackendEndsItsWatchesNormally()
    {
        var own = new EtcdBackend(new EtcdBackendOptions(fixture.Cluster.ClientUrls));
        await using IAsyncEnumerator<WatchEvent> watch = own.WatchAsync(_prefix, 0).GetAsyncEnumerator();
        // The first MoveNextAsync runs the stream synchronously up to its first await, so the watch exists before the
        // backend is disposed (a Task.Run plus a delay raced the disposal on a loaded machine).
        Task<bool> first = watch.MoveNextAsync().AsTask();
        await own.DisposeAsync();
        var finished = await Task.WhenAny(first, Task.Delay(Patience));
        Assert.Same(first, finished);
        Assert.False(await first);
    }

    [EtcdFact]
    public async Task ManyConcurrentWatchersEachSeeEveryEvent()
    {
        const int watchers = 300;
        const int writes = 20;
        var start = await _backend.CurrentRevisionAsync() + 1;
        var consumers = Enumerable.Range(0, watchers)
            .Select(_ => Task.Run(() => TakeAsync(_backend.WatchAsync(_prefix, start), writes)))
            .ToArray();
        var revisions = new List<long>();
        for (var i = 0; i < writes; i++)
        {
            revisions.Add(await _backend.CreateAsync($"{_prefix}w{i}", V("x")));
        }

        foreach (var seen in await Task.WhenAll(consumers))
        {
            Assert.Equal(revisions, seen.Select(e => e.Revision));
        }
    }
}
