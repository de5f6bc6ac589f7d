using System.Text.Json.Nodes;
using Korvet.Api.Selectors;

namespace Korvet.Api.Tests.Selectors;

public sealed class LabelSelectorJsonTests
{
    [Fact]
    public void Null_selector_matches_nothing_and_empty_matches_everything()
    {
        Assert.True(LabelSelector.FromJson(null).IsNothing);
        Assert.True(LabelSelector.FromJson(new JsonObject()).IsEverything);
        Assert.True(LabelSelector.FromJson(JsonNode.Parse("""{"matchLabels":{},"matchExpressions":[]}""")).IsEverything);
    }

    [Fact]
    public void Combines_match_labels_and_expressions()
    {
        LabelSelector s = LabelSelector.FromJson(JsonNode.Parse("""
            {"matchLabels":{"app":"web"},
             "matchExpressions":[
               {"key":"tier","operator":"In","values":["a","b"]},
               {"key":"env","operator":"NotIn","values":["dev"]},
               {"key":"ready","operator":"Exists"},
               {"key":"legacy","operator":"DoesNotExist"}]}
            """));
        Assert.Equal("app=web,env notin (dev),!legacy,ready,tier in (a,b)", s.ToString());
        Assert.True(s.Matches(new Dictionary<string, string> { ["app"] = "web", ["tier"] = "b", ["ready"] = "" }));
        Assert.False(s.Matches(new Dictionary<string, string> { ["app"] = "web", ["tier"] = "b", ["ready"] = "", ["legacy"] = "1" }));
        Assert.False(s.Matches(new Dictionary<string, string> { ["app"] = "web", ["tier"] = "b", ["ready"] = "", ["env"] = "dev" }));
        Assert.False(s.Matches(new Dictionary<string, string> { ["app"] = "web", ["tier"] = "c", ["ready"] = "" }));
    }

    [Fact]
    public void Rejects_unknown_operator()
    {
        var e = Assert.Throws<SelectorException>(() =>
            LabelSelector.FromJson(JsonNode.Parse("""{"matchExpressions":[{"key":"a","operator":"Gt","values":["1"]}]}""")));
        Assert.Equal("\"Gt\" is not a valid label selector operator", e.Message);
    }

    [Fact]
    public void In_without_values_is_invalid()
    {
        var e = Assert.Throws<SelectorException>(() =>
            LabelSelector.FromJson(JsonNode.Parse("""{"matchExpressions":[{"key":"a","operator":"In","values":[]}]}""")));
        Assert.Equal("values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be empty", e.Message);
    }

    [Fact]
    public void Exists_with_values_is_invalid()
    {
        var e = Assert.Throws<SelectorException>(() =>
            LabelSelector.FromJson(JsonNode.Parse("""{"matchExpressions":[{"key":"a","operator":"Exists","values":["x"]}]}""")));
        Assert.Equal("values: Invalid value: []string{\"x\"}: values set must be empty for exists and does not exist", e.Message);
    }

    [Fact]
    public void Invalid_match_label_key_is_reported()
    {
        var e = Assert.Throws<SelectorException>(() => LabelSelector.FromJson(JsonNode.Parse("""{"matchLabels":{"a/b/c":"x"}}""")));
        Assert.StartsWith("key: Invalid value: \"a/b/c\": a qualified name must consist of", e.Message);
    }

    [Fact]
    public void From_match_labels_builds_equality_requirements()
    {
        LabelSelector s = LabelSelector.FromMatchLabels(new Dictionary<string, string> { ["b"] = "2", ["a"] = "1" });
        Assert.Equal("a=1,b=2", s.ToString());
        Assert.True(LabelSelector.FromMatchLabels(new Dictionary<string, string>()).IsEverything);
    }
}
