using System.Text.Json.Nodes;

namespace Korvet.Api.Patch;

/// <summary>The strategic merge patch directive keys and helpers to strip them from values that are copied into
/// the result as a whole.</summary>
internal static class PatchDirectives
{
    public const string Patch = "$patch";
    public const string RetainKeys = "$retainKeys";
    public const string SetElementOrderPrefix = "$setElementOrder";
    public const string DeleteFromPrimitiveListPrefix = "$deleteFromPrimitiveList";
    public const string ReplaceValue = "replace";
    public const string DeleteValue = "delete";
    public const string MergeValue = "merge";

    /// <summary>True for keys that are directives rather than data (<c>$patch</c>, <c>$retainKeys</c>,
    /// <c>$setElementOrder/x</c>, <c>$deleteFromPrimitiveList/x</c>). Other <c>$</c> keys (e.g. a JSON schema's
    /// <c>$ref</c>) are data.</summary>
    public static bool IsDirectiveKey(string key) =>
        key.Length > 0 && key[0] == '$'
        && (key == Patch || key == RetainKeys
            || key.StartsWith(SetElementOrderPrefix + "/", StringComparison.Ordinal)
            || key.StartsWith(DeleteFromPrimitiveListPrefix + "/", StringComparison.Ordinal));

    /// <summary>
    /// A detached copy of a patch value that is taken as a whole: maps holding <c>$patch</c> are dropped (returns
    /// false at the top), other directive keys and null members are removed (upstream's <c>removeDirectives</c> +
    /// <c>discardNullValuesFromPatch</c>; upstream leaves the other directive keys to the typed decoder to drop).
    /// </summary>
    public static bool TryCopyWithoutDirectives(JsonNode? value, out JsonNode? copy)
    {
        switch (value)
        {
            case JsonObject obj:
                if (obj.ContainsKey(Patch))
                {
                    copy = null;
                    return false;
                }

                var result = new JsonObject();
                foreach ((string key, JsonNode? child) in obj)
                {
                    if (child is null || IsDirectiveKey(key) || JsonValues.KindOf(child) == System.Text.Json.JsonValueKind.Null)
                    {
                        continue;
                    }

                    if (TryCopyWithoutDirectives(child, out JsonNode? childCopy))
                    {
                        result[key] = childCopy;
                    }
                }

                copy = result;
                return true;
            case JsonArray array:
                var list = new JsonArray();
                foreach (JsonNode? item in array)
                {
                    if (TryCopyWithoutDirectives(item, out JsonNode? itemCopy))
                    {
                        list.Add(itemCopy);
                    }
                }

                copy = list;
                return true;
            default:
                copy = JsonValues.Clone(value);
                return true;
        }
    }

    /// <summary>The part of a prefixed directive key after "prefix/"; a wrong prefix is upstream's format error.</summary>
    public static string ExtractKey(string key, string prefix)
    {
        int slash = key.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0 || !key.AsSpan(0, slash).SequenceEqual(prefix))
        {
            throw prefix == DeleteFromPrimitiveListPrefix
                ? new PatchException(PatchErrorKind.BadRequest, "invalid patch format of primitive list")
                : new PatchException(PatchErrorKind.BadRequest, "invalid patch format of setElementOrder list");
        }

        return key[(slash + 1)..];
    }
}
