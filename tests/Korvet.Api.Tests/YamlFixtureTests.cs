using System.Text.Json;
using System.Text.Json.Nodes;
using Korvet.Api.Serialization;

namespace Korvet.Api.Tests;

public sealed class YamlFixtureTests
{
    [FixtureTheory]
    [MemberData(nameof(Fixtures.All), MemberType = typeof(Fixtures))]
    public void YamlFixtureReadsAsTheJsonFixture(string name)
    {
        JsonNode? fromYaml = YamlReader.ParseDocument(File.ReadAllText(Fixtures.Path1(name, "yaml")));
        JsonObject expected = Fixtures.Json(name);
        Assert.True(JsonNode.DeepEquals(expected, fromYaml), Diff.Describe(expected, fromYaml));
    }

    [FixtureTheory]
    [MemberData(nameof(JsonFixtureTests.Typed), MemberType = typeof(JsonFixtureTests))]
    public void YamlFixtureGivesTheSameTypedObjectAsJson(string name)
    {
        JsonNode fromYaml = YamlReader.ParseDocument(File.ReadAllText(Fixtures.Path1(name, "yaml")))!;
        object typedFromYaml = JsonFixtureTests.Deserialize(name, JsonSerializer.SerializeToUtf8Bytes(fromYaml, RawJson.Options));
        object typedFromJson = JsonFixtureTests.Deserialize(name, File.ReadAllBytes(Fixtures.Path1(name, "json")));
        JsonNode a = JsonFixtureTests.Serialize(typedFromYaml), b = JsonFixtureTests.Serialize(typedFromJson);
        Assert.True(JsonNode.DeepEquals(b, a), Diff.Describe(b, a));
    }

    [FixtureTheory]
    [MemberData(nameof(Fixtures.All), MemberType = typeof(Fixtures))]
    public void WrittenYamlReadsBackAsTheSameJson(string name)
    {
        JsonObject json = Fixtures.Json(name);
        string yaml = YamlWriter.Write(json);
        JsonNode? back = YamlReader.ParseDocument(yaml);
        Assert.True(JsonNode.DeepEquals(json, back), Diff.Describe(json, back) + "\n" + yaml);
    }
}

public sealed class YamlWriterFixtureTests
{
    /// <summary>The writer reproduces the upstream (sigs.k8s.io/yaml) fixture text byte for byte.</summary>
    [FixtureTheory]
    [MemberData(nameof(Fixtures.All), MemberType = typeof(Fixtures))]
    public void WrittenYamlEqualsTheYamlFixture(string name)
    {
        string expected = File.ReadAllText(Fixtures.Path1(name, "yaml"));
        Assert.Equal(expected, YamlWriter.Write(Fixtures.Json(name)));
    }
}

internal static class RawJson
{
    public static JsonSerializerOptions Options { get; } = new() { TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver() };
}
