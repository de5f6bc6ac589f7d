using System.Text.Json;
using System.Text.Json.Nodes;

namespace Korvet.Api.Patch;

/// <summary>
/// The list half of <see cref="StrategicMergePatch"/>: merging lists by merge key or as sets, list element
/// directives, <c>$deleteFromPrimitiveList</c>, <c>$setElementOrder</c>, and upstream's ordering rule (patch
/// items in patch order, interleaved with server-only items by their original positions).
/// </summary>
internal static class StrategicMergeLists
{
    /// <summary>Merges <paramref name="patch"/> (read-only) into <paramref name="original"/> (owned; its items are
    /// moved into the returned list).</summary>
    /// <param name="aliasedOrder">When not null, receives the keys upstream's <c>$setElementOrder</c> code sees as
    /// the original order: Go deletes and appends in place in the original slice's backing array, so that view is
    /// the remaining items, then as many appended items as were deleted, then stale entries. Reproduced here
    /// because it decides where server-only items land.</param>
    public static JsonArray MergeList(JsonArray original, JsonArray patch, PatchSchemaLevel elementLevel, string mergeKey, bool isDeleteList,
        List<string>? aliasedOrder = null)
    {
        if (original.Count == 0 && patch.Count == 0)
        {
            return original;
        }

        JsonValueKind kind = ElementKind(original, patch);
        if (kind != JsonValueKind.Object)
        {
            return isDeleteList ? DeleteScalars(original, patch) : MergeScalars(original, patch);
        }

        if (mergeKey.Length == 0)
        {
            throw new PatchException(PatchErrorKind.Internal, $"cannot merge lists without merge key for {elementLevel.Name}");
        }

        string[] view = [.. original.Select(i => SafeKey(i, mergeKey))];
        int viewLength = view.Length;
        List<JsonNode?> items = Detach(original);
        var patchItems = new List<JsonObject>(patch.Count);
        bool replace = false;
        foreach (JsonNode? node in patch)
        {
            JsonObject element = AsMap(node);
            if (!element.TryGetPropertyValue(PatchDirectives.Patch, out JsonNode? directive))
            {
                patchItems.Add(element);
                continue;
            }

            switch (directive is JsonValue dv && dv.TryGetValue(out string? d) ? d : null)
            {
                case PatchDirectives.DeleteValue:
                    string deleteKey = JsonValues.ScalarKey(MergeKeyValue(element, mergeKey));
                    items.RemoveAll(i => i is JsonObject o && o.TryGetPropertyValue(mergeKey, out JsonNode? v) && JsonValues.ScalarKey(v) == deleteKey);
                    for (int at = Array.IndexOf(view, deleteKey, 0, viewLength); at >= 0; at = Array.IndexOf(view, deleteKey, 0, viewLength))
                    {
                        Array.Copy(view, at + 1, view, at, viewLength - at - 1);
                        viewLength--;
                    }

                    break;
                case PatchDirectives.ReplaceValue:
                    replace = true;
                    break;
                case PatchDirectives.MergeValue:
                    throw new PatchException(PatchErrorKind.Internal, "merging lists cannot yet be specified in the patch");
                default:
                    throw new PatchException(PatchErrorKind.Internal,
                        $"unknown patch type: {directive?.ToJsonString() ?? "null"} in map: {element.ToJsonString()}");
            }
        }

        if (replace)
        {
            items = [.. patchItems.Select(p => PatchDirectives.TryCopyWithoutDirectives(p, out JsonNode? c) ? c : null).Where(c => c is not null)];
            patchItems.Clear();
        }

        List<string> serverOrder = KeysOf(items, mergeKey);
        var index = new Dictionary<string, int>(items.Count, StringComparer.Ordinal);
        for (int i = 0; i < items.Count; i++)
        {
            index.TryAdd(serverOrder[i], i);
        }

        var patchOrder = new List<string>(patchItems.Count);
        foreach (JsonObject element in patchItems)
        {
            string key = JsonValues.ScalarKey(MergeKeyValue(element, mergeKey));
            patchOrder.Add(key);
            if (index.TryGetValue(key, out int at))
            {
                items[at] = StrategicMergePatch.MergeMap((JsonObject)items[at]!, element, elementLevel);
            }
            else if (PatchDirectives.TryCopyWithoutDirectives(element, out JsonNode? copy))
            {
                items.Add(copy);
                index[key] = items.Count - 1;
                if (!replace && viewLength < view.Length)
                {
                    view[viewLength++] = key;
                }
            }
        }

        aliasedOrder?.AddRange(view);

        return Normalize(items, KeysOf(items, mergeKey), patchOrder, serverOrder);
    }

    /// <summary>
    /// Handles every <c>$setElementOrder/&lt;field&gt;</c> of <paramref name="patch"/>: merges that field's list
    /// and orders it by the directive. Returns the fields it handled (the caller skips them), or null.
    /// </summary>
    public static HashSet<string>? ApplySetElementOrders(JsonObject original, JsonObject patch, PatchSchemaLevel level)
    {
        HashSet<string>? done = null;
        foreach ((string directiveKey, JsonNode? orderNode) in patch)
        {
            if (!directiveKey.StartsWith(PatchDirectives.SetElementOrderPrefix, StringComparison.Ordinal))
            {
                continue;
            }

            if (orderNode is not JsonArray order)
            {
                throw BadArgType("[]interface {}", orderNode);
            }

            string field = PatchDirectives.ExtractKey(directiveKey, PatchDirectives.SetElementOrderPrefix);
            bool foundOriginal = original.TryGetPropertyValue(field, out JsonNode? originalNode);
            bool foundPatch = patch.TryGetPropertyValue(field, out JsonNode? patchNode);
            if (foundOriginal && originalNode is not JsonArray)
            {
                throw BadArgType("[]interface {}", originalNode);
            }

            if (foundPatch && patchNode is not JsonArray)
            {
                throw BadArgType("[]interface {}", patchNode);
            }

            var originalList = originalNode as JsonArray;
            var patchList = patchNode as JsonArray;
            (FieldPatchMeta meta, PatchSchemaLevel child) = level.Lookup(field);
            if (!meta.Known)
            {
                // No schema (unknown field, custom resource): the list follows merge-patch semantics and the
                // order directive has nothing to order.
                continue;
            }

            ValidateAgainstOrder(patchList, order, meta.MergeKey);

            List<string> originalOrder = originalList is null ? [] : KeysOf([.. originalList], meta.MergeKey);
            JsonArray merged;
            if (foundOriginal && foundPatch)
            {
                if (meta.Merge)
                {
                    var aliased = new List<string>();
                    merged = MergeList(originalList!, patchList!, child, meta.MergeKey, isDeleteList: false, aliased);
                    if (aliased.Count > 0)
                    {
                        originalOrder = aliased;
                    }
                }
                else
                {
                    merged = CopyWithoutDirectives(patchList!);
                }
            }
            else if (foundOriginal)
            {
                merged = originalList!;
            }
            else if (foundPatch)
            {
                merged = CopyWithoutDirectives(patchList!);
            }
            else
            {
                continue;
            }

            List<JsonNode?> items = Detach(merged);
            JsonArray ordered = Normalize(items, KeysOf(items, meta.MergeKey), KeysOf([.. order], meta.MergeKey), originalOrder);
            original[field] = ordered;
            (done ??= new HashSet<string>(StringComparer.Ordinal)).Add(field);
        }

        return done;
    }

    /// <summary>
    /// Upstream's <c>normalizeElementOrder</c>: items whose key is in <paramref name="patchOrder"/> are sorted by
    /// it, the rest by <paramref name="serverOrder"/>, then both are merged: a server item goes first when both
    /// items have a position in <paramref name="serverOrder"/> and the server item's is smaller.
    /// </summary>
    private static JsonArray Normalize(List<JsonNode?> items, List<string> keys, List<string> patchOrder, List<string> serverOrder)
    {
        Dictionary<string, int> patchIndex = FirstIndex(patchOrder);
        Dictionary<string, int> serverIndex = FirstIndex(serverOrder);
        var fromPatch = new List<(JsonNode? Item, string Key)>();
        var serverOnly = new List<(JsonNode? Item, string Key)>();
        for (int i = 0; i < items.Count; i++)
        {
            (patchIndex.ContainsKey(keys[i]) ? fromPatch : serverOnly).Add((items[i], keys[i]));
        }

        List<(JsonNode? Item, string Key)> left = StableSortBy(serverOnly, serverIndex);
        List<(JsonNode? Item, string Key)> right = StableSortBy(fromPatch, patchIndex);
        var result = new JsonArray();
        int l = 0;
        int r = 0;
        while (l < left.Count || r < right.Count)
        {
            bool takeLeft = r >= right.Count
                || (l < left.Count
                    && serverIndex.TryGetValue(left[l].Key, out int li)
                    && serverIndex.TryGetValue(right[r].Key, out int ri)
                    && li < ri);
            result.Add(takeLeft ? left[l++].Item : right[r++].Item);
        }

        return result;
    }

    private static List<(JsonNode? Item, string Key)> StableSortBy(List<(JsonNode? Item, string Key)> list, Dictionary<string, int> order) =>
        [.. list.Select((x, i) => (x, i))
            .OrderBy(t => order.TryGetValue(t.x.Key, out int at) ? at : int.MaxValue)
            .ThenBy(t => t.i)
            .Select(t => t.x)];

    private static Dictionary<string, int> FirstIndex(List<string> keys)
    {
        var index = new Dictionary<string, int>(keys.Count, StringComparer.Ordinal);
        for (int i = 0; i < keys.Count; i++)
        {
            index.TryAdd(keys[i], i);
        }

        return index;
    }

    private static JsonArray MergeScalars(JsonArray original, JsonArray patch)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var items = new List<JsonNode?>(original.Count + patch.Count);
        var keys = new List<string>(original.Count + patch.Count);
        List<string> serverOrder = KeysOf([.. original], "");
        List<JsonNode?> originals = Detach(original);
        for (int i = 0; i < originals.Count; i++)
        {
            if (seen.Add(serverOrder[i]))
            {
                items.Add(originals[i]);
                keys.Add(serverOrder[i]);
            }
        }

        List<string> patchOrder = KeysOf([.. patch], "");
        for (int i = 0; i < patch.Count; i++)
        {
            if (seen.Add(patchOrder[i]))
            {
                items.Add(JsonValues.Clone(patch[i]));
                keys.Add(patchOrder[i]);
            }
        }

        return Normalize(items, keys, patchOrder, serverOrder);
    }

    private static JsonArray DeleteScalars(JsonArray original, JsonArray toDelete)
    {
        var remove = new HashSet<string>(KeysOf([.. toDelete], ""), StringComparer.Ordinal);
        List<JsonNode?> items = Detach(original);
        return [.. items.Where(i => !remove.Contains(JsonValues.ScalarKey(i)))];
    }

    /// <summary>The common element kind of the lists; lists of lists are 422 like upstream.</summary>
    private static JsonValueKind ElementKind(JsonArray original, JsonArray patch)
    {
        JsonValueKind? kind = null;
        foreach (JsonNode? item in original.Concat(patch))
        {
            JsonValueKind k = JsonValues.KindOf(item);
            if (k == JsonValueKind.Null)
            {
                continue;
            }

            if (kind is null)
            {
                if (k == JsonValueKind.Array)
                {
                    throw new PatchException(PatchErrorKind.Invalid, "lists of lists are not supported");
                }

                kind = k;
            }
            else if (kind != k)
            {
                throw new PatchException(PatchErrorKind.Internal,
                    $"list element types are not identical: {original.ToJsonString()} {patch.ToJsonString()}");
            }
        }

        return kind ?? JsonValueKind.String;
    }

    /// <summary>Upstream's <c>validatePatchWithSetOrderList</c>: the patch's items must appear in the directive's
    /// order.</summary>
    private static void ValidateAgainstOrder(JsonArray? patchList, JsonArray order, string mergeKey)
    {
        if (patchList is null || patchList.Count == 0 || order.Count == 0)
        {
            return;
        }

        List<JsonNode?> nonDelete = mergeKey.Length == 0
            ? [.. patchList]
            : [.. patchList.Where(p => !(AsMap(p).TryGetPropertyValue(PatchDirectives.Patch, out JsonNode? d)
                && d is JsonValue dv && dv.TryGetValue(out string? s) && s == PatchDirectives.DeleteValue))];
        int pi = 0;
        int si = 0;
        while (pi < nonDelete.Count && si < order.Count)
        {
            if (nonDelete[pi] is JsonObject o && o.ContainsKey(PatchDirectives.Patch))
            {
                pi++;
                continue;
            }

            if (KeyOf(nonDelete[pi], mergeKey) == KeyOf(order[si], mergeKey))
            {
                pi++;
            }

            si++;
        }

        if (pi < nonDelete.Count && si >= order.Count)
        {
            throw new PatchException(PatchErrorKind.Internal,
                $"The order in patch list:\n{patchList.ToJsonString()}\n doesn't match $setElementOrder list:\n{order.ToJsonString()}\n");
        }
    }

    private static string SafeKey(JsonNode? item, string mergeKey) =>
        item is JsonObject o && o.TryGetPropertyValue(mergeKey, out JsonNode? v) ? JsonValues.ScalarKey(v) : "\0";

    private static List<string> KeysOf(List<JsonNode?> items, string mergeKey) => items.ConvertAll(i => KeyOf(i, mergeKey));

    private static string KeyOf(JsonNode? item, string mergeKey) =>
        mergeKey.Length == 0 ? JsonValues.ScalarKey(item) : JsonValues.ScalarKey(MergeKeyValue(AsMap(item), mergeKey));

    private static JsonNode? MergeKeyValue(JsonObject item, string mergeKey) =>
        item.TryGetPropertyValue(mergeKey, out JsonNode? value)
            ? value
            : throw new PatchException(PatchErrorKind.Internal, $"map: {item.ToJsonString()} does not contain declared merge key: {mergeKey}");

    private static JsonObject AsMap(JsonNode? item) => item as JsonObject ?? throw BadArgType("map[string]interface {}", item);

    private static PatchException BadArgType(string expected, JsonNode? actual) =>
        new(PatchErrorKind.Internal, $"expected a {expected}, but received a {JsonValues.KindOf(actual).ToString().ToLowerInvariant()}");

    private static JsonArray CopyWithoutDirectives(JsonArray list) =>
        PatchDirectives.TryCopyWithoutDirectives(list, out JsonNode? copy) ? (JsonArray)copy! : [];

    /// <summary>Moves the items out of <paramref name="array"/> so they can be re-parented.</summary>
    private static List<JsonNode?> Detach(JsonArray array)
    {
        var items = new List<JsonNode?>(array.Count);
        items.AddRange(array);
        array.Clear();
        return items;
    }
}
