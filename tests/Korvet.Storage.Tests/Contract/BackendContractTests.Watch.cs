namespace Korvet.Storage.Tests.Contract;

/// <summary>Watch, compaction, concurrency and TTL parts of the contract.</summary>
public abstract partial class BackendContractTests
{
    [Fact]
    public async Task Watch_from_now_sees_only_later_changes_in_order()
    {
        var before = await Backend.CreateAsync(K("before"), Bytes("x"));
        await using var watch = WatchProbe.Start(Backend, Prefix, 0);

        // The watch attaches asynchronously: write until it reports something, then check order from there on.
        WatchEvent? first = null;
        for (var i = 0; first is null && i < 100; i++)
        {
            await Backend.CreateAsync(K($"tick{i}"), Bytes("t"));
            try
            {
                first = await watch.NextAsync(TimeSpan.FromMilliseconds(100));
            }
            catch (TimeoutException)
            {
            }
        }

        Assert.NotNull(first);
        Assert.True(first.Revision > before);
        var last = await Backend.CreateAsync(K("last"), Bytes("x"));
        var previous = first.Revision;
        while (true)
        {
            var next = await watch.NextAsync();
            Assert.True(next.Revision > previous, $"{next.Revision} after {previous}");
            previous = next.Revision;
            if (next.Current.Key == K("last"))
            {
                Assert.Equal(last, next.Revision);
                break;
            }
        }
    }

    [Fact]
    public async Task Watch_from_a_past_revision_replays_history_with_previous_values_then_follows_live()
    {
        var r1 = await Backend.CreateAsync(K("a"), Bytes("one"));
        var r2 = await Backend.UpdateAsync(K("a"), Bytes("two"), r1);
        var r3 = await Backend.CreateAsync(K("b"), Bytes("bee"));
        await Backend.CreateAsync(Prefix.TrimEnd('/') + "-sibling/x", Bytes("not mine"));
        var r4 = (await Backend.DeleteAsync(K("a"), r2)).Revision;
        await using var watch = WatchProbe.Start(Backend, Prefix, r1);

        var replay = await watch.NextAsync(4);
        var r5 = await Backend.CreateAsync(K("c"), Bytes("sea"));
        var live = await watch.NextAsync();

        Assert.Equal([r1, r2, r3, r4], replay.Select(e => e.Revision));
        Assert.True(replay[0].IsCreate);
        Assert.Equal("one", Text(replay[0].Current.Value));
        Assert.Equal(WatchEventType.Put, replay[1].Type);
        Assert.Equal("two", Text(replay[1].Current.Value));
        Assert.Equal("one", Text(replay[1].Previous!.Value));
        Assert.Equal(r1, replay[1].Previous!.ModRevision);
        Assert.Equal(r1, replay[1].Current.CreateRevision);
        Assert.Equal(K("b"), replay[2].Current.Key);
        Assert.Equal(WatchEventType.Delete, replay[3].Type);
        Assert.Equal(K("a"), replay[3].Current.Key);
        Assert.Equal(r4, replay[3].Current.ModRevision);
        Assert.Empty(replay[3].Current.Value);
        Assert.Equal("two", Text(replay[3].Previous!.Value));
        Assert.Equal(r5, live.Revision);
        Assert.True(live.IsCreate);
        Assert.True(await watch.IsQuietAsync(TimeSpan.FromMilliseconds(200)));
    }

    [Fact]
    public async Task Watch_switching_from_history_to_live_during_writes_has_no_gap_and_no_duplicate()
    {
        var start = await Backend.CreateAsync(K("w0"), Bytes("0"));
        using var stop = new CancellationTokenSource();
        var writer = Task.Run(async () =>
        {
            var revisions = new List<long> { start };
            for (var i = 1; i < 300; i++)
            {
                revisions.Add(await Backend.CreateAsync(K($"w{i}"), Bytes($"{i}")));
            }

            return revisions;
        });
        await Task.Delay(20);
        await using var watch = WatchProbe.Start(Backend, Prefix, start);

        var written = await writer;
        var seen = await watch.NextAsync(written.Count);

        Assert.Equal(written, seen.Select(e => e.Revision));
        Assert.True(await watch.IsQuietAsync(TimeSpan.FromMilliseconds(200)));
    }

    [Fact]
    public async Task Compacted_revisions_fail_reads_and_watches_and_a_watcher_resumes_by_relisting()
    {
        var r1 = await Backend.CreateAsync(K("a"), Bytes("one"));
        var r2 = await Backend.UpdateAsync(K("a"), Bytes("two"), r1);
        var r3 = await Backend.UpdateAsync(K("a"), Bytes("three"), r2);
        await Backend.CreateAsync(K("b"), Bytes("bee"));

        await Backend.CompactAsync(r3);

        Assert.True(await Backend.CompactedRevisionAsync() >= r3);
        await ThrowsStorageAsync(StorageErrorCode.Compacted, () => Backend.GetAsync(K("a"), r1));
        await ThrowsStorageAsync(StorageErrorCode.Compacted, () => Backend.ListAsync(Prefix, new ListOptions(r2)));
        Assert.Equal("three", Text((await Backend.GetAsync(K("a"), r3))!.Value));
        Assert.Equal("three", Text((await Backend.GetAsync(K("a")))!.Value));
        await Backend.CompactAsync(r1);

        await using var stale = WatchProbe.Start(Backend, Prefix, r1);
        var error = await Assert.ThrowsAsync<StorageException>(() => stale.NextAsync());
        Assert.Equal(StorageErrorCode.Compacted, error.Code);

        var relisted = await Backend.ListAsync(Prefix, ListOptions.Default);
        Assert.Equal(2, relisted.Items.Count);
        await using var resumed = WatchProbe.Start(Backend, Prefix, relisted.Revision + 1);
        var r5 = await Backend.UpdateAsync(K("b"), Bytes("bee2"), relisted.Items[1].ModRevision);
        var change = await resumed.NextAsync();
        Assert.Equal(r5, change.Revision);
        Assert.Equal("bee", Text(change.Previous!.Value));
    }

    [Fact]
    public async Task Watch_at_the_compacted_revision_itself_still_works_with_previous_values()
    {
        // The event at the compacted revision is delivered, and later events carry the previous values that were
        // live at the compacted revision. Whether the event *at* the compacted revision still carries its own
        // previous value is not part of the contract: etcd has discarded that value by then.
        var r1 = await Backend.CreateAsync(K("a"), Bytes("one"));
        var r2 = await Backend.CreateAsync(K("b"), Bytes("bee"));
        await Backend.CompactAsync(r2);
        var r3 = await Backend.UpdateAsync(K("a"), Bytes("two"), r1);

        await using var watch = WatchProbe.Start(Backend, Prefix, r2);
        var events = await watch.NextAsync(2);

        Assert.Equal([r2, r3], events.Select(e => e.Revision));
        Assert.True(events[0].IsCreate);
        Assert.Equal("one", Text(events[1].Previous!.Value));
    }

    [Fact]
    public async Task Deleted_keys_stay_deleted_after_compaction()
    {
        var r1 = await Backend.CreateAsync(K("a"), Bytes("one"));
        var deleted = await Backend.DeleteAsync(K("a"), r1);
        var r3 = await Backend.CreateAsync(K("b"), Bytes("bee"));

        await Backend.CompactAsync(r3);

        Assert.Null(await Backend.GetAsync(K("a")));
        Assert.Null(await Backend.GetAsync(K("a"), r3));
        Assert.Equal([K("b")], (await Backend.ListAsync(Prefix, ListOptions.Default)).Items.Select(i => i.Key));
        var again = await Backend.CreateAsync(K("a"), Bytes("again"));
        Assert.True(again > deleted.Revision);
        Assert.Equal(again, (await Backend.GetAsync(K("a")))!.CreateRevision);
    }

    [Fact]
    public async Task Of_concurrent_writers_expecting_the_same_revision_exactly_one_wins()
    {
        var created = await Backend.CreateAsync(K("contended"), Bytes("0"));
        using var go = new ManualResetEventSlim();

        var attempts = Enumerable.Range(0, 16).Select(i => Task.Run(async () =>
        {
            go.Wait();
            try
            {
                return await Backend.UpdateAsync(K("contended"), Bytes($"{i}"), created);
            }
            catch (StorageException e) when (e.Code == StorageErrorCode.Conflict)
            {
                return -1L;
            }
        })).ToArray();
        go.Set();
        var results = await Task.WhenAll(attempts);

        var winner = Assert.Single(results, r => r > 0);
        Assert.Equal(winner, (await Backend.GetAsync(K("contended")))!.ModRevision);
    }

    [Fact]
    public async Task Of_concurrent_creators_of_one_key_exactly_one_wins()
    {
        using var go = new ManualResetEventSlim();

        var attempts = Enumerable.Range(0, 16).Select(i => Task.Run(async () =>
        {
            go.Wait();
            try
            {
                return await Backend.CreateAsync(K("once"), Bytes($"{i}"));
            }
            catch (StorageException e) when (e.Code == StorageErrorCode.KeyExists)
            {
                return -1L;
            }
        })).ToArray();
        go.Set();
        var results = await Task.WhenAll(attempts);

        Assert.Single(results, r => r > 0);
    }

    [Fact]
    public async Task Thirty_two_compare_and_swap_incrementers_reach_exactly_the_right_total()
    {
        const int Writers = 32;
        const int IncrementsEach = 10;
        await Backend.CreateAsync(K("counter"), Bytes("0"));

        var revisions = await Task.WhenAll(Enumerable.Range(0, Writers).Select(_ => Task.Run(async () =>
        {
            var won = new List<long>();
            while (won.Count < IncrementsEach)
            {
                var current = (await Backend.GetAsync(K("counter")))!;
                var next = int.Parse(Text(current.Value)) + 1;
                try
                {
                    won.Add(await Backend.UpdateAsync(K("counter"), Bytes($"{next}"), current.ModRevision));
                }
                catch (StorageException e) when (e.Code == StorageErrorCode.Conflict)
                {
                }
            }

            return won;
        })));

        var final = (await Backend.GetAsync(K("counter")))!;
        Assert.Equal($"{Writers * IncrementsEach}", Text(final.Value));
        var all = revisions.SelectMany(r => r).ToList();
        Assert.Equal(all.Count, all.Distinct().Count());
        Assert.Equal(all.Max(), final.ModRevision);
    }

    [Fact]
    public async Task A_key_with_a_ttl_expires_and_watchers_see_the_delete()
    {
        await Backend.CreateAsync(K("durable"), Bytes("stays"));
        var created = await Backend.CreateAsync(K("ephemeral"), Bytes("goes"), ttlSeconds: 1);
        await using var watch = WatchProbe.Start(Backend, K("ephemeral"), created + 1);

        var change = await watch.NextAsync(TimeSpan.FromSeconds(15));

        Assert.Equal(WatchEventType.Delete, change.Type);
        Assert.Equal("goes", Text(change.Previous!.Value));
        Assert.Null(await Backend.GetAsync(K("ephemeral")));
        Assert.NotNull(await Backend.GetAsync(K("durable")));
    }

    [Fact]
    public async Task Many_watchers_on_one_prefix_each_see_every_change_in_order()
    {
        var start = await Backend.CreateAsync(K("start"), Bytes("s"));
        var watches = Enumerable.Range(0, 20).Select(_ => WatchProbe.Start(Backend, Prefix, start + 1)).ToList();
        try
        {
            var written = await Task.WhenAll(Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
            {
                var mine = new List<long>();
                for (var i = 0; i < 25; i++)
                {
                    mine.Add(await Backend.CreateAsync(K($"m/{w}/{i}"), Bytes("x")));
                }

                return mine;
            })));
            var expected = written.SelectMany(r => r).Order().ToList();

            foreach (var watch in watches)
            {
                Assert.Equal(expected, (await watch.NextAsync(expected.Count)).Select(e => e.Revision));
            }
        }
        finally
        {
            foreach (var watch in watches)
            {
                await watch.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Cancelling_a_watch_ends_it()
    {
        using var cts = new CancellationTokenSource();
        var watch = Task.Run(async () =>
        {
            await foreach (var unused in Backend.WatchAsync(Prefix, 0, cts.Token))
            {
            }
        });
        await Task.Delay(100);

        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => watch.WaitAsync(TimeSpan.FromSeconds(10)));
    }
}
