using System.Text.Json;
using System.Text.Json.Nodes;

namespace Korvet.ApiServer.Strategies;

/// <summary>Small accessors for defaulting and validating objects held as <see cref="JsonObject"/>.</summary>
internal static class JsonFields
{
    /// <summary>The child object at <paramref name="key"/>, created (and stored) when absent or null.</summary>
    public static JsonObject Child(JsonObject parent, string key)
    {
        if (parent[key] is JsonObject existing)
        {
            return existing;
        }

        var created = new JsonObject();
        parent[key] = created;
        return created;
    }

    /// <summary>Sets <paramref name="key"/> when it is absent or null (upstream's "if x == nil { x = default }").</summary>
    public static void Default(JsonObject obj, string key, JsonNode value)
    {
        if (obj[key] is null)
        {
            obj[key] = value;
        }
    }

    /// <summary>Sets a string field when it is absent, null or empty (upstream's "if x == \"\" { x = default }").</summary>
    public static void DefaultString(JsonObject obj, string key, string value)
    {
        if (obj[key] is null || Str(obj, key).Length == 0)
        {
            obj[key] = value;
        }
    }

    public static string Str(JsonObject? obj, string key) =>
        obj?[key] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : "";

    public static long? Long(JsonObject? obj, string key)
    {
        if (obj?[key] is not JsonValue v || v.GetValueKind() != JsonValueKind.Number)
        {
            return null;
        }

        return v.TryGetValue(out long l) ? l
            : v.TryGetValue(out int i) ? i
            : v.TryGetValue(out double d) ? (long)d
            : null;
    }

    public static bool Bool(JsonObject? obj, string key) =>
        obj?[key] is JsonValue v && v.GetValueKind() == JsonValueKind.True;

    public static IEnumerable<(int Index, JsonObject Item)> Items(JsonObject? obj, string key)
    {
        if (obj?[key] is not JsonArray array)
        {
            yield break;
        }

        for (int i = 0; i < array.Count; i++)
        {
            if (array[i] is JsonObject item)
            {
                yield return (i, item);
            }
        }
    }

    public static JsonObject? Obj(JsonObject? obj, string key) => obj?[key] as JsonObject;

    public static JsonObject? Path(JsonObject? obj, params string[] keys)
    {
        foreach (string key in keys)
        {
            obj = obj?[key] as JsonObject;
        }

        return obj;
    }
}
