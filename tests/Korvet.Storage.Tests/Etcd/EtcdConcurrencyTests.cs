using System.Text;
using Korvet.Storage.Etcd;

namespace Korvet.Storage.Tests.Etcd;

/// <summary>Compare-and-swap under contention against a real etcd member.</summary>
[Collection(EtcdCollection.Name)]
public sealed class EtcdConcurrencyTests(EtcdSingleMemberFixture fixture)
{
    [EtcdFact]
    public async Task ConcurrentWritersOnOneKeyExactlyOneWinsPerRevision()
    {
        await using var backend = new EtcdBackend(new EtcdBackendOptions(fixture.Cluster.ClientUrls));
        var key = $"/race/{Guid.NewGuid():N}";
        var start = await backend.CreateAsync(key, Encoding.UTF8.GetBytes("0"));
        const int writers = 16;
        const int rounds = 10;
        var wins = new System.Collections.Concurrent.ConcurrentBag<(long Expected, long Revision, int Writer)>();

        async Task WriterAsync(int writer)
        {
            for (var round = 0; round < rounds; round++)
            {
                var current = await backend.GetAsync(key);
                try
                {
                    var rev = await backend.UpdateAsync(key, Encoding.UTF8.GetBytes($"{writer}:{round}"), current!.ModRevision);
                    wins.Add((current.ModRevision, rev, writer));
                }
                catch (StorageException e) when (e.Code == StorageErrorCode.Conflict)
                {
                    Assert.NotNull(e.Current);
                    Assert.True(e.Current.ModRevision > current!.ModRevision);
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(() => WriterAsync(w))));

        // Every expected revision was won at most once, and the wins form one chain from the create.
        Assert.Equal(wins.Count, wins.Select(w => w.Expected).Distinct().Count());
        var byExpected = wins.ToDictionary(w => w.Expected);
        var chain = 0;
        for (var rev = start; byExpected.TryGetValue(rev, out var win); rev = win.Revision)
        {
            chain++;
        }

        Assert.Equal(wins.Count, chain);
        Assert.True(wins.Count >= rounds, $"only {wins.Count} updates won");
        var final = await backend.GetAsync(key);
        Assert.Equal(wins.Max(w => w.Revision), final!.ModRevision);

        // Concurrent creates of one new key: exactly one succeeds.
        var fresh = $"/race/{Guid.NewGuid():N}";
        var results = await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            try
            {
                return await backend.CreateAsync(fresh, Encoding.UTF8.GetBytes(w.ToString()));
            }
            catch (StorageException e) when (e.Code == StorageErrorCode.KeyExists)
            {
                return 0L;
            }
        })));
        Assert.Single(results, r => r > 0);
    }
}
