using System.Text.Json;
using System.Text.Json.Nodes;
using Korvet.ApiServer.Errors;
using Korvet.ApiServer.Registry;

namespace Korvet.ApiServer.Patching;

/// <summary>
/// Interim patch applier: RFC 7386 JSON merge patch only. It is replaced by the full applier (JSON patch, strategic
/// merge patch, server-side apply) from the patch library; until then every other patch type answers 415.
/// </summary>
public sealed class MergePatchOnlyApplier : IPatchApplier
{
    public const string MergePatch = "application/merge-patch+json";

    public IReadOnlyList<string> SupportedTypes { get; } = [MergePatch];

    public JsonObject Apply(string patchType, JsonObject current, ReadOnlyMemory<byte> patch, ResourceDefinition resource)
    {
        if (patchType != MergePatch)
        {
            throw StatusErrors.UnsupportedMediaType(SupportedTypes);
        }

        JsonNode? patchNode;
        try
        {
            patchNode = JsonNode.Parse(patch.Span);
        }
        catch (JsonException e)
        {
            throw StatusErrors.BadRequest($"error decoding patch: {e.Message}");
        }

        if (MergeInto(current, patchNode) is not JsonObject result)
        {
            throw StatusErrors.BadRequest("a merge patch must produce an object");
        }

        return result;
    }

    private static JsonNode? MergeInto(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject patchObject)
        {
            return patch?.DeepClone();
        }

        JsonObject result = target as JsonObject ?? new JsonObject();
        foreach ((string key, JsonNode? value) in patchObject)
        {
            if (value is null)
            {
                result.Remove(key);
            }
            else if (value is JsonObject nested && result[key] is JsonObject existing)
            {
                MergeInto(existing, nested);
            }
            else
            {
                result[key] = MergeInto(null, value);
            }
        }

        return result;
    }
}
