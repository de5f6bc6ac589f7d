using System.Text;
using Korvet.ApiServer.Errors;
using Korvet.ApiServer.Registry;
using Korvet.ApiServer.Storage;

namespace Korvet.ApiServer.Tests.Unit;

public sealed class SelectorParserTests
{
    private static readonly ResourceRegistry Registry = ResourceRegistry.CreateBuiltin();
    private static readonly ResourceDefinition Pods = Registry.Find("", "v1", "pods")!;
    private static readonly ResourceDefinition ConfigMaps = Registry.Find("", "v1", "configmaps")!;

    private static StoredObject Pod(string name, string labels, string node, string phase) => new(
        "/registry/core/pods/default/" + name,
        Encoding.UTF8.GetBytes("{\"metadata\":{\"name\":\"" + name + "\",\"namespace\":\"default\",\"labels\":{" + labels
            + "}},\"spec\":{\"nodeName\":\"" + node + "\"},\"status\":{\"phase\":\"" + phase + "\"}}"),
        7);

    [Fact]
    public void SetBasedLabelsAndPodFieldsMatch()
    {
        var parser = new SelectorParser();
        StoredObject a = Pod("a", "\"tier\":\"front\",\"env\":\"prod\"", "n1", "Running");
        StoredObject b = Pod("b", "\"tier\":\"back\"", "n2", "Pending");

        ListFilter set = parser.Parse(Pods, "tier in (front,cache),env", null);
        Assert.True(set.Matches(a));
        Assert.False(set.Matches(b));

        ListFilter notIn = parser.Parse(Pods, "tier notin (front),!env", null);
        Assert.False(notIn.Matches(a));
        Assert.True(notIn.Matches(b));

        ListFilter fields = parser.Parse(Pods, null, "spec.nodeName=n2,status.phase!=Running");
        Assert.False(fields.Matches(a));
        Assert.True(fields.Matches(b));

        ListFilter alias = parser.Parse(Pods, null, "spec.host=n1");
        Assert.True(alias.Matches(a));

        ListFilter byName = parser.Parse(Pods, null, "metadata.name=b");
        Assert.Equal("b", byName.Name);
        Assert.True(byName.Matches(b));
        Assert.True(parser.Parse(Pods, "", "").IsEmpty);
    }

    [Fact]
    public void UnsupportedFieldsAndBadLabelsAre400WithUpstreamMessages()
    {
        var parser = new SelectorParser();
        StatusException field = Assert.Throws<StatusException>(() => parser.Parse(ConfigMaps, null, "spec.nodeName=x"));
        Assert.Equal(400, field.Code);
        Assert.Equal("\"spec.nodeName\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\"", field.Message);

        StatusException podField = Assert.Throws<StatusException>(() => parser.Parse(Pods, null, "spec.bogus=x"));
        Assert.Equal("field label not supported: spec.bogus", podField.Message);

        StatusException label = Assert.Throws<StatusException>(() => parser.Parse(Pods, "tier in (a", null));
        Assert.Equal(400, label.Code);
    }
}
