using System.Diagnostics;
using System.Text;
using Korvet.Storage.Sqlite;

namespace Korvet.Storage.Tests.Sqlite;

public sealed class SqliteBackendTests : IDisposable
{
    private readonly SqliteTestDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    [Fact]
    public async Task Sixty_four_concurrent_writers_are_group_committed_and_every_write_gets_its_own_revision()
    {
        await using var backend = await _directory.OpenAsync();
        const int Writers = 64;
        const int EachWrites = 50;

        var revisions = await Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            var mine = new List<long>();
            for (var i = 0; i < EachWrites; i++)
            {
                mine.Add(await backend.CreateAsync($"/g/{w}/{i}", Bytes($"{w}-{i}")));
            }

            return mine;
        })));

        var all = revisions.SelectMany(r => r).Order().ToList();
        Assert.Equal(Enumerable.Range(1, Writers * EachWrites).Select(i => (long)i), all);
        Assert.True(backend.Commits < Writers * EachWrites / 4,
            $"{backend.Commits} commits for {Writers * EachWrites} writes: writes were not grouped");
        Assert.Equal(Writers * EachWrites, await backend.CountAsync("/g/"));
        Assert.Equal("7-9", Encoding.UTF8.GetString((await backend.GetAsync("/g/7/9"))!.Value));
    }

    [Fact]
    public async Task A_new_database_is_in_WAL_mode_with_incremental_auto_vacuum_and_a_unique_name_prev_index()
    {
        await using var backend = await _directory.OpenAsync();
        var r1 = await backend.CreateAsync("/s/a", Bytes("1"));
        await backend.UpdateAsync("/s/a", Bytes("2"), r1);

        Assert.Equal(2, _directory.Scalar("PRAGMA auto_vacuum"));
        Assert.Equal(1, _directory.Scalar("SELECT count(*) FROM pragma_journal_mode WHERE journal_mode = 'wal'"));
        Assert.Equal(1, _directory.Scalar("SELECT count(*) FROM pragma_index_list('log') WHERE name = 'log_name_prev' AND \"unique\" = 1"));
        // The database itself refuses a second successor of the same row, whatever the writer decided.
        var error = Assert.Throws<Microsoft.Data.Sqlite.SqliteException>(() => _directory.Scalar(
            $"INSERT INTO log VALUES (1000, CAST('/s/a' AS BLOB), 0, 0, {r1}, {r1}, 0, x'01') RETURNING id"));
        Assert.Equal(19, error.SqliteErrorCode);
    }

    [Fact]
    public async Task A_refused_write_in_a_batch_does_not_fail_the_others()
    {
        await using var backend = await _directory.OpenAsync();
        var created = await backend.CreateAsync("/b/contended", Bytes("0"));
        await backend.CreateAsync("/b/exists", Bytes("0"));

        var updates = Enumerable.Range(0, 32).Select(i => backend.UpdateAsync("/b/contended", Bytes($"{i}"), created)).ToList();
        var duplicates = Enumerable.Range(0, 8).Select(_ => backend.CreateAsync("/b/exists", Bytes("again"))).ToList();
        var fresh = Enumerable.Range(0, 32).Select(i => backend.CreateAsync($"/b/fresh/{i}", Bytes("x"))).ToList();

        var outcomes = await Task.WhenAll(updates.Select(Outcome));
        Assert.Single(outcomes, o => o is null);
        Assert.All(outcomes.Where(o => o is not null), o => Assert.Equal(StorageErrorCode.Conflict, o));
        Assert.All(await Task.WhenAll(duplicates.Select(Outcome)), o => Assert.Equal(StorageErrorCode.KeyExists, o));
        Assert.All(await Task.WhenAll(fresh.Select(Outcome)), Assert.Null);
        Assert.Equal(32, await backend.CountAsync("/b/fresh/"));
        Assert.True(backend.Commits < 70);
    }

    private static async Task<StorageErrorCode?> Outcome(Task<long> write)
    {
        try
        {
            await write;
            return null;
        }
        catch (StorageException e)
        {
            return e.Code;
        }
    }

    [Fact]
    public async Task A_watcher_that_stops_reading_is_ended_without_blocking_writers_and_can_resume()
    {
        await using var backend = await SqliteBackend.OpenAsync(_directory.Options() with { WatchBufferCapacity = 8 });
        await using var stalled = backend.WatchAsync("/s/", 1).GetAsyncEnumerator();
        var first = stalled.MoveNextAsync();

        var revisions = new List<long>();
        for (var i = 0; i < 100; i++)
        {
            revisions.Add(await backend.CreateAsync($"/s/{i:D3}", Bytes("x")).WaitAsync(TimeSpan.FromSeconds(10)));
        }

        Assert.True(await first);
        var received = new List<long> { stalled.Current.Revision };
        var error = await Assert.ThrowsAsync<StorageException>(async () =>
        {
            while (await stalled.MoveNextAsync())
            {
                received.Add(stalled.Current.Revision);
            }
        });
        Assert.Equal(StorageErrorCode.Unavailable, error.Code);
        Assert.True(received.Count < revisions.Count);
        Assert.Equal(revisions.Take(received.Count), received);

        await using var resumed = backend.WatchAsync("/s/", received[^1] + 1).GetAsyncEnumerator();
        foreach (var expected in revisions.Skip(received.Count))
        {
            Assert.True(await resumed.MoveNextAsync());
            Assert.Equal(expected, resumed.Current.Revision);
        }
    }

    [Fact]
    public async Task A_long_history_is_replayed_in_chunks_without_gaps_for_a_sparse_prefix()
    {
        await using var backend = await _directory.OpenAsync();
        var mine = new List<long>();
        for (var i = 0; i < 2000; i++)
        {
            var revision = await backend.CreateAsync(i % 3 == 0 ? $"/h/mine/{i}" : $"/h/other/{i}", Bytes("x"));
            if (i % 3 == 0)
            {
                mine.Add(revision);
            }
        }

        await using var watch = backend.WatchAsync("/h/mine/", 1).GetAsyncEnumerator();
        foreach (var expected in mine)
        {
            Assert.True(await watch.MoveNextAsync());
            Assert.Equal(expected, watch.Current.Revision);
        }
    }

    [Fact]
    public async Task Reopening_after_dispose_keeps_values_revisions_tombstones_ttls_and_the_compaction_marker()
    {
        long r1, r2, deletedAt, compactedTo, current;
        await using (var backend = await _directory.OpenAsync())
        {
            r1 = await backend.CreateAsync("/r/a", Bytes("one"));
            r2 = await backend.UpdateAsync("/r/a", Bytes("two"), r1);
            await backend.CreateAsync("/r/gone", Bytes("x"));
            deletedAt = (await backend.DeleteAsync("/r/gone")).Revision;
            await backend.CreateAsync("/r/ttl", Bytes("t"), ttlSeconds: 2);
            compactedTo = r2;
            await backend.CompactAsync(compactedTo);
            current = await backend.CurrentRevisionAsync();
        }

        await using (var backend = await _directory.OpenAsync())
        {
            Assert.Equal(current, await backend.CurrentRevisionAsync());
            Assert.Equal(compactedTo, await backend.CompactedRevisionAsync());
            var a = await backend.GetAsync("/r/a");
            Assert.Equal("two", Encoding.UTF8.GetString(a!.Value));
            Assert.Equal(r1, a.CreateRevision);
            Assert.Equal(r2, a.ModRevision);
            Assert.Null(await backend.GetAsync("/r/gone"));
            Assert.NotNull(await backend.GetAsync("/r/gone", deletedAt - 1));
            var again = await backend.CreateAsync("/r/gone", Bytes("again"));
            Assert.Equal(current + 1, again);
            await Assert.ThrowsAsync<StorageException>(() => backend.GetAsync("/r/a", r1));
            var stopwatch = Stopwatch.StartNew();
            while (await backend.GetAsync("/r/ttl") is not null && stopwatch.Elapsed < TimeSpan.FromSeconds(10))
            {
                await Task.Delay(100);
            }

            Assert.Null(await backend.GetAsync("/r/ttl"));
        }
    }

    [Fact]
    public async Task Compaction_left_unfinished_by_a_closed_backend_is_finished_after_reopening()
    {
        long current;
        await using (var backend = await SqliteBackend.OpenAsync(_directory.Options() with { CompactBatchSize = 1 }))
        {
            for (var i = 0; i < 200; i++)
            {
                var r = await backend.CreateAsync($"/u/{i}", Bytes("1"));
                await backend.UpdateAsync($"/u/{i}", Bytes("2"), r);
            }

            current = await backend.CurrentRevisionAsync();
            await backend.CompactAsync(current);
        }

        await using (var backend = await _directory.OpenAsync())
        {
            var deadline = Stopwatch.StartNew();
            // 200 newest rows, plus the row the change AT the compacted revision superseded (its previous value).
            while (_directory.Scalar("SELECT count(*) FROM log") > 201 && deadline.Elapsed < TimeSpan.FromSeconds(20))
            {
                await Task.Delay(50);
            }

            Assert.Equal(201, _directory.Scalar("SELECT count(*) FROM log"));
            Assert.Equal(current, await backend.CompactedRevisionAsync());
            Assert.Equal(200, (await backend.ListAsync("/u/", new ListOptions(current))).Items.Count);
        }
    }

    [Fact]
    public async Task Compaction_under_write_load_removes_old_rows_reuses_space_and_never_stalls_writers_long()
    {
        var value = new byte[4096];
        await using var backend = await _directory.OpenAsync(TimeSpan.FromMilliseconds(50), retain: 200);
        var revisions = new long[20];
        for (var k = 0; k < revisions.Length; k++)
        {
            revisions[k] = await backend.CreateAsync($"/c/{k}", value);
        }

        async Task<TimeSpan> WriteRoundAsync(int updates)
        {
            var worst = TimeSpan.Zero;
            var stopwatch = new Stopwatch();
            for (var i = 0; i < updates; i++)
            {
                var k = i % revisions.Length;
                stopwatch.Restart();
                revisions[k] = await backend.UpdateAsync($"/c/{k}", value, revisions[k]);
                worst = stopwatch.Elapsed > worst ? stopwatch.Elapsed : worst;
            }

            return worst;
        }

        async Task SettleAsync()
        {
            var deadline = Stopwatch.StartNew();
            while (_directory.Scalar("SELECT count(*) FROM log") > 600 && deadline.Elapsed < TimeSpan.FromSeconds(20))
            {
                await Task.Delay(50);
            }
        }

        var worstFirst = await WriteRoundAsync(3000);
        await SettleAsync();
        var worstSecond = await WriteRoundAsync(3000);
        await SettleAsync();

        var rows = _directory.Scalar("SELECT count(*) FROM log");
        Assert.True(rows <= 600, $"{rows} rows remain after compaction");
        Assert.True(await backend.CompactedRevisionAsync() > 5000);
        // 6,000 updates of 4 KiB values were written (over 6,000 pages); at most ~600 rows are kept.
        var pages = _directory.Scalar("PRAGMA page_count");
        Assert.True(pages < 1500, $"the database has {pages} pages: space is not reused");
        var slowest = worstFirst > worstSecond ? worstFirst : worstSecond;
        // The 100 ms figure is the benchmark's (bench/); on a shared 2-core CI machine only a gross stall (the
        // writer held by compaction for seconds) is a reliable failure.
        Assert.True(slowest < TimeSpan.FromSeconds(2), $"a write stalled for {slowest.TotalMilliseconds} ms");
        for (var k = 0; k < revisions.Length; k++)
        {
            Assert.Equal(revisions[k], (await backend.GetAsync($"/c/{k}"))!.ModRevision);
        }

        var current = await backend.CurrentRevisionAsync();
        Assert.Equal(20, (await backend.ListAsync("/c/", new ListOptions(current - 150))).Items.Count);
    }
}
