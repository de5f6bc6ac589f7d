using System.Text;
using Korvet.Storage.Etcd;

namespace Korvet.Storage.Tests.Etcd;

/// <summary>
/// Writes whose first attempt was applied by etcd but whose answer was lost (the connection died): the client
/// re-sends on another endpoint and must report the truth.
/// </summary>
[Collection(EtcdCollection.Name)]
public sealed class EtcdInDoubtWriteTests(EtcdSingleMemberFixture fixture)
{
    private readonly string _prefix = $"/indoubt/{Guid.NewGuid():N}/";

    private async Task<(CuttingProxy Proxy, EtcdBackend Backend, EtcdBackend Direct)> OpenAsync()
    {
        var direct = fixture.Cluster.ClientUrls[0];
        var proxy = new CuttingProxy(direct);
        var backend = new EtcdBackend(new EtcdBackendOptions([proxy.Url, direct]));
        await backend.CurrentRevisionAsync(); // connect through the proxy (the first endpoint) while it still relays
        return (proxy, backend, new EtcdBackend(new EtcdBackendOptions([direct])));
    }

    [EtcdFact]
    public async Task CreateWhoseAnswerWasLostIsReportedAsDoneAtItsRevision()
    {
        var (proxy, backend, direct) = await OpenAsync();
        await using var _p = proxy;
        await using var _b = backend;
        await using var _d = direct;
        var before = await direct.CurrentRevisionAsync();

        proxy.SwallowResponses = true;
        var revision = await backend.CreateAsync(_prefix + "a", Encoding.UTF8.GetBytes("mine"));

        Assert.True(proxy.SwallowedBytes > 0, "the proxy did not cut the first attempt");
        var stored = await direct.GetAsync(_prefix + "a");
        Assert.Equal(revision, stored!.ModRevision);
        Assert.Equal("mine", Encoding.UTF8.GetString(stored.Value));
        Assert.Equal(before + 1, await direct.CurrentRevisionAsync()); // applied exactly once
    }

    [EtcdFact]
    public async Task UpdateWhoseAnswerWasLostIsReportedAsDoneButAConflictingWriterStillConflicts()
    {
        var (proxy, backend, direct) = await OpenAsync();
        await using var _p = proxy;
        await using var _b = backend;
        await using var _d = direct;
        var created = await direct.CreateAsync(_prefix + "u", Encoding.UTF8.GetBytes("v1"));

        proxy.SwallowResponses = true;
        var revision = await backend.UpdateAsync(_prefix + "u", Encoding.UTF8.GetBytes("v2"), created);

        Assert.True(proxy.SwallowedBytes > 0);
        Assert.Equal(revision, (await direct.GetAsync(_prefix + "u"))!.ModRevision);
        var stale = await Assert.ThrowsAsync<StorageException>(() => direct.UpdateAsync(_prefix + "u", Encoding.UTF8.GetBytes("v3"), created));
        Assert.Equal(StorageErrorCode.Conflict, stale.Code);
    }

    [EtcdFact]
    public async Task UnconditionalDeleteWhoseAnswerWasLostIsNotReportedAsSuccessNorResent()
    {
        var (proxy, backend, direct) = await OpenAsync();
        await using var _p = proxy;
        await using var _b = backend;
        await using var _d = direct;
        await direct.CreateAsync(_prefix + "d", Encoding.UTF8.GetBytes("x"));

        proxy.SwallowResponses = true;
        var e = await Assert.ThrowsAsync<StorageException>(() => backend.DeleteAsync(_prefix + "d"));

        Assert.Equal(StorageErrorCode.Unavailable, e.Code);
        Assert.Contains("may or may not", e.Message, StringComparison.Ordinal);
        Assert.Null(await direct.GetAsync(_prefix + "d")); // it did happen; the caller was told the outcome is unknown
    }
}
