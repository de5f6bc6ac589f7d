using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Korvet.Storage.Etcd;
using Xunit.Abstractions;

namespace Korvet.Storage.Tests.Etcd;

/// <summary>A real 3-member etcd cluster losing a member (SIGKILL) while a client writes and watches.</summary>
public sealed class EtcdFailoverTests(ITestOutputHelper output)
{
    [EtcdTheory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task KilledMemberDuringWritesLosesNoAcknowledgedWriteAndRejoins(bool killLeader)
    {
        await using var cluster = await EtcdCluster.StartAsync(3);
        // The victim is the leader (forcing an election) or a follower, and comes first in the client's list so the
        // client is talking to it when it dies.
        var leader = FindLeader(cluster) ?? cluster.Members[0];
        var victim = killLeader ? leader : cluster.Members.First(m => m != leader);
        var survivors = cluster.Members.Where(m => m != victim).ToArray();
        var endpoints = new[] { victim.ClientUrl }.Concat(survivors.Select(m => m.ClientUrl)).ToArray();
        // A proposal forwarded to a leader that dies is lost, and etcd fails it only after its own request timeout
        // (about 7 s); the client's per-attempt timeout bounds that stall instead.
        await using var backend = new EtcdBackend(new EtcdBackendOptions(endpoints) { RequestTimeout = TimeSpan.FromSeconds(2) });
        var prefix = $"/failover/{Guid.NewGuid():N}/";
        var start = await backend.CurrentRevisionAsync();

        using var stopWatch = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var watched = new ConcurrentDictionary<long, string>();
        var watchErrors = new ConcurrentQueue<Exception>();
        var watch = Task.Run(async () =>
        {
            try
            {
                await foreach (var e in backend.WatchAsync(prefix, start + 1, stopWatch.Token))
                {
                    Assert.True(watched.TryAdd(e.Revision, e.Current.Key), $"revision {e.Revision} delivered twice");
                }
            }
            catch (OperationCanceledException) when (stopWatch.IsCancellationRequested)
            {
            }
            catch (Exception e)
            {
                watchErrors.Enqueue(e);
            }
        });

        var acked = new ConcurrentDictionary<string, long>();
        var failures = new ConcurrentQueue<StorageException>();
        var killed = 0L;
        long firstAckAfterKillMs = -1;
        var sw = new Stopwatch();
        var ackedAfterKill = 0;
        using var stopWriters = new CancellationTokenSource();
        async Task WriterAsync(int writer)
        {
            for (var i = 0; !stopWriters.IsCancellationRequested; i++)
            {
                var key = $"{prefix}{writer}/{i}";
                try
                {
                    var rev = await backend.CreateAsync(key, Encoding.UTF8.GetBytes(key));
                    acked[key] = rev;
                    if (Interlocked.Read(ref killed) != 0 && Interlocked.Increment(ref ackedAfterKill) == 1)
                    {
                        firstAckAfterKillMs = sw.ElapsedMilliseconds;
                    }
                }
                catch (StorageException e) when (e.Code == StorageErrorCode.Unavailable)
                {
                    // Allowed: the outcome is unknown to the caller. Never allowed: a false success.
                    failures.Enqueue(e);
                }
            }
        }

        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(() => WriterAsync(w))).ToArray();
        await Task.Delay(1000);
        var beforeKill = acked.Count;
        sw.Start();
        victim.Kill();
        Interlocked.Exchange(ref killed, 1);
        var timeline = new List<string>();
        for (var t = 0; t < 24; t++)
        {
            await Task.Delay(250);
            timeline.Add($"{sw.ElapsedMilliseconds}ms:{acked.Count}");
        }

        output.WriteLine(string.Join(' ', timeline));
        await stopWriters.CancelAsync();
        await Task.WhenAll(writers);
        output.WriteLine($"victim {victim.Name}; acked {beforeKill} before the kill, {acked.Count} in all, {ackedAfterKill} after (first {firstAckAfterKillMs} ms after the kill); " +
                         $"{failures.Count} unavailable: {string.Join(" | ", failures.Select(f => f.Message).Distinct().Take(3))}");
        Assert.True(beforeKill > 0, "no write succeeded before the kill");
        Assert.True(ackedAfterKill > 0, "no write succeeded after the member was killed: the client did not fail over");

        // Every acknowledged write is on the survivors, at the revision we were told.
        await using (var check = new EtcdBackend(new EtcdBackendOptions(survivors.Select(m => m.ClientUrl).ToArray())))
        {
            await AssertAllPresentAsync(check, prefix, acked);
        }

        // The watch moved to a survivor and delivered every acknowledged write exactly once.
        var maxAcked = acked.Values.Max();
        while (!acked.Values.All(watched.ContainsKey) && watchErrors.IsEmpty && sw.Elapsed < TimeSpan.FromSeconds(60))
        {
            await Task.Delay(100);
        }

        Assert.Empty(watchErrors);
        Assert.All(acked, a => Assert.Equal(a.Key, watched.GetValueOrDefault(a.Value)));
        Assert.True(watched.Keys.Max() >= maxAcked);

        // The member comes back with the same command line and data dir, rejoins and catches up.
        victim.Start();
        await victim.WaitHealthyAsync(TimeSpan.FromSeconds(30));
        await using (var rejoined = new EtcdBackend(new EtcdBackendOptions([victim.ClientUrl])))
        {
            await AssertAllPresentAsync(rejoined, prefix, acked);
            var rev = await rejoined.CreateAsync(prefix + "after-rejoin", [1]);
            Assert.True(rev > maxAcked);
        }

        await stopWatch.CancelAsync();
        await watch;
    }

    private static async Task AssertAllPresentAsync(EtcdBackend backend, string prefix, ConcurrentDictionary<string, long> acked)
    {
        var all = await backend.ListAsync(prefix, ListOptions.Default);
        var stored = all.Items.ToDictionary(i => i.Key, i => i.ModRevision);
        foreach (var (key, rev) in acked)
        {
            Assert.True(stored.TryGetValue(key, out var storedRev), $"acknowledged write {key}@{rev} is missing");
            Assert.Equal(rev, storedRev);
        }
    }

    /// <summary>The current leader per <c>etcdctl endpoint status</c>, or null when etcdctl is unavailable.</summary>
    private static EtcdMember? FindLeader(EtcdCluster cluster)
    {
        const string etcdctl = "/usr/bin/etcdctl";
        if (!File.Exists(etcdctl))
        {
            return null;
        }

        var start = new ProcessStartInfo(etcdctl,
            ["--endpoints", string.Join(',', cluster.Members.Select(m => m.ClientUrl.ToString().TrimEnd('/'))), "endpoint", "status", "-w", "json"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["ETCDCTL_API"] = "3";
        using var process = Process.Start(start)!;
        var json = process.StandardOutput.ReadToEnd();
        process.WaitForExit(10_000);
        using var doc = JsonDocument.Parse(json);
        foreach (var entry in doc.RootElement.EnumerateArray())
        {
            var status = entry.GetProperty("Status");
            if (status.GetProperty("header").GetProperty("member_id").GetUInt64() == status.GetProperty("leader").GetUInt64())
            {
                var endpoint = entry.GetProperty("Endpoint").GetString()!.TrimEnd('/');
                return cluster.Members.First(m => m.ClientUrl.ToString().TrimEnd('/') == endpoint);
            }
        }

        return null;
    }

    [EtcdFact]
    public async Task HungMemberIsDetectedAndWritesAndWatchesMoveOn()
    {
        await using var cluster = await EtcdCluster.StartAsync(3);
        var leader = FindLeader(cluster) ?? cluster.Members[0];
        var victim = cluster.Members.First(m => m != leader);
        var endpoints = new[] { victim.ClientUrl }.Concat(cluster.Members.Where(m => m != victim).Select(m => m.ClientUrl)).ToArray();
        var options = new EtcdBackendOptions(endpoints)
        {
            RequestTimeout = TimeSpan.FromSeconds(2),
            KeepAlivePingDelay = TimeSpan.FromSeconds(5),
        };
        await using var backend = new EtcdBackend(options);
        var prefix = $"/hung/{Guid.NewGuid():N}/";
        var start = await backend.CurrentRevisionAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var watch = backend.WatchAsync(prefix, start + 1, timeout.Token).GetAsyncEnumerator(timeout.Token);
        var first = await backend.CreateAsync(prefix + "before", [1]);
        Assert.True(await watch.MoveNextAsync());
        Assert.Equal(first, watch.Current.Revision);

        var sw = Stopwatch.StartNew();
        victim.Freeze(true);
        try
        {
            // The client's member no longer answers but its connection stays open: the write times out there and
            // moves on; the watch notices through HTTP/2 pings and resumes elsewhere.
            var revisions = new List<long>();
            for (var i = 0; i < 5; i++)
            {
                revisions.Add(await backend.CreateAsync($"{prefix}during{i}", [2]));
            }

            output.WriteLine($"5 writes with a hung member took {sw.ElapsedMilliseconds} ms");
            foreach (var expected in revisions)
            {
                Assert.True(await watch.MoveNextAsync());
                Assert.Equal(expected, watch.Current.Revision);
            }

            output.WriteLine($"watch caught up after {sw.ElapsedMilliseconds} ms");
        }
        finally
        {
            victim.Freeze(false);
        }
    }
}
