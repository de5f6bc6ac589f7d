using System.Text;
using System.Text.Json.Nodes;
using Korvet.Api.Patch;
using static Korvet.Api.Tests.Patch.TestSchema;

namespace Korvet.Api.Tests.Patch;

public sealed class JsonMergePatchTests
{
    // The examples of RFC 7386 appendix A.
    [Theory]
    [InlineData("{'a':'b'}", "{'a':'c'}", "{'a':'c'}")]
    [InlineData("{'a':'b'}", "{'b':'c'}", "{'a':'b','b':'c'}")]
    [InlineData("{'a':'b'}", "{'a':null}", "{}")]
    [InlineData("{'a':'b','b':'c'}", "{'a':null}", "{'b':'c'}")]
    [InlineData("{'a':['b']}", "{'a':'c'}", "{'a':'c'}")]
    [InlineData("{'a':'c'}", "{'a':['b']}", "{'a':['b']}")]
    [InlineData("{'a':{'b':'c'}}", "{'a':{'b':'d','c':null}}", "{'a':{'b':'d'}}")]
    [InlineData("{'a':[{'b':'c'}]}", "{'a':[1]}", "{'a':[1]}")]
    [InlineData("['a','b']", "['c','d']", "['c','d']")]
    [InlineData("{'a':'b'}", "['c']", "['c']")]
    [InlineData("{'a':'foo'}", "null", "null")]
    [InlineData("{'a':'foo'}", "'bar'", "'bar'")]
    [InlineData("{'e':null}", "{'a':1}", "{'e':null,'a':1}")]
    [InlineData("[1,2]", "{'a':'b','c':null}", "{'a':'b'}")]
    [InlineData("{}", "{'a':{'bb':{'ccc':null}}}", "{'a':{'bb':{}}}")]
    public void Follows_rfc_7386(string target, string patch, string expected)
    {
        JsonNode? result = JsonMergePatch.Apply(JsonNode.Parse(target.Replace('\'', '"')), JsonNode.Parse(patch.Replace('\'', '"')));
        AssertJson(expected, result);
    }

    [Fact]
    public void Does_not_modify_inputs()
    {
        JsonObject target = Obj("{'a':{'b':1},'l':[1]}");
        JsonObject patch = Obj("{'a':{'c':{'d':1}},'l':[2]}");
        JsonNode? result = JsonMergePatch.Apply(target, patch);
        AssertJson("{'a':{'b':1},'l':[1]}", target);
        AssertJson("{'a':{'c':{'d':1}},'l':[2]}", patch);
        AssertJson("{'a':{'b':1,'c':{'d':1}},'l':[2]}", result);
        result!["a"]!["c"]!["d"] = 5;
        AssertJson("{'a':{'c':{'d':1}},'l':[2]}", patch);
    }

    [Fact]
    public void Object_form_rejects_non_object_patches()
    {
        JsonObject result = JsonMergePatch.ApplyToObject(Obj("{'a':1}"), Encoding.UTF8.GetBytes("{\"b\":2}"));
        AssertJson("{'a':1,'b':2}", result);
        var e = Assert.Throws<PatchException>(() => JsonMergePatch.ApplyToObject(Obj("{}"), Encoding.UTF8.GetBytes("null")));
        Assert.Equal(PatchErrorKind.BadRequest, e.Kind);
        Assert.Equal("Invalid JSON Patch", e.Message);
        var bad = Assert.Throws<PatchException>(() => JsonMergePatch.ApplyToObject(Obj("{}"), Encoding.UTF8.GetBytes("{")));
        Assert.Equal(400, bad.StatusCode);
    }

    [Fact]
    public void Duplicate_keys_in_a_body_are_bad_requests_or_last_wins()
    {
        // System.Text.Json rejects duplicates; either way no half-applied patch escapes.
        try
        {
            JsonObject result = JsonMergePatch.ApplyToObject(Obj("{}"), Encoding.UTF8.GetBytes("{\"a\":1,\"a\":2}"));
            Assert.Equal(2, result["a"]!.GetValue<int>());
        }
        catch (PatchException e)
        {
            Assert.Equal(PatchErrorKind.BadRequest, e.Kind);
        }
    }
}
