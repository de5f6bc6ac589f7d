using System.Text.Json.Nodes;
using Korvet.ApiServer.Errors;
using Korvet.ApiServer.Registry;
using Korvet.ApiServer.Storage;

namespace Korvet.ApiServer.Tests.Strategies;

/// <summary>Runs a kind's strategy the way the store does (metadata stamped, PrepareForCreate, Validate).</summary>
internal static class StrategyHarness
{
    private static readonly ResourceRegistry Registry = ResourceRegistry.CreateBuiltin();
    private static readonly StrategyTable Table = StrategyTable.Create(Registry);

    public static ResourceDefinition Resource(string group, string plural) =>
        Registry.All.First(r => r.Group == group && r.Plural == plural);

    public static JsonObject Obj(string json) => (JsonObject)JsonNode.Parse(json)!;

    /// <summary>The object after create-time defaulting; fails the test when it does not validate.</summary>
    public static JsonObject Defaulted(string group, string plural, string json)
    {
        (JsonObject obj, IReadOnlyList<StatusCause> causes) = Create(group, plural, json);
        Assert.True(causes.Count == 0, "unexpected causes: " + string.Join("; ", causes.Select(c => c.Field + ": " + c.Message)));
        return obj;
    }

    public static (JsonObject Obj, IReadOnlyList<StatusCause> Causes) Create(string group, string plural, string json)
    {
        ResourceDefinition resource = Resource(group, plural);
        IResourceStrategy strategy = Table.For(resource);
        JsonObject obj = Obj(json);
        var meta = (JsonObject)obj["metadata"]!;
        meta["uid"] = "00000000-0000-0000-0000-000000000001";
        strategy.PrepareForCreate(resource, obj);
        return (obj, strategy.Validate(resource, obj));
    }

    /// <summary>The 422 message of creating <paramref name="json"/> (as the store builds it), or "" when valid.</summary>
    public static string CreateError(string group, string plural, string json)
    {
        (JsonObject obj, IReadOnlyList<StatusCause> causes) = Create(group, plural, json);
        return causes.Count == 0 ? "" : StatusErrors.Invalid(Resource(group, plural), (string?)obj["metadata"]!["name"] ?? "", causes).Message;
    }

    /// <summary>The 422 message of updating <paramref name="old"/> (already defaulted) to <paramref name="updated"/>, or "".</summary>
    public static string UpdateError(string group, string plural, JsonObject old, JsonObject updated)
    {
        ResourceDefinition resource = Resource(group, plural);
        IResourceStrategy strategy = Table.For(resource);
        strategy.PrepareForUpdate(resource, updated, old);
        IReadOnlyList<StatusCause> causes = strategy.ValidateUpdate(resource, updated, old);
        return causes.Count == 0 ? "" : StatusErrors.Invalid(resource, (string?)updated["metadata"]!["name"] ?? "", causes).Message;
    }

    /// <summary>Asserts that <paramref name="actual"/> equals <paramref name="expectedJson"/> ignoring property order.</summary>
    public static void AssertJson(string expectedJson, JsonNode? actual) =>
        Assert.Equal(Canonical(JsonNode.Parse(expectedJson)), Canonical(actual));

    private static string Canonical(JsonNode? node) => node switch
    {
        JsonObject o => "{" + string.Join(",", o.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => JsonValue.Create(p.Key).ToJsonString() + ":" + Canonical(p.Value))) + "}",
        JsonArray a => "[" + string.Join(",", a.Select(Canonical)) + "]",
        null => "null",
        _ => node.ToJsonString(),
    };
}
