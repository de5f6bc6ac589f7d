using System.Text.Json.Nodes;
using Korvet.Api.Selectors;

namespace Korvet.Api.Tests.Selectors;

public sealed class FieldSelectorTests
{
    [Theory]
    [InlineData("", "")]
    [InlineData("a=b", "a=b")]
    [InlineData("a==b", "a=b")]
    [InlineData("a!=b", "a!=b")]
    [InlineData("b=1,a=2", "a=2,b=1")]
    [InlineData("a=b,,c=d", "a=b,c=d")]
    [InlineData("a=", "a=")]
    [InlineData(@"a=x\,y", @"a=x\,y")]
    [InlineData(@"a=x\=y\\z", @"a=x\=y\\z")]
    [InlineData("metadata.name=foo,status.phase!=Running", "metadata.name=foo,status.phase!=Running")]
    public void Parses_and_prints(string text, string expected)
    {
        Assert.Equal(expected, FieldSelector.Parse(text).ToString());
    }

    [Fact]
    public void Unescapes_values()
    {
        FieldRequirement r = Assert.Single(FieldSelector.Parse(@"spec.x=a\,b\=c\\d").Requirements);
        Assert.Equal("spec.x", r.Field);
        Assert.Equal(@"a,b=c\d", r.Value);
    }

    [Fact]
    public void Splits_at_first_operator()
    {
        FieldRequirement r = Assert.Single(FieldSelector.Parse("a=!b").Requirements);
        Assert.Equal(FieldOperator.Equals, r.Operator);
        Assert.Equal("!b", r.Value);
        FieldRequirement n = Assert.Single(FieldSelector.Parse("ab!=c").Requirements);
        Assert.Equal(FieldOperator.NotEquals, n.Operator);
        Assert.Equal("ab", n.Field);
        var e = Assert.Throws<SelectorException>(() => FieldSelector.Parse("a!=b=c"));
        Assert.Equal("invalid field selector: unescaped character in value: 61", e.Message);
        FieldRequirement d = Assert.Single(FieldSelector.Parse("a==b").Requirements);
        Assert.Equal(FieldOperator.DoubleEquals, d.Operator);
        Assert.Equal("b", d.Value);
    }

    [Theory]
    [InlineData("a", "invalid selector: 'a'; can't understand 'a'")]
    [InlineData("a=b,c", "invalid selector: 'a=b,c'; can't understand 'c'")]
    [InlineData(@"a=b\x", @"invalid field selector: invalid escape sequence: \x")]
    [InlineData(@"a=b\", @"invalid field selector: invalid escape sequence: \")]
    public void Rejects_bad_text(string text, string message)
    {
        var e = Assert.Throws<SelectorException>(() => FieldSelector.Parse(text));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void Escape_round_trips()
    {
        const string raw = @"x,y=z\w";
        string escaped = FieldSelector.EscapeValue(raw);
        Assert.Equal(@"x\,y\=z\\w", escaped);
        Assert.Equal(raw, FieldSelector.UnescapeValue(escaped));
        Assert.Equal(raw, FieldSelector.Parse("f=" + escaped).Requirements[0].Value);
    }

    [Fact]
    public void Matches_through_caller_function()
    {
        var values = new Dictionary<string, string> { ["a"] = "1", ["b"] = "2" };
        string Get(string f) => values.GetValueOrDefault(f, "");
        Assert.True(FieldSelector.Parse("a=1,b!=3").Matches(Get));
        Assert.False(FieldSelector.Parse("a=1,b!=2").Matches(Get));
        Assert.True(FieldSelector.Parse("c=").Matches(Get));
        Assert.True(FieldSelector.Parse("c!=x").Matches(Get));
        Assert.True(FieldSelector.Everything.Matches(Get));
        Assert.True(FieldSelector.Parse("a==1").Matches(values, static (v, f) => v.GetValueOrDefault(f, "")));
    }

    [Fact]
    public void Exact_value_lookup()
    {
        FieldSelector s = FieldSelector.Parse("metadata.name=foo,spec.nodeName!=n1");
        Assert.True(s.TryGetExactValue("metadata.name", out string name));
        Assert.Equal("foo", name);
        Assert.False(s.TryGetExactValue("spec.nodeName", out _));
    }

    [Fact]
    public void Object_fields_read_metadata_and_registered_paths()
    {
        var fields = new ObjectFields(["spec.nodeName", "status.phase", "spec.hostNetwork", "spec.priority"],
            new Dictionary<string, Func<JsonObject, string>> { ["custom"] = o => "c" });
        JsonObject pod = JsonNode.Parse("""
            {"metadata":{"name":"p","namespace":"ns"},"spec":{"nodeName":"n1","hostNetwork":true,"priority":7},
             "status":{"phase":"Running"}}
            """)!.AsObject();
        Assert.Equal("p", fields.GetValue(pod, "metadata.name"));
        Assert.Equal("ns", fields.GetValue(pod, "metadata.namespace"));
        Assert.Equal("n1", fields.GetValue(pod, "spec.nodeName"));
        Assert.Equal("true", fields.GetValue(pod, "spec.hostNetwork"));
        Assert.Equal("7", fields.GetValue(pod, "spec.priority"));
        Assert.Equal("c", fields.GetValue(pod, "custom"));
        Assert.Equal("", fields.GetValue(new JsonObject(), "spec.nodeName"));
        Assert.True(fields.Matches(FieldSelector.Parse("spec.nodeName=n1,status.phase!=Pending,metadata.namespace=ns"), pod));
        Assert.False(fields.Matches(FieldSelector.Parse("spec.nodeName="), pod));
        Assert.True(fields.Matches(FieldSelector.Parse("spec.nodeName="), JsonNode.Parse("""{"spec":{}}""")!.AsObject()));
    }

    [Fact]
    public void Resolve_rejects_unknown_fields_with_upstream_messages()
    {
        var e = Assert.Throws<SelectorException>(() => ObjectFields.Default.Resolve(FieldSelector.Parse("foo.bar=baz")));
        Assert.Equal("\"foo.bar\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\"", e.Message);
        var pods = new ObjectFields(["spec.nodeName"]);
        var e2 = Assert.Throws<SelectorException>(() => pods.Resolve(FieldSelector.Parse("spec.foo=x")));
        Assert.Equal("field label not supported: spec.foo", e2.Message);
        FieldSelector ok = FieldSelector.Parse("spec.nodeName=x,metadata.name=y");
        Assert.Same(ok, pods.Resolve(ok));
        Assert.True(pods.Supports("metadata.namespace"));
    }
}
