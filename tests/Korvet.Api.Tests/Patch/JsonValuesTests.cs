using System.Text.Json.Nodes;
using Korvet.Api.Patch;

namespace Korvet.Api.Tests.Patch;

public sealed class JsonValuesTests
{
    [Theory]
    [InlineData("1", "1.0", true)]
    [InlineData("1", "1e0", true)]
    [InlineData("1", "2", false)]
    [InlineData("\"1\"", "1", false)]
    [InlineData("true", "true", true)]
    [InlineData("true", "false", false)]
    [InlineData("null", "null", true)]
    [InlineData("{\"a\":1,\"b\":[1,2]}", "{\"b\":[1,2],\"a\":1}", true)]
    [InlineData("{\"a\":1}", "{\"a\":1,\"b\":null}", false)]
    [InlineData("[1,2]", "[2,1]", false)]
    [InlineData("0.1", "0.10", true)]
    public void Deep_equality_uses_json_semantics(string a, string b, bool equal)
    {
        Assert.Equal(equal, JsonValues.DeepEquals(JsonNode.Parse(a), JsonNode.Parse(b)));
        Assert.Equal(equal, JsonValues.DeepEquals(JsonNode.Parse(b), JsonNode.Parse(a)));
    }

    [Fact]
    public void Parse_limits_nesting_depth()
    {
        string deep(int n) => new string('[', n) + new string(']', n);
        Assert.NotNull(JsonValues.Parse(System.Text.Encoding.UTF8.GetBytes(deep(500))));
        var e = Assert.Throws<PatchException>(() => JsonValues.Parse(System.Text.Encoding.UTF8.GetBytes(deep(5000))));
        Assert.Equal(PatchErrorKind.BadRequest, e.Kind);
    }

    [Fact]
    public void Parse_reports_bad_json_as_bad_request()
    {
        var e = Assert.Throws<PatchException>(() => JsonValues.Parse("{\"a\":"u8));
        Assert.Equal(PatchErrorKind.BadRequest, e.Kind);
        Assert.Null(JsonValues.Parse("null"u8));
    }
}
