using System.Globalization;
using System.Text.Json.Nodes;

namespace Korvet.Api.Patch;

/// <summary>
/// RFC 6902 JSON Patch over <see cref="JsonNode"/>, with the behaviour of the library upstream uses
/// (evanphx/json-patch): negative array indices count from the end, <c>-</c> appends, <c>test</c> of a missing value
/// against null passes. Applying is atomic: the input document is never modified; a failing operation throws
/// <see cref="PatchException"/> (<see cref="PatchErrorKind.Invalid"/>, 422) and nothing is returned.
/// </summary>
public static class JsonPatch
{
    /// <summary>Upstream's limit on operations per patch.</summary>
    public const int MaxOperations = 10_000;

    /// <summary>Parses and applies a patch document (a JSON array of operations).</summary>
    public static JsonNode? Apply(JsonNode? document, ReadOnlySpan<byte> patchJson) => Apply(document, JsonValues.Parse(patchJson));

    /// <summary>Applies <paramref name="patch"/> (a JSON array of operations) to a copy of <paramref name="document"/>.</summary>
    public static JsonNode? Apply(JsonNode? document, JsonNode? patch)
    {
        if (patch is not JsonArray operations || operations.Any(o => o is not JsonObject))
        {
            throw new PatchException(PatchErrorKind.BadRequest,
                "json: cannot unmarshal " + DescribeKind(patch is JsonArray a ? a.First(o => o is not JsonObject) : patch) + " into Go value of type jsonpatch.Patch");
        }

        if (operations.Count > MaxOperations)
        {
            throw new PatchException(PatchErrorKind.RequestEntityTooLarge,
                $"The allowed maximum operations in a JSON patch is {MaxOperations}, got {operations.Count}");
        }

        var root = new JsonObject { ["doc"] = JsonValues.Clone(document) };
        foreach (JsonObject op in operations.Cast<JsonObject>())
        {
            ApplyOperation(root, op);
        }

        JsonNode? result = root["doc"];
        root.Remove("doc");
        return result;
    }

    private static void ApplyOperation(JsonObject root, JsonObject op)
    {
        string kind = op["op"] is JsonValue k && k.TryGetValue(out string? s) ? s : "unknown";
        switch (kind)
        {
            case "add":
                Add(root, RequirePath(op, "path", kind), ValueOf(op), kind, "path");
                break;
            case "remove":
                Remove(root, RequirePath(op, "path", kind));
                break;
            case "replace":
                Replace(root, RequirePath(op, "path", kind), ValueOf(op));
                break;
            case "move":
            {
                string from = RequirePath(op, "from", kind);
                string path = RequirePath(op, "path", kind);
                if (path.StartsWith(from + "/", StringComparison.Ordinal))
                {
                    throw Invalid($"move operation does not apply: cannot move {from} into its own child {path}");
                }

                JsonNode? value = Get(root, from, kind, "from", out _);
                if (from != path)
                {
                    Remove(root, from);
                    Add(root, path, value, kind, "destination path");
                }

                break;
            }

            case "copy":
            {
                JsonNode? value = Get(root, RequirePath(op, "from", kind), kind, "from", out _);
                Add(root, RequirePath(op, "path", kind), JsonValues.Clone(value), kind, "destination path");
                break;
            }

            case "test":
                Test(root, RequirePath(op, "path", kind), op);
                break;
            default:
                throw Invalid($"Unexpected kind: {kind}");
        }
    }

    private static JsonNode? ValueOf(JsonObject op) => JsonValues.Clone(op["value"]);

    private static string RequirePath(JsonObject op, string member, string kind)
    {
        if (op[member] is JsonValue v && v.TryGetValue(out string? s))
        {
            return s;
        }

        throw Invalid(member == "from"
            ? $"{kind} operation failed to decode from: missing value"
            : $"{kind} operation failed to decode path: missing value");
    }

    /// <summary>Finds the container holding the pointer's last segment; the root pointer "" is held by the
    /// wrapper object under "doc".</summary>
    private static bool TryFindParent(JsonObject root, string pointer, out JsonNode container, out string key)
    {
        container = root;
        key = "doc";
        if (!JsonPointer.TryParse(pointer, out string[] segments))
        {
            return false;
        }

        JsonNode? current = root["doc"];
        for (int i = 0; i < segments.Length - 1; i++)
        {
            current = current switch
            {
                JsonObject o => o[segments[i]],
                JsonArray a => TryIndex(a, segments[i], out int idx) ? a[idx] : null,
                _ => null,
            };
            if (current is not (JsonObject or JsonArray))
            {
                return false;
            }
        }

        if (segments.Length > 0)
        {
            if (current is not (JsonObject or JsonArray))
            {
                return false;
            }

            container = current;
            key = segments[^1];
        }

        return true;
    }

    private static void Add(JsonObject root, string path, JsonNode? value, string kind, string what)
    {
        if (!TryFindParent(root, path, out JsonNode container, out string key))
        {
            throw Invalid(kind == "add"
                ? $"add operation does not apply: doc is missing path: \"{path}\": missing value"
                : $"{kind} operation does not apply: doc is missing {what}: {path}: missing value");
        }

        if (container is JsonObject obj)
        {
            obj[key] = value;
            return;
        }

        var array = (JsonArray)container;
        if (key == "-")
        {
            array.Add(value);
            return;
        }

        if (!int.TryParse(key, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int idx))
        {
            throw Invalid($"error in {kind} for path: '{path}': value was not a proper array index: '{key}'");
        }

        int size = array.Count + 1;
        if (idx >= size || idx < -size)
        {
            throw Invalid($"error in {kind} for path: '{path}': Unable to access invalid index: {idx}: invalid index referenced");
        }

        array.Insert(idx < 0 ? idx + size : idx, value);
    }

    private static void Remove(JsonObject root, string path)
    {
        if (path.Length == 0 || !TryFindParent(root, path, out JsonNode container, out string key))
        {
            throw Invalid($"remove operation does not apply: doc is missing path: \"{path}\": missing value");
        }

        if (container is JsonObject obj)
        {
            if (!obj.Remove(key))
            {
                throw Invalid($"error in remove for path: '{path}': Unable to remove nonexistent key: {key}: missing value");
            }

            return;
        }

        var array = (JsonArray)container;
        if (!TryIndex(array, key, out int idx))
        {
            throw Invalid($"error in remove for path: '{path}': Unable to access invalid index: {key}: invalid index referenced");
        }

        array.RemoveAt(idx);
    }

    private static void Replace(JsonObject root, string path, JsonNode? value)
    {
        if (!TryFindParent(root, path, out JsonNode container, out string key))
        {
            throw Invalid($"replace operation does not apply: doc is missing path: {path}: missing value");
        }

        if (container is JsonObject obj)
        {
            if (!obj.ContainsKey(key))
            {
                throw Invalid($"replace operation does not apply: doc is missing key: {path}: missing value");
            }

            obj[key] = value;
            return;
        }

        var array = (JsonArray)container;
        if (!TryIndex(array, key, out int idx))
        {
            throw Invalid($"error in replace for path: '{path}': Unable to access invalid index: {key}: invalid index referenced");
        }

        array[idx] = value;
    }

    private static JsonNode? Get(JsonObject root, string path, string kind, string what, out bool found)
    {
        if (!TryFindParent(root, path, out JsonNode container, out string key))
        {
            throw Invalid($"{kind} operation does not apply: doc is missing {what} path: {path}: missing value");
        }

        if (container is JsonObject obj)
        {
            found = obj.TryGetPropertyValue(key, out JsonNode? value);
            if (!found && kind != "test")
            {
                throw Invalid($"{kind} operation does not apply: doc is missing {what} path: {path}: missing value");
            }

            return value;
        }

        var array = (JsonArray)container;
        if (!TryIndex(array, key, out int idx))
        {
            throw Invalid($"error in {kind} for {what}: '{path}': Unable to access invalid index: {key}: invalid index referenced");
        }

        found = true;
        return array[idx];
    }

    private static void Test(JsonObject root, string path, JsonObject op)
    {
        if (!TryFindParent(root, path, out _, out _))
        {
            throw Invalid($"test operation does not apply: is missing path: {path}: missing value");
        }

        JsonNode? actual = Get(root, path, "test", "", out bool found);
        JsonNode? expected = op["value"];
        bool equal = found ? JsonValues.DeepEquals(actual, expected) : JsonValues.KindOf(expected) == System.Text.Json.JsonValueKind.Null;
        if (!equal)
        {
            throw Invalid($"testing value {path} failed: test failed");
        }
    }

    /// <summary>Go <c>strconv.Atoi</c> plus negative indices from the end; must address an existing element.</summary>
    private static bool TryIndex(JsonArray array, string key, out int idx)
    {
        if (!int.TryParse(key, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out idx))
        {
            return false;
        }

        if (idx < 0)
        {
            idx += array.Count;
        }

        return idx >= 0 && idx < array.Count;
    }

    private static PatchException Invalid(string message) => new(PatchErrorKind.Invalid, message);

    private static string DescribeKind(JsonNode? node) => JsonValues.KindOf(node) switch
    {
        System.Text.Json.JsonValueKind.Object => "object",
        System.Text.Json.JsonValueKind.Array => "array",
        System.Text.Json.JsonValueKind.String => "string",
        System.Text.Json.JsonValueKind.Number => "number",
        System.Text.Json.JsonValueKind.True => "bool",
        _ => "null",
    };
}
