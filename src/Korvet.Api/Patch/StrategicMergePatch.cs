using System.Text.Json;
using System.Text.Json.Nodes;
using Korvet.Api.Schema;

namespace Korvet.Api.Patch;

/// <summary>
/// Applies a strategic merge patch (<c>application/strategic-merge-patch+json</c>) to an object, driven by the
/// <see cref="ApiSchema"/> descriptors the way upstream's <c>strategicpatch.StrategicMergeMapPatch</c> is driven by
/// Go struct tags:
/// <list type="bullet">
/// <item>maps merge recursively, <c>null</c> deletes a key;</item>
/// <item>lists whose patch strategy includes "merge" merge by <c>patchMergeKey</c> (objects) or as a set
/// (scalars); other lists are replaced;</item>
/// <item>directives: <c>$patch: replace|delete</c> on maps and list elements, <c>$retainKeys</c>,
/// <c>$setElementOrder/&lt;field&gt;</c>, <c>$deleteFromPrimitiveList/&lt;field&gt;</c>;</item>
/// <item>fields the schema does not know (and objects without a schema) follow merge-patch semantics.</item>
/// </list>
/// Thread-safe and stateless apart from the schema; inputs are never modified.
/// </summary>
public sealed class StrategicMergePatch
{
    private readonly ApiSchema _schema;

    public StrategicMergePatch(ApiSchema schema)
    {
        _schema = schema;
    }

    /// <summary>Parses a patch body and applies it (see <see cref="Apply(JsonObject, JsonObject, MessageDescriptor?)"/>).</summary>
    /// <exception cref="PatchException">invalid JSON or not an object (400), or the patch cannot be applied.</exception>
    public JsonObject Apply(JsonObject original, ReadOnlySpan<byte> patchJson, MessageDescriptor? message)
    {
        JsonNode? patch = JsonValues.Parse(patchJson);
        if (patch is not JsonObject patchObject)
        {
            throw new PatchException(PatchErrorKind.BadRequest,
                "json: cannot unmarshal " + (patch is JsonArray ? "array" : "non-object") + " into Go value of type map[string]interface {}");
        }

        return Apply(original, patchObject, message);
    }

    /// <summary>Returns a new object: <paramref name="original"/> with <paramref name="patch"/> applied, where
    /// <paramref name="message"/> describes the object's type (null = no schema).</summary>
    /// <exception cref="PatchException">the patch cannot be applied; <see cref="PatchException.Kind"/> says how
    /// upstream answers.</exception>
    public JsonObject Apply(JsonObject original, JsonObject patch, MessageDescriptor? message)
    {
        var copy = (JsonObject)original.DeepClone();
        return MergeMap(copy, patch, PatchSchemaLevel.ForMessage(_schema, message));
    }

    /// <summary>Merges <paramref name="patch"/> into <paramref name="original"/> (owned by the caller and
    /// modified in place, or replaced: use the returned object).</summary>
    internal static JsonObject MergeMap(JsonObject original, JsonObject patch, PatchSchemaLevel level)
    {
        if (patch.TryGetPropertyValue(PatchDirectives.Patch, out JsonNode? directive))
        {
            return ApplyMapDirective(directive, patch);
        }

        ApplyRetainKeys(original, patch);
        HashSet<string>? done = StrategicMergeLists.ApplySetElementOrders(original, patch, level);

        foreach ((string patchKey, JsonNode? patchValue) in patch)
        {
            if (patchKey == PatchDirectives.RetainKeys || (done is not null && done.Contains(patchKey))
                || patchKey.StartsWith(PatchDirectives.SetElementOrderPrefix, StringComparison.Ordinal))
            {
                continue;
            }

            string key = patchKey;
            bool isDeleteList = false;
            if (patchKey.StartsWith(PatchDirectives.DeleteFromPrimitiveListPrefix, StringComparison.Ordinal))
            {
                key = PatchDirectives.ExtractKey(patchKey, PatchDirectives.DeleteFromPrimitiveListPrefix);
                isDeleteList = true;
            }

            if (JsonValues.KindOf(patchValue) == JsonValueKind.Null)
            {
                original.Remove(key);
                continue;
            }

            if (!original.TryGetPropertyValue(key, out JsonNode? originalValue)
                || JsonValues.KindOf(originalValue) != JsonValues.KindOf(patchValue))
            {
                if (!isDeleteList)
                {
                    SetOrRemove(original, key, patchValue);
                }

                continue;
            }

            switch (originalValue)
            {
                case JsonObject originalMap:
                {
                    (FieldPatchMeta meta, PatchSchemaLevel child) = level.Lookup(key);
                    if (meta.Replace)
                    {
                        SetOrRemove(original, key, patchValue);
                    }
                    else
                    {
                        SetChild(original, key, MergeMap(originalMap, (JsonObject)patchValue!, child));
                    }

                    break;
                }

                case JsonArray originalList:
                {
                    (FieldPatchMeta meta, PatchSchemaLevel child) = level.Lookup(key);
                    if (meta.Merge || isDeleteList)
                    {
                        SetChild(original, key, StrategicMergeLists.MergeList(originalList, (JsonArray)patchValue!, child, meta.MergeKey, isDeleteList));
                    }
                    else
                    {
                        SetOrRemove(original, key, patchValue);
                    }

                    break;
                }

                default:
                    SetOrRemove(original, key, patchValue);
                    break;
            }
        }

        return original;
    }

    /// <summary>Stores a detached, directive-free copy of <paramref name="value"/>; a map carrying <c>$patch</c>
    /// removes the key instead.</summary>
    internal static void SetOrRemove(JsonObject target, string key, JsonNode? value)
    {
        if (PatchDirectives.TryCopyWithoutDirectives(value, out JsonNode? copy))
        {
            target[key] = copy;
        }
        else
        {
            target.Remove(key);
        }
    }

    /// <summary>Sets a child that may already be the current value (JsonNode forbids re-parenting).</summary>
    internal static void SetChild(JsonObject target, string key, JsonNode value)
    {
        if (!ReferenceEquals(target[key], value))
        {
            target[key] = value;
        }
    }

    private static JsonObject ApplyMapDirective(JsonNode? directive, JsonObject patch)
    {
        string? value = directive is JsonValue v && v.TryGetValue(out string? s) ? s : null;
        switch (value)
        {
            case PatchDirectives.ReplaceValue:
                var replacement = new JsonObject();
                foreach ((string key, JsonNode? child) in patch)
                {
                    if (key != PatchDirectives.Patch)
                    {
                        SetOrRemove(replacement, key, child);
                    }
                }

                return replacement;
            case PatchDirectives.DeleteValue:
                return [];
            default:
                throw new PatchException(PatchErrorKind.Internal,
                    $"unknown patch type: {directive?.ToJsonString() ?? "null"} in map: {patch.ToJsonString()}");
        }
    }

    /// <summary><c>$retainKeys</c>: keys of the original not listed are removed; every non-null key the patch sets
    /// must be listed (else 400, like upstream).</summary>
    private static void ApplyRetainKeys(JsonObject original, JsonObject patch)
    {
        if (!patch.TryGetPropertyValue(PatchDirectives.RetainKeys, out JsonNode? retainNode))
        {
            return;
        }

        if (retainNode is not JsonArray retainList)
        {
            throw new PatchException(PatchErrorKind.BadRequest, "invalid patch format of retainKeys");
        }

        var retain = new HashSet<string>(StringComparer.Ordinal);
        foreach (JsonNode? item in retainList)
        {
            if (item is JsonValue iv && iv.TryGetValue(out string? name))
            {
                retain.Add(name);
            }
        }

        foreach ((string key, JsonNode? value) in patch)
        {
            if (key == PatchDirectives.RetainKeys || JsonValues.KindOf(value) == JsonValueKind.Null
                || key.StartsWith(PatchDirectives.DeleteFromPrimitiveListPrefix, StringComparison.Ordinal)
                || key.StartsWith(PatchDirectives.SetElementOrderPrefix, StringComparison.Ordinal))
            {
                continue;
            }

            if (!retain.Contains(key))
            {
                throw new PatchException(PatchErrorKind.BadRequest, "invalid patch format of retainKeys");
            }
        }

        List<string>? drop = null;
        foreach ((string key, _) in original)
        {
            if (!retain.Contains(key))
            {
                (drop ??= []).Add(key);
            }
        }

        drop?.ForEach(k => original.Remove(k));
    }
}
