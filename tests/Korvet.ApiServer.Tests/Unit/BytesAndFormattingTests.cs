using System.Text;
using Korvet.ApiServer.Storage;
using Korvet.ApiServer.Tables;

namespace Korvet.ApiServer.Tests.Unit;

public sealed class BytesAndFormattingTests
{
    [Theory]
    [InlineData("{\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"x\"},\"data\":{}}", "{\"kind\":\"ConfigMap\",\"metadata\":{\"resourceVersion\":\"42\",\"name\":\"x\"},\"data\":{}}")]
    [InlineData("{\"metadata\":{}}", "{\"metadata\":{\"resourceVersion\":\"42\"}}")]
    [InlineData("{\"kind\":\"X\"}", "{\"kind\":\"X\",\"metadata\":{\"resourceVersion\":\"42\"}}")]
    [InlineData("{\"spec\":{\"metadata\":{}},\"metadata\":{\"a\":1}}", "{\"spec\":{\"metadata\":{}},\"metadata\":{\"resourceVersion\":\"42\",\"a\":1}}")]
    public void SplicesResourceVersionIntoTopLevelMetadata(string stored, string expected) =>
        Assert.Equal(expected, Encoding.UTF8.GetString(ObjectBytes.WithResourceVersion(Encoding.UTF8.GetBytes(stored), 42)));

    [Theory]
    [InlineData("{\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"x\"},\"data\":{}}", 42)]
    [InlineData("{\"metadata\":{}}", 7)]
    [InlineData("{\"kind\":\"X\"}", 123456789)]
    [InlineData("{}", 1)]
    [InlineData("{\"kind\":\"X\"}", 0)]
    public void AStoredObjectKeepsOneArrayAndGivesTheStoredBytesBack(string stored, long revision)
    {
        var obj = new StoredObject("/registry/configmaps/default/x", Encoding.UTF8.GetBytes(stored), revision);
        Assert.Equal(stored, Encoding.UTF8.GetString(obj.Value));
        Assert.Equal(Encoding.UTF8.GetString(ObjectBytes.WithResourceVersion(Encoding.UTF8.GetBytes(stored), revision)), Encoding.UTF8.GetString(obj.Json));
        Assert.Equal("x", obj.Name);
    }

    [Theory]
    [InlineData(0, "0s")]
    [InlineData(119, "119s")]
    [InlineData(125, "2m5s")]
    [InlineData(600, "10m")]
    [InlineData(3 * 3600 + 60, "3h1m")]
    [InlineData(10 * 3600, "10h")]
    [InlineData(50 * 3600, "2d2h")]
    [InlineData(400 * 24 * 3600, "400d")]
    [InlineData(3 * 365 * 24 * 3600 + 24 * 3600, "3y1d")]
    public void HumanDurationMatchesUpstream(long seconds, string expected) =>
        Assert.Equal(expected, Json.HumanDuration(TimeSpan.FromSeconds(seconds)));

    [Fact]
    public void ContinueTokenRoundTripsAndRejectsGarbage()
    {
        string token = ContinueToken.Encode(17, "default/x");
        Assert.Equal((17L, "default/x"), ContinueToken.Decode(token));
        var error = Assert.Throws<Errors.StatusException>(() => ContinueToken.Decode("not-a-token!"));
        Assert.Equal(400, error.Code);
    }

    [Fact]
    public void ManagerNameComesFromQueryOrUserAgent()
    {
        Assert.Equal("kubectl-create", ManagedFields.ManagerName("kubectl-create", "kubectl/v1.32.5 (linux/amd64)"));
        Assert.Equal("kubectl", ManagedFields.ManagerName(null, "kubectl/v1.32.5 (linux/amd64)"));
    }
}
