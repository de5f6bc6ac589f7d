using System.Text;
using System.Text.Json.Nodes;
using Korvet.Api.Patch;
using static Korvet.Api.Tests.Patch.TestSchema;

namespace Korvet.Api.Tests.Patch;

public sealed class JsonPatchTests
{
    private static JsonNode? Apply(string doc, string patch) =>
        JsonPatch.Apply(JsonNode.Parse(doc.Replace('\'', '"')), JsonNode.Parse(patch.Replace('\'', '"')));

    private static PatchException Fails(string doc, string patch) => Assert.Throws<PatchException>(() => Apply(doc, patch));

    [Theory]
    [InlineData("{'a':1}", "[{'op':'add','path':'/b','value':2}]", "{'a':1,'b':2}")]
    [InlineData("{'a':1}", "[{'op':'add','path':'/a','value':[1]}]", "{'a':[1]}")]
    [InlineData("{'a':[1,2]}", "[{'op':'add','path':'/a/1','value':9}]", "{'a':[1,9,2]}")]
    [InlineData("{'a':[1,2]}", "[{'op':'add','path':'/a/2','value':9}]", "{'a':[1,2,9]}")]
    [InlineData("{'a':[1,2]}", "[{'op':'add','path':'/a/-','value':9}]", "{'a':[1,2,9]}")]
    [InlineData("{'a':[1,2]}", "[{'op':'add','path':'/a/-2','value':9}]", "{'a':[1,9,2]}")] // negative: counted in the grown array
    [InlineData("{'a':1}", "[{'op':'add','path':'','value':[3]}]", "[3]")]
    [InlineData("{'a':1,'b':2}", "[{'op':'remove','path':'/a'}]", "{'b':2}")]
    [InlineData("{'a':[1,2,3]}", "[{'op':'remove','path':'/a/1'}]", "{'a':[1,3]}")]
    [InlineData("{'a':[1,2,3]}", "[{'op':'remove','path':'/a/-1'}]", "{'a':[1,2]}")]
    [InlineData("{'a':1}", "[{'op':'replace','path':'/a','value':{'x':null}}]", "{'a':{'x':null}}")]
    [InlineData("{'a':[1,2]}", "[{'op':'replace','path':'/a/0','value':5}]", "{'a':[5,2]}")]
    [InlineData("{'a':1}", "[{'op':'replace','path':'','value':{'z':1}}]", "{'z':1}")]
    [InlineData("{'a':{'b':1},'c':{}}", "[{'op':'move','from':'/a/b','path':'/c/d'}]", "{'a':{},'c':{'d':1}}")]
    [InlineData("{'a':[1,2,3]}", "[{'op':'move','from':'/a/0','path':'/a/-'}]", "{'a':[2,3,1]}")]
    [InlineData("{'a':1}", "[{'op':'move','from':'/a','path':'/a'}]", "{'a':1}")]
    [InlineData("{'a':{'b':[1]}}", "[{'op':'copy','from':'/a','path':'/c'},{'op':'add','path':'/c/b/-','value':2}]", "{'a':{'b':[1]},'c':{'b':[1,2]}}")]
    [InlineData("{'a':{'b':1.0,'c':[1,'x']}}", "[{'op':'test','path':'/a','value':{'c':[1,'x'],'b':1}}]", "{'a':{'b':1.0,'c':[1,'x']}}")]
    [InlineData("{'a':1}", "[{'op':'test','path':'/missing','value':null}]", "{'a':1}")]
    [InlineData("{'a/b':1,'c~d':2}", "[{'op':'replace','path':'/a~1b','value':3},{'op':'remove','path':'/c~0d'}]", "{'a/b':3}")]
    [InlineData("{'metadata':{'labels':{'app':'x'}}}", "[{'op':'add','path':'/metadata/labels/tier','value':'web'},{'op':'test','path':'/metadata/labels/app','value':'x'}]", "{'metadata':{'labels':{'app':'x','tier':'web'}}}")]
    [InlineData("{'a':1}", "[]", "{'a':1}")]
    public void Applies_operations(string doc, string patch, string expected)
    {
        AssertJson(expected, Apply(doc, patch));
    }

    [Theory]
    [InlineData("{'a':1}", "[{'op':'add','path':'/x/y','value':1}]", "add operation does not apply: doc is missing path: \"/x/y\": missing value")]
    [InlineData("{'a':[1]}", "[{'op':'add','path':'/a/5','value':1}]", "error in add for path: '/a/5': Unable to access invalid index: 5: invalid index referenced")]
    [InlineData("{'a':[1]}", "[{'op':'add','path':'/a/x','value':1}]", "error in add for path: '/a/x': value was not a proper array index: 'x'")]
    [InlineData("{'a':1}", "[{'op':'remove','path':'/b'}]", "error in remove for path: '/b': Unable to remove nonexistent key: b: missing value")]
    [InlineData("{'a':1}", "[{'op':'remove','path':'/b/c'}]", "remove operation does not apply: doc is missing path: \"/b/c\": missing value")]
    [InlineData("{'a':[1]}", "[{'op':'remove','path':'/a/1'}]", "error in remove for path: '/a/1': Unable to access invalid index: 1: invalid index referenced")]
    [InlineData("{'a':1}", "[{'op':'replace','path':'/b','value':1}]", "replace operation does not apply: doc is missing key: /b: missing value")]
    [InlineData("{'a':1}", "[{'op':'replace','path':'/b/c','value':1}]", "replace operation does not apply: doc is missing path: /b/c: missing value")]
    [InlineData("{'a':1}", "[{'op':'move','from':'/b','path':'/c'}]", "move operation does not apply: doc is missing from path: /b: missing value")]
    [InlineData("{'a':{}}", "[{'op':'move','from':'/a','path':'/a/b'}]", "move operation does not apply: cannot move /a into its own child /a/b")]
    [InlineData("{'a':1}", "[{'op':'copy','from':'/a','path':'/x/y'}]", "copy operation does not apply: doc is missing destination path: /x/y: missing value")]
    [InlineData("{'a':1}", "[{'op':'test','path':'/a','value':2}]", "testing value /a failed: test failed")]
    [InlineData("{'a':1}", "[{'op':'test','path':'/a','value':'1'}]", "testing value /a failed: test failed")]
    [InlineData("{'a':1}", "[{'op':'test','path':'/b','value':1}]", "testing value /b failed: test failed")]
    [InlineData("{'a':1}", "[{'op':'frob','path':'/a'}]", "Unexpected kind: frob")]
    [InlineData("{'a':1}", "[{'op':'add','value':1}]", "add operation failed to decode path: missing value")]
    [InlineData("{'a':1}", "[{'op':'add','path':'a','value':1}]", "add operation does not apply: doc is missing path: \"a\": missing value")]
    public void Failing_operations_are_invalid_with_upstream_messages(string doc, string patch, string message)
    {
        PatchException e = Fails(doc, patch);
        Assert.Equal(PatchErrorKind.Invalid, e.Kind);
        Assert.Equal(422, e.StatusCode);
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void Failure_leaves_the_document_untouched()
    {
        JsonNode doc = JsonNode.Parse("{\"a\":1}")!;
        Assert.Throws<PatchException>(() => JsonPatch.Apply(doc, JsonNode.Parse("[{\"op\":\"add\",\"path\":\"/b\",\"value\":2},{\"op\":\"test\",\"path\":\"/a\",\"value\":5}]")));
        Assert.Equal("{\"a\":1}", doc.ToJsonString());
        JsonNode? result = JsonPatch.Apply(doc, JsonNode.Parse("[{\"op\":\"add\",\"path\":\"/b\",\"value\":2}]"));
        Assert.Equal("{\"a\":1}", doc.ToJsonString());
        AssertJson("{'a':1,'b':2}", result);
    }

    [Fact]
    public void Patch_values_are_copied_not_shared()
    {
        JsonNode patch = JsonNode.Parse("[{\"op\":\"add\",\"path\":\"/x\",\"value\":{\"k\":1}},{\"op\":\"add\",\"path\":\"/y\",\"value\":{\"k\":1}}]")!;
        JsonNode? result = JsonPatch.Apply(JsonNode.Parse("{}"), patch);
        result!["x"]!["k"] = 2;
        AssertJson("{'x':{'k':2},'y':{'k':1}}", result);
        Assert.Equal(1, patch[0]!["value"]!["k"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("{\"op\":\"add\"}")]
    [InlineData("[1]")]
    [InlineData("not json")]
    public void Malformed_patch_documents_are_bad_requests(string patch)
    {
        var e = Assert.Throws<PatchException>(() => JsonPatch.Apply(JsonNode.Parse("{}"), Encoding.UTF8.GetBytes(patch)));
        Assert.Equal(PatchErrorKind.BadRequest, e.Kind);
    }

    [Fact]
    public void Too_many_operations_are_rejected()
    {
        var ops = new JsonArray();
        for (int i = 0; i <= JsonPatch.MaxOperations; i++)
        {
            ops.Add(new JsonObject { ["op"] = "test", ["path"] = "/a", ["value"] = 1 });
        }

        var e = Assert.Throws<PatchException>(() => JsonPatch.Apply(JsonNode.Parse("{\"a\":1}"), ops));
        Assert.Equal(413, e.StatusCode);
        Assert.Equal("The allowed maximum operations in a JSON patch is 10000, got 10001", e.Message);
    }

    [Theory]
    [InlineData("/a~1b/~0c", new[] { "a/b", "~c" })]
    [InlineData("/~01", new[] { "~1" })]
    [InlineData("/", new[] { "" })]
    [InlineData("", new string[0])]
    public void Pointers_unescape(string pointer, string[] segments)
    {
        Assert.True(JsonPointer.TryParse(pointer, out string[] parsed));
        Assert.Equal(segments, parsed);
        Assert.Equal("a~1b~0", JsonPointer.Escape("a/b~"));
        Assert.False(JsonPointer.TryParse("a", out _));
    }
}
