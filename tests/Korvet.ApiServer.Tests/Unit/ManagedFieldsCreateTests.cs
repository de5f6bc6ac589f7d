using System.Text.Json.Nodes;
using Korvet.ApiServer.Storage;

namespace Korvet.ApiServer.Tests.Unit;

/// <summary>The create fast path of <see cref="ManagedFields.Stamp"/> must produce what the general path does.</summary>
public sealed class ManagedFieldsCreateTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("""{"kind":"Pod","apiVersion":"v1","metadata":{"name":"p","labels":{"b":"1","a":"2"},"annotations":{},"finalizers":["x"]},"spec":{"containers":[{"name":"c"}],"nodeName":"","ab":{"z":1,"a":{}},"a":{"b":{"c":null}}},"status":{"phase":"Pending"}}""", true)]
    [InlineData("""{"kind":"Pod","apiVersion":"v1","metadata":{"name":"p"},"spec":{"a":1},"status":{"phase":"Pending","x":{"y":[1]}}}""", false)]
    [InlineData("""{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"c"}}""", false)]
    [InlineData("""{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"c","labels":{}},"data":{"k.a":"v","k":"w","k-b":"x"},"binaryData":{}}""", false)]
    public void Create_stamp_equals_the_general_path(string json, bool excludeStatus)
    {
        var created = (JsonObject)JsonNode.Parse(json)!;
        var general = (JsonObject)JsonNode.Parse(json)!;
        ManagedFields.Stamp(created, null, "kubectl", "v1", Now, "", excludeStatus);
        // An empty previous object takes the general path with the same outcome as a create.
        ManagedFields.Stamp(general, new JsonObject { ["metadata"] = new JsonObject() }, "kubectl", "v1", Now, "", excludeStatus);
        Assert.Equal(general["metadata"]!["managedFields"]?.ToJsonString(), created["metadata"]!["managedFields"]?.ToJsonString());
    }
}
