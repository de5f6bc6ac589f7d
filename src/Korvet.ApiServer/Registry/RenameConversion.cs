using System.Text.Json;
using System.Text.Json.Nodes;

namespace Korvet.ApiServer.Registry;

/// <summary>Converts between a served group-version and the stored one by renaming top-level fields; patches are
/// converted too (their top-level keys, or a JSON patch's first path segment). Thread-safe.</summary>
public sealed class RenameConversion : Conversion
{
    private readonly Dictionary<string, string> _toStored;
    private readonly Dictionary<string, string> _toServed;

    public RenameConversion(ResourceDefinition storage, ResourceDefinition served, IReadOnlyList<(string Served, string Stored)> fields)
        : base(storage, served)
    {
        _toStored = fields.ToDictionary(f => f.Served, f => f.Stored);
        _toServed = fields.ToDictionary(f => f.Stored, f => f.Served);
    }

    public override JsonObject ToStorage(JsonObject served) => Rename(served, _toStored, Storage);

    public override JsonObject ToServed(JsonObject stored) => Rename(stored, _toServed, Served);

    /// <summary>
    /// A JSON merge or strategic merge patch (top-level keys renamed; apiVersion set to the stored one when present) or
    /// a JSON patch (the first segment of each path and from) → the stored form. Malformed patches pass unchanged for
    /// the patcher to report.
    /// </summary>
    public override byte[] PatchToStorage(string patchType, byte[] patch)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(patch);
        }
        catch (JsonException)
        {
            return patch;
        }

        switch (node)
        {
            case JsonObject obj:
                JsonObject renamed = Rename(obj, _toStored, null);
                if (obj.ContainsKey("apiVersion"))
                {
                    renamed["apiVersion"] = Storage.ApiVersion;
                }

                return Korvet.Api.Serialization.ApiJson.SerializeToUtf8Bytes(renamed);
            case JsonArray ops:
                foreach (JsonObject op in ops.OfType<JsonObject>())
                {
                    foreach (string member in new[] { "path", "from" })
                    {
                        if (op[member] is JsonValue v && v.TryGetValue(out string? pointer))
                        {
                            op[member] = RenamePointer(pointer);
                        }
                    }
                }

                return Korvet.Api.Serialization.ApiJson.SerializeToUtf8Bytes(ops);
            default:
                return patch;
        }
    }

    private string RenamePointer(string pointer)
    {
        if (!pointer.StartsWith('/'))
        {
            return pointer;
        }

        int end = pointer.IndexOf('/', 1);
        string first = end < 0 ? pointer[1..] : pointer[1..end];
        return _toStored.TryGetValue(first, out string? stored) ? "/" + stored + (end < 0 ? "" : pointer[end..]) : pointer;
    }

    private static JsonObject Rename(JsonObject source, Dictionary<string, string> names, ResourceDefinition? target)
    {
        var result = new JsonObject();
        if (target is not null)
        {
            result["kind"] = target.Kind;
            result["apiVersion"] = target.ApiVersion;
        }

        foreach ((string key, JsonNode? value) in source)
        {
            if (target is not null && key is "kind" or "apiVersion")
            {
                continue;
            }

            result[names.GetValueOrDefault(key, key)] = value?.DeepClone();
        }

        return result;
    }
}
