using System.Text;
using Korvet.Api.Apps.V1;
using Korvet.Api.Core.V1;
using Korvet.Api.Generated;
using Korvet.Api.Meta.V1;
using Korvet.Api.Serialization;

namespace Korvet.Api.Tests;

public sealed class JsonTests
{
    [Theory]
    [InlineData("{")]
    [InlineData("""{"metadata": 5}""")]
    [InlineData("""{"spec": {"replicas": "three"}}""")]
    [InlineData("""{"metadata": {"creationTimestamp": "yesterday"}}""")]
    [InlineData("""{"spec": {"template": {"spec": {"containers": [{"resources": {"limits": {"cpu": "lots"}}}]}}}}""")]
    [InlineData("""{"spec": {"strategy": {"rollingUpdate": {"maxSurge": 1.5}}}}""")]
    [InlineData("[]")]
    public void MalformedJsonIsATypedError(string json)
    {
        Assert.Throws<ApiCodecException>(() => ApiJson.Deserialize<Deployment>(Encoding.UTF8.GetBytes(json)));
    }

    [Fact]
    public void ParseObjectRejectsTrailingDataAndNonObjects()
    {
        Assert.Throws<ApiCodecException>(() => ApiJson.ParseObject("""{"a":1} x"""u8));
        Assert.Throws<ApiCodecException>(() => ApiJson.ParseObject("[1]"u8));
        Assert.Throws<ApiCodecException>(() => ApiJson.ParseObject(Encoding.UTF8.GetBytes(new string('[', 200))));
    }

    [Fact]
    public void WritesGoCompatibleJson()
    {
        var pod = new Pod
        {
            Kind = "Pod",
            ApiVersion = "v1",
            Metadata = new ObjectMeta { Name = "p", CreationTimestamp = Time.Parse("2024-01-02T03:04:05.678+01:00") },
            Spec = new PodSpec { Containers = [new Container { Name = "c" }] },
        };
        string json = Encoding.UTF8.GetString(ApiJson.SerializeToUtf8Bytes(pod));
        Assert.Equal(
            """{"kind":"Pod","apiVersion":"v1","metadata":{"name":"p","creationTimestamp":"2024-01-02T02:04:05Z"},"spec":{"containers":[{"name":"c"}]}}""",
            json);
    }

    [Fact]
    public void SecretDataIsBase64AndInlineFieldsAreFlattened()
    {
        var secret = ApiJson.Deserialize<Secret>("""{"data":{"k":"aGVsbG8="}}"""u8);
        Assert.Equal("hello", Encoding.UTF8.GetString(secret.Data!["k"]));
        var volume = ApiJson.Deserialize<Volume>("""{"name":"v","configMap":{"name":"cm"}}"""u8);
        Assert.Equal("cm", volume.ConfigMap!.Name);
        Assert.Equal("""{"name":"v","configMap":{"name":"cm"}}""", Encoding.UTF8.GetString(ApiJson.SerializeToUtf8Bytes(volume)));
    }

    [Fact]
    public void FindsTypesByApiVersionAndKind()
    {
        Assert.Equal(typeof(Deployment), ApiTypes.Find("apps/v1", "Deployment"));
        Assert.Equal(typeof(PodList), ApiTypes.Find("v1", "PodList"));
        Assert.Equal(typeof(Status), ApiTypes.Find("v1", "Status"));
        Assert.Equal(typeof(DeleteOptions), ApiTypes.Find("apps/v1", "DeleteOptions"));
        Assert.Null(ApiTypes.Find("v1", "Deployment"));
    }

    [Fact]
    public void ListPropertiesCarryPatchMetadata()
    {
        System.Reflection.PropertyInfo ports = typeof(Container).GetProperty(nameof(Container.Ports))!;
        Assert.Equal("merge", ports.GetCustomAttributes(typeof(Korvet.Api.Schema.PatchStrategyAttribute), false).Cast<Korvet.Api.Schema.PatchStrategyAttribute>().Single().Strategy);
        Assert.Equal("containerPort", ports.GetCustomAttributes(typeof(Korvet.Api.Schema.PatchMergeKeyAttribute), false).Cast<Korvet.Api.Schema.PatchMergeKeyAttribute>().Single().Key);
        var listType = ports.GetCustomAttributes(typeof(Korvet.Api.Schema.ListTypeAttribute), false).Cast<Korvet.Api.Schema.ListTypeAttribute>().Single();
        Assert.Equal("map", listType.ListType);
        Assert.Equal(["containerPort", "protocol"], listType.MapKeys);
        Korvet.Api.Schema.FieldDescriptor f = ApiSchemas.Kubernetes.GetMessage("k8s.io.api.core.v1.PodSpec").FindByJsonName("containers")!;
        Assert.Equal(("merge", "name", 2), (f.PatchStrategy, f.PatchMergeKey, f.Number));
    }

    [Fact]
    public void TimeFormats()
    {
        Assert.Equal("2008-01-01T01:01:01Z", Time.Parse("2008-01-01T01:01:01.999Z").ToString());
        Assert.Equal("2003-01-01T01:01:01.000003Z", MicroTime.Parse("2003-01-01T01:01:01.000003Z").ToString());
        Assert.Equal("2008-01-01T00:01:01Z", Time.Parse("2008-01-01T01:01:01+01:00").ToString());
        Assert.Throws<FormatException>(() => Time.Parse("2008-13-01T01:01:01Z"));
        Assert.Throws<FormatException>(() => Time.Parse("2008-01-01 01:01:01"));
        Assert.Equal("1h2m3.5s", new Duration(3_723_500_000_000).ToString());
        Assert.Equal("300ms", new Duration(300_000_000).ToString());
        Assert.Equal("0s", new Duration(0).ToString());
        Assert.True(Duration.TryParse("1h2m3.5s", out Duration d) && d.Nanoseconds == 3_723_500_000_000);
        Assert.False(Duration.TryParse("5 parsecs", out _));
    }
}
