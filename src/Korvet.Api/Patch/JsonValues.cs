using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Korvet.Api.Patch;

/// <summary>JSON value helpers shared by the patch implementations: parsing with typed errors, and equality with
/// JSON (not .NET) semantics — numbers compare by value, objects ignore key order.</summary>
public static class JsonValues
{
    private static readonly JsonNodeOptions NodeOptions = new() { PropertyNameCaseInsensitive = false };
    /// <summary>Deep enough for any API object (CRD schemas included), shallow enough that the recursive patch
    /// code cannot exhaust a thread's stack on hostile input.</summary>
    public const int MaxDepth = 1000;


    /// <summary>Parses a request body. Invalid JSON (or a duplicated key) is a 400 <see cref="PatchException"/>.</summary>
    public static JsonNode? Parse(ReadOnlySpan<byte> utf8Json)
    {
        try
        {
            var reader = new Utf8JsonReader(utf8Json, new JsonReaderOptions { MaxDepth = MaxDepth });
            JsonNode? node = JsonNode.Parse(ref reader, NodeOptions);
            // Materialize lazily-parsed children now, so duplicate keys fail here and not later.
            Touch(node);
            return node;
        }
        catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException)
        {
            throw new PatchException(PatchErrorKind.BadRequest, e.Message);
        }
    }

    /// <summary>Deep equality with JSON semantics.</summary>
    public static bool DeepEquals(JsonNode? a, JsonNode? b)
    {
        switch (a)
        {
            case null:
                return b is null || (b is JsonValue nb && nb.GetValueKind() == JsonValueKind.Null);
            case JsonObject oa:
                if (b is not JsonObject ob || oa.Count != ob.Count)
                {
                    return false;
                }

                foreach ((string key, JsonNode? va) in oa)
                {
                    if (!ob.TryGetPropertyValue(key, out JsonNode? vb) || !DeepEquals(va, vb))
                    {
                        return false;
                    }
                }

                return true;
            case JsonArray aa:
                if (b is not JsonArray ab || aa.Count != ab.Count)
                {
                    return false;
                }

                for (int i = 0; i < aa.Count; i++)
                {
                    if (!DeepEquals(aa[i], ab[i]))
                    {
                        return false;
                    }
                }

                return true;
            default:
                return b is not (JsonObject or JsonArray) && ScalarKey(a) == ScalarKey(b);
        }
    }

    /// <summary>
    /// A string that identifies a scalar's JSON value (kind-tagged; numbers normalized), for equality tests and as
    /// dictionary keys. Objects and arrays get their JSON text.
    /// </summary>
    public static string ScalarKey(JsonNode? node)
    {
        if (node is not JsonValue value)
        {
            return node is null ? "null" : "j:" + node.ToJsonString();
        }

        switch (value.GetValueKind())
        {
            case JsonValueKind.String:
                return "s:" + value.GetValue<string>();
            case JsonValueKind.True:
                return "true";
            case JsonValueKind.False:
                return "false";
            case JsonValueKind.Null:
                return "null";
            case JsonValueKind.Number:
                string text = value.ToJsonString();
                if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long l))
                {
                    return "n:" + l.ToString(CultureInfo.InvariantCulture);
                }

                return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double d)
                    ? (d == Math.Floor(d) && Math.Abs(d) < 9e15 ? "n:" + ((long)d).ToString(CultureInfo.InvariantCulture) : "n:" + d.ToString("R", CultureInfo.InvariantCulture))
                    : "n:" + text;
            default:
                return "j:" + value.ToJsonString();
        }
    }

    /// <summary>The JSON kind of a node, with null for both a missing value and a JSON null.</summary>
    public static JsonValueKind KindOf(JsonNode? node) => node switch
    {
        null => JsonValueKind.Null,
        JsonObject => JsonValueKind.Object,
        JsonArray => JsonValueKind.Array,
        JsonValue v => v.GetValueKind() is JsonValueKind.True or JsonValueKind.False ? JsonValueKind.True : v.GetValueKind(),
        _ => JsonValueKind.Undefined,
    };

    /// <summary>A detached deep copy (null stays null).</summary>
    public static JsonNode? Clone(JsonNode? node) => node?.DeepClone();

    private static void Touch(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (KeyValuePair<string, JsonNode?> kv in o)
                {
                    Touch(kv.Value);
                }

                break;
            case JsonArray a:
                foreach (JsonNode? item in a)
                {
                    Touch(item);
                }

                break;
        }
    }
}
