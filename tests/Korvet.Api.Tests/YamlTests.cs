using System.Text.Json.Nodes;
using Korvet.Api.Serialization;

namespace Korvet.Api.Tests;

public sealed class YamlTests
{
    [Theory]
    [InlineData("v: yes", "true")]
    [InlineData("v: Off", "false")]
    [InlineData("v: 'yes'", "\"yes\"")]
    [InlineData("v: \"123\"", "\"123\"")]
    [InlineData("v: 123", "123")]
    [InlineData("v: -7", "-7")]
    [InlineData("v: 0x1F", "31")]
    [InlineData("v: 010", "8")]
    [InlineData("v: 0o17", "15")]
    [InlineData("v: 1_000", "1000")]
    [InlineData("v: 1.5", "1.5")]
    [InlineData("v: 1e3", "1000")]
    [InlineData("v: ~", "null")]
    [InlineData("v:", "null")]
    [InlineData("v: null", "null")]
    [InlineData("v: 2008-01-01T01:01:01Z", "\"2008-01-01T01:01:01Z\"")]
    [InlineData("v: 1.2.3", "\"1.2.3\"")]
    [InlineData("v: !!str 42", "\"42\"")]
    [InlineData("v: !!int \"42\"", "42")]
    [InlineData("v: |\n  a\n  b\n", "\"a\\nb\\n\"")]
    [InlineData("v: [a, 1, true]", "[\"a\",1,true]")]
    [InlineData("1: x", null)]
    public void ResolvesScalarsLikeKubectl(string yaml, string? expectedV)
    {
        JsonObject doc = YamlReader.ParseDocument(yaml)!.AsObject();
        if (expectedV is null)
        {
            Assert.Equal("x", (string?)doc["1"]);
            return;
        }

        Assert.Equal(expectedV, doc["v"]?.ToJsonString() ?? "null");
    }

    [Fact]
    public void ReadsMultipleDocumentsSkippingEmptyOnes()
    {
        IReadOnlyList<JsonNode?> docs = YamlReader.ParseDocuments("---\na: 1\n---\n---\nb: 2\n...\n");
        Assert.Equal(2, docs.Count);
        Assert.Equal(1L, (long)docs[0]!["a"]!);
        Assert.Equal(2L, (long)docs[1]!["b"]!);
        Assert.Throws<ApiCodecException>(() => YamlReader.ParseDocument("a: 1\n---\nb: 2\n"));
    }

    [Fact]
    public void AnchorsAliasesAndMergeKeys()
    {
        JsonNode doc = YamlReader.ParseDocument("base: &b {x: 1, y: 2}\nref: *b\nmerged:\n  <<: *b\n  y: 3\n")!;
        Assert.Equal("""{"x":1,"y":2}""", doc["ref"]!.ToJsonString());
        Assert.Equal(1L, (long)doc["merged"]!["x"]!);
        Assert.Equal(3L, (long)doc["merged"]!["y"]!);
    }

    [Theory]
    [InlineData("a: [1, 2")]
    [InlineData("a: b: c")]
    [InlineData("a:\n\t- x")]
    [InlineData("a: *missing")]
    [InlineData("v: .inf")]
    [InlineData("? [a]\n: b")]
    public void MalformedYamlIsATypedError(string yaml)
    {
        Assert.Throws<ApiCodecException>(() => YamlReader.ParseDocuments(yaml));
    }

    [Fact]
    public void AliasBombsAndDeepNestingFailFast()
    {
        var bomb = new System.Text.StringBuilder("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for (int i = 1; i < 12; i++)
        {
            bomb.Append($"a{i}: &a{i} [{string.Join(", ", Enumerable.Repeat($"*a{i - 1}", 10))}]\n");
        }

        var started = System.Diagnostics.Stopwatch.StartNew();
        Assert.Throws<ApiCodecException>(() => YamlReader.ParseDocuments(bomb.ToString()));
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(10));
        Assert.Throws<ApiCodecException>(() => YamlReader.ParseDocuments(new string('[', 500) + new string(']', 500)));
    }

    [Fact]
    public void WriterQuotesWhatWouldReadAsSomethingElse()
    {
        var node = JsonNode.Parse("""{"a":"true","b":"123","c":"","d":"2008-01-01T01:01:01Z","e":"plain text","f":"x\ny","g":[],"h":{},"i":5,"j":null,"k":[{"n":"v"}],"l":"*"}""");
        string yaml = YamlWriter.Write(node, sortKeys: false);
        Assert.True(yaml.Contains("a: \"true\"", StringComparison.Ordinal), yaml);
        Assert.Contains("b: \"123\"", yaml, StringComparison.Ordinal);
        Assert.Contains("d: \"2008-01-01T01:01:01Z\"", yaml, StringComparison.Ordinal);
        Assert.Contains("e: plain text", yaml, StringComparison.Ordinal);
        Assert.Contains("f: |", yaml, StringComparison.Ordinal);
        Assert.Contains("g: []", yaml, StringComparison.Ordinal);
        Assert.Contains("h: {}", yaml, StringComparison.Ordinal);
        Assert.True(yaml.Contains("k:\n- \"n\": v", StringComparison.Ordinal), yaml); // items at the key's indentation; "n" quoted as YAML 1.1 reads it as false
        Assert.True(JsonNode.DeepEquals(node, YamlReader.ParseDocument(yaml)), yaml);
    }

    [Fact]
    public void WritesMultipleDocuments()
    {
        string yaml = YamlWriter.WriteDocuments([JsonNode.Parse("""{"a":1}"""), JsonNode.Parse("""{"b":2}""")]);
        IReadOnlyList<JsonNode?> docs = YamlReader.ParseDocuments(yaml);
        Assert.Equal(2, docs.Count);
    }
}
