using Korvet.Storage.Etcd;

namespace Korvet.Storage.Tests.Etcd;

public sealed class EtcdBackendOptionsTests
{
    [Theory]
    [InlineData("etcd://127.0.0.1:2379", "http://127.0.0.1:2379/")]
    [InlineData("etcd://a:1,b:2, c:3", "http://a:1/ http://b:2/ http://c:3/")]
    [InlineData("http://10.0.0.1:4001,http://10.0.0.2:4001/", "http://10.0.0.1:4001/ http://10.0.0.2:4001/")]
    [InlineData("etcd://myhost", "http://myhost:2379/")]
    [InlineData("127.0.0.1:80", "http://127.0.0.1/")]
    [InlineData("etcd://[::1]:2379", "http://[::1]:2379/")]
    public void ParsesEndpointLists(string text, string expected)
    {
        var options = EtcdBackendOptions.Parse(text);
        Assert.Equal(expected, string.Join(' ', options.Endpoints.Select(u => u.ToString())));
    }

    [Theory]
    [InlineData("")]
    [InlineData("etcd://")]
    [InlineData("etcd://a:1,,b:2")]
    [InlineData("https://secure:2379")]
    [InlineData("etcd://host:2379/path")]
    [InlineData("etcd://host:notaport")]
    [InlineData("etcd://user@host:2379")]
    public void RejectsMalformedEndpointLists(string text) =>
        Assert.Throws<FormatException>(() => EtcdBackendOptions.Parse(text));

    [Fact]
    public void BackendRejectsEmptyEndpointList() =>
        Assert.Throws<ArgumentException>(() => new EtcdBackend(new EtcdBackendOptions([])));

    [Fact]
    public async Task UnreachableEndpointsFailWithUnavailable()
    {
        var port = EtcdMember.FreePorts(1)[0];
        var options = new EtcdBackendOptions([new Uri($"http://127.0.0.1:{port}/")]) { FailoverTimeout = TimeSpan.FromMilliseconds(500) };
        await using var backend = new EtcdBackend(options);
        var e = await Assert.ThrowsAsync<StorageException>(() => backend.GetAsync("/x"));
        Assert.Equal(StorageErrorCode.Unavailable, e.Code);
    }
}
