using System.Text;
using Korvet.Storage.Etcd;

namespace Korvet.Storage.Tests.Etcd;

/// <summary>KV semantics of <see cref="EtcdBackend"/> against a real single etcd member.</summary>
[Collection(EtcdCollection.Name)]
public sealed class EtcdBackendTests(EtcdSingleMemberFixture fixture) : IAsyncLifetime
{
    private readonly string _prefix = $"/test/{Guid.NewGuid():N}/";
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

    [EtcdFact]
    public async Task CreateGetUpdateDeleteRoundTrip()
    {
        var key = _prefix + "a";
        var before = await _backend.CurrentRevisionAsync();
        var created = await _backend.CreateAsync(key, V("one"));
        Assert.True(created > before);
        Assert.Equal(created, await _backend.CurrentRevisionAsync());

        var got = await _backend.GetAsync(key);
        Assert.NotNull(got);
        Assert.Equal("one", Encoding.UTF8.GetString(got.Value));
        Assert.Equal(created, got.CreateRevision);
        Assert.Equal(created, got.ModRevision);

        var updated = await _backend.UpdateAsync(key, V("two"), created);
        Assert.True(updated > created);
        var after = await _backend.GetAsync(key);
        Assert.Equal("two", Encoding.UTF8.GetString(after!.Value));
        Assert.Equal(created, after.CreateRevision);
        Assert.Equal(updated, after.ModRevision);

        // The old revision is still readable until compaction.
        var old = await _backend.GetAsync(key, created);
        Assert.Equal("one", Encoding.UTF8.GetString(old!.Value));

        var deleted = await _backend.DeleteAsync(key, updated);
        Assert.True(deleted.Revision > updated);
        Assert.Equal("two", Encoding.UTF8.GetString(deleted.Deleted.Value));
        Assert.Equal(updated, deleted.Deleted.ModRevision);
        Assert.Null(await _backend.GetAsync(key));
    }

    [EtcdFact]
    public async Task CreateOfLiveKeyFailsWithKeyExistsAndCurrentValue()
    {
        var key = _prefix + "dup";
        var rev = await _backend.CreateAsync(key, V("first"));
        var e = await Assert.ThrowsAsync<StorageException>(() => _backend.CreateAsync(key, V("second")));
        Assert.Equal(StorageErrorCode.KeyExists, e.Code);
        Assert.Equal(rev, e.Current!.ModRevision);
        Assert.Equal("first", Encoding.UTF8.GetString(e.Current.Value));

        // After a delete the key can be created again, with a new create revision.
        await _backend.DeleteAsync(key);
        var again = await _backend.CreateAsync(key, V("third"));
        Assert.Equal(again, (await _backend.GetAsync(key))!.CreateRevision);
    }

    [EtcdFact]
    public async Task UpdateWithStaleRevisionConflictsAndMissingKeyIsNotFound()
    {
        var key = _prefix + "cas";
        var rev = await _backend.CreateAsync(key, V("v1"));
        var rev2 = await _backend.UpdateAsync(key, V("v2"), rev);

        var conflict = await Assert.ThrowsAsync<StorageException>(() => _backend.UpdateAsync(key, V("v3"), rev));
        Assert.Equal(StorageErrorCode.Conflict, conflict.Code);
        Assert.Equal(rev2, conflict.Current!.ModRevision);
        Assert.Equal("v2", Encoding.UTF8.GetString((await _backend.GetAsync(key))!.Value));

        var missing = await Assert.ThrowsAsync<StorageException>(() => _backend.UpdateAsync(_prefix + "nope", V("x"), 5));
        Assert.Equal(StorageErrorCode.KeyNotFound, missing.Code);
        // Expected revision 0 must not turn an update into a create.
        var zero = await Assert.ThrowsAsync<StorageException>(() => _backend.UpdateAsync(_prefix + "nope", V("x"), 0));
        Assert.Equal(StorageErrorCode.KeyNotFound, zero.Code);
        Assert.Null(await _backend.GetAsync(_prefix + "nope"));
    }

    [EtcdFact]
    public async Task DeleteChecksRevisionAndReportsMissingKeys()
    {
        var key = _prefix + "del";
        var rev = await _backend.CreateAsync(key, V("v"));
        var conflict = await Assert.ThrowsAsync<StorageException>(() => _backend.DeleteAsync(key, rev + 1000));
        Assert.Equal(StorageErrorCode.Conflict, conflict.Code);
        Assert.Equal(rev, conflict.Current!.ModRevision);
        Assert.NotNull(await _backend.GetAsync(key));

        await _backend.DeleteAsync(key, rev);
        var missing = await Assert.ThrowsAsync<StorageException>(() => _backend.DeleteAsync(key));
        Assert.Equal(StorageErrorCode.KeyNotFound, missing.Code);
        var missingCas = await Assert.ThrowsAsync<StorageException>(() => _backend.DeleteAsync(key, rev));
        Assert.Equal(StorageErrorCode.KeyNotFound, missingCas.Code);
    }

    [EtcdFact]
    public async Task BadInputIsRejectedBeforeAnythingIsStored()
    {
        var before = await _backend.CurrentRevisionAsync();
        Assert.Equal(StorageErrorCode.InvalidKey, (await Assert.ThrowsAsync<StorageException>(() => _backend.CreateAsync("", V("x")))).Code);
        Assert.Equal(StorageErrorCode.InvalidKey,
            (await Assert.ThrowsAsync<StorageException>(() => _backend.CreateAsync(_prefix + "a\0b", V("x")))).Code);
        Assert.Equal(StorageErrorCode.InvalidKey,
            (await Assert.ThrowsAsync<StorageException>(() => _backend.CreateAsync(_prefix + new string('k', 5000), V("x")))).Code);
        Assert.Equal(StorageErrorCode.InvalidValue, (await Assert.ThrowsAsync<StorageException>(() => _backend.CreateAsync(_prefix + "e", []))).Code);
        var big = new byte[StorageLimits.MaxValueBytes + 1];
        Assert.Equal(StorageErrorCode.ValueTooLarge, (await Assert.ThrowsAsync<StorageException>(() => _backend.CreateAsync(_prefix + "big", big))).Code);
        Assert.Equal(before, await _backend.CurrentRevisionAsync());
        Assert.Equal(0, await _backend.CountAsync(_prefix));
    }

    [EtcdFact]
    public async Task ValueCloseToTheLimitRoundTrips()
    {
        var value = new byte[1024 * 1024];
        new Random(7).NextBytes(value);
        await _backend.CreateAsync(_prefix + "large", value);
        Assert.Equal(value, (await _backend.GetAsync(_prefix + "large"))!.Value);
    }

    [EtcdFact]
    public async Task ValueAtTheLimitThatEtcdRefusesIsValueTooLargeAndNothingIsStored()
    {
        // etcd limits the whole request (1.5 MiB by default), so a value of exactly the limit plus key and framing
        // is refused by etcd itself; the error must still be the typed one.
        var before = await _backend.CurrentRevisionAsync();
        var e = await Assert.ThrowsAsync<StorageException>(() => _backend.CreateAsync(_prefix + "edge", new byte[StorageLimits.MaxValueBytes]));
        Assert.Equal(StorageErrorCode.ValueTooLarge, e.Code);
        Assert.Equal(before, await _backend.CurrentRevisionAsync());
    }

    [EtcdFact]
    public async Task ListPagesShareOneSnapshot()
    {
        for (var i = 0; i < 7; i++)
        {
            await _backend.CreateAsync($"{_prefix}item/{i:D2}", V($"v{i}"));
        }

        await _backend.CreateAsync(_prefix + "itemx", V("outside the item/ prefix"));
        var first = await _backend.ListAsync(_prefix + "item/", new ListOptions(Limit: 3));
        Assert.Equal(["00", "01", "02"], first.Items.Select(i => i.Key[^2..]));
        Assert.True(first.More);
        Assert.Equal(4, first.RemainingCount);

        // Writes after the first page must not show up in later pages of the same snapshot.
        await _backend.DeleteAsync($"{_prefix}item/04");
        await _backend.CreateAsync($"{_prefix}item/03a", V("new"));
        var v5 = await _backend.GetAsync($"{_prefix}item/05");
        await _backend.UpdateAsync($"{_prefix}item/05", V("changed"), v5!.ModRevision);

        var keys = first.Items.Select(i => i.Key).ToList();
        var page = first;
        while (page.More)
        {
            page = await _backend.ListAsync(_prefix + "item/", new ListOptions(first.Revision, 3, page.Items[^1].Key));
            Assert.Equal(first.Revision, page.Revision);
            keys.AddRange(page.Items.Select(i => i.Key));
            if (page.Items.Any(i => i.Key.EndsWith("05", StringComparison.Ordinal)))
            {
                Assert.Equal("v5", Encoding.UTF8.GetString(page.Items.Single(i => i.Key.EndsWith("05", StringComparison.Ordinal)).Value));
            }
        }

        Assert.Equal(Enumerable.Range(0, 7).Select(i => $"{_prefix}item/{i:D2}"), keys);
        Assert.Equal(0, page.RemainingCount);

        var now = await _backend.ListAsync(_prefix + "item/", ListOptions.Default);
        Assert.Equal(7, now.Items.Count);
        Assert.Contains(now.Items, i => i.Key.EndsWith("03a", StringComparison.Ordinal));
        Assert.False(now.More);
        Assert.Equal(7, await _backend.CountAsync(_prefix + "item/"));
        Assert.Equal(8, await _backend.CountAsync(_prefix));
    }

    [EtcdFact]
    public async Task ReadsBelowTheCompactedRevisionFailWithCompacted()
    {
        var key = _prefix + "c";
        var r1 = await _backend.CreateAsync(key, V("1"));
        var r2 = await _backend.UpdateAsync(key, V("2"), r1);
        var r3 = await _backend.UpdateAsync(key, V("3"), r2);

        await _backend.CompactAsync(r2);
        await _backend.CompactAsync(r1); // older than the compacted revision: a no-op
        Assert.True(await _backend.CompactedRevisionAsync() >= r2);
        var e = await Assert.ThrowsAsync<StorageException>(() => _backend.GetAsync(key, r1));
        Assert.Equal(StorageErrorCode.Compacted, e.Code);
        Assert.Equal("2", Encoding.UTF8.GetString((await _backend.GetAsync(key, r2))!.Value));
        Assert.Equal("3", Encoding.UTF8.GetString((await _backend.GetAsync(key, r3))!.Value));
        var list = await Assert.ThrowsAsync<StorageException>(() => _backend.ListAsync(_prefix, new ListOptions(Revision: r1)));
        Assert.Equal(StorageErrorCode.Compacted, list.Code);

        // A second client learns the compacted revision from etcd itself.
        await using var other = new EtcdBackend(new EtcdBackendOptions(fixture.Cluster.ClientUrls));
        Assert.True(await other.CompactedRevisionAsync() >= r2);

        var future = await Assert.ThrowsAsync<StorageException>(() => _backend.GetAsync(key, r3 + 1_000_000));
        Assert.Equal(StorageErrorCode.FutureRevision, future.Code);
    }

    [EtcdFact]
    public async Task KeysWithTtlExpire()
    {
        var key = _prefix + "ttl";
        await _backend.CreateAsync(key, V("short-lived"), ttlSeconds: 1);
        await _backend.CreateAsync(_prefix + "keep", V("forever"));
        Assert.NotNull(await _backend.GetAsync(key));
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (await _backend.GetAsync(key) is not null)
        {
            Assert.True(DateTime.UtcNow < deadline, "key with a 1 s TTL still present after 15 s");
            await Task.Delay(200);
        }

        Assert.NotNull(await _backend.GetAsync(_prefix + "keep"));
    }
}
