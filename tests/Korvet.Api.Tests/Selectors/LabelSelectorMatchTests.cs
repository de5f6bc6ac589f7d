using System.Text.Json.Nodes;
using Korvet.Api.Selectors;

namespace Korvet.Api.Tests.Selectors;

public sealed class LabelSelectorMatchTests
{
    private static readonly Dictionary<string, string> Labels = new()
    {
        ["app"] = "web",
        ["tier"] = "frontend",
        ["replicas"] = "5",
        ["empty"] = "",
    };

    [Theory]
    [InlineData("", true)]
    [InlineData("app=web", true)]
    [InlineData("app==web", true)]
    [InlineData("app=db", false)]
    [InlineData("app!=db", true)]
    [InlineData("app!=web", false)]
    [InlineData("missing!=x", true)]
    [InlineData("missing=x", false)]
    [InlineData("app in (db,web)", true)]
    [InlineData("app in (db)", false)]
    [InlineData("missing in (x)", false)]
    [InlineData("app notin (db)", true)]
    [InlineData("app notin (web)", false)]
    [InlineData("missing notin (web)", true)]
    [InlineData("app", true)]
    [InlineData("missing", false)]
    [InlineData("!app", false)]
    [InlineData("!missing", true)]
    [InlineData("replicas>4", true)]
    [InlineData("replicas>5", false)]
    [InlineData("replicas<6", true)]
    [InlineData("replicas<5", false)]
    [InlineData("app>1", false)]
    [InlineData("missing<100", false)]
    [InlineData("empty=", true)]
    [InlineData("empty", true)]
    [InlineData("empty in ()", true)]
    [InlineData("missing=", false)]
    [InlineData("app=web,tier=frontend", true)]
    [InlineData("app=web,tier=backend", false)]
    [InlineData("app=web,!tier", false)]
    public void Matches_like_upstream(string selector, bool expected)
    {
        LabelSelector s = LabelSelector.Parse(selector);
        Assert.Equal(expected, s.Matches(Labels));

        var json = new JsonObject();
        foreach ((string k, string v) in Labels)
        {
            json[k] = v;
        }

        Assert.Equal(expected, s.Matches(json));
        Assert.Equal(expected, s.MatchesObject(new JsonObject { ["metadata"] = new JsonObject { ["labels"] = json } }));

        // Parsed JSON keeps values as JsonElement (a different code path from constructed nodes).
        JsonNode parsed = JsonNode.Parse("{\"metadata\":{\"labels\":" + json.ToJsonString() + "}}")!;
        Assert.Equal(expected, s.MatchesObject(parsed));
        Assert.Equal(expected, s.Matches(JsonNode.Parse(json.ToJsonString())!.AsObject()));
    }

    [Fact]
    public void Objects_without_labels_match_only_negative_requirements()
    {
        Assert.True(LabelSelector.Parse("a!=b,!c,d notin (e)").Matches((JsonObject?)null));
        Assert.False(LabelSelector.Parse("a").Matches((JsonObject?)null));
        Assert.True(LabelSelector.Parse("").MatchesObject(new JsonObject()));
        Assert.False(LabelSelector.Parse("a").MatchesObject(new JsonObject { ["metadata"] = new JsonObject() }));
    }

    [Fact]
    public void Nothing_matches_nothing()
    {
        Assert.False(LabelSelector.Nothing.Matches(Labels));
        Assert.False(LabelSelector.Nothing.Matches(new JsonObject()));
        Assert.False(LabelSelector.Nothing.MatchesObject(new JsonObject()));
        Assert.True(LabelSelector.Nothing.IsNothing);
        Assert.False(LabelSelector.Nothing.IsEverything);
    }

    [Fact]
    public void Exact_value_lookup_supports_indexes()
    {
        LabelSelector s = LabelSelector.Parse("app=web,tier in (a,b),env in (prod)");
        Assert.True(s.TryGetExactValue("app", out string app));
        Assert.Equal("web", app);
        Assert.True(s.TryGetExactValue("env", out string env));
        Assert.Equal("prod", env);
        Assert.False(s.TryGetExactValue("tier", out _));
        Assert.False(s.TryGetExactValue("other", out _));
    }

    [Fact]
    public void Large_integers_compare_as_int64()
    {
        var labels = new Dictionary<string, string> { ["n"] = "9223372036854775807" };
        Assert.True(LabelSelector.Parse("n>9223372036854775806").Matches(labels));
        Assert.False(LabelSelector.Parse("n<0").Matches(labels));
        Assert.False(LabelSelector.Parse("n>0").Matches(new Dictionary<string, string> { ["n"] = "99999999999999999999" }));
    }
}
