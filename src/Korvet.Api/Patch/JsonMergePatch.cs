using System.Text.Json.Nodes;

namespace Korvet.Api.Patch;

/// <summary>
/// RFC 7386 JSON Merge Patch: objects merge recursively, <c>null</c> deletes, anything else (arrays included)
/// replaces. Inputs are never modified.
/// </summary>
public static class JsonMergePatch
{
    /// <summary>Parses a merge patch body and applies it to an object, as the API server does: the body must be a
    /// JSON object (upstream: "Invalid JSON Patch", 400).</summary>
    public static JsonObject ApplyToObject(JsonObject original, ReadOnlySpan<byte> patchJson)
    {
        JsonNode? patch = JsonValues.Parse(patchJson);
        if (patch is not JsonObject patchObject)
        {
            throw new PatchException(PatchErrorKind.BadRequest, "Invalid JSON Patch");
        }

        return (JsonObject)Apply(original, patchObject)!;
    }

    /// <summary>Returns <paramref name="target"/> with <paramref name="patch"/> merged in (RFC 7386 MergePatch).</summary>
    public static JsonNode? Apply(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject patchObject)
        {
            return JsonValues.Clone(patch);
        }

        JsonObject result = target is JsonObject t ? (JsonObject)t.DeepClone() : [];
        MergeInto(result, patchObject);
        return result;
    }

    private static void MergeInto(JsonObject target, JsonObject patch)
    {
        foreach ((string key, JsonNode? value) in patch)
        {
            if (value is null || JsonValues.KindOf(value) == System.Text.Json.JsonValueKind.Null)
            {
                target.Remove(key);
            }
            else if (value is JsonObject patchChild)
            {
                if (target[key] is JsonObject targetChild)
                {
                    MergeInto(targetChild, patchChild);
                }
                else
                {
                    var fresh = new JsonObject();
                    MergeInto(fresh, patchChild);
                    target[key] = fresh;
                }
            }
            else
            {
                target[key] = value.DeepClone();
            }
        }
    }
}
