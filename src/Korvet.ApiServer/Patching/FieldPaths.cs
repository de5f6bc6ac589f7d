using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Korvet.Api.Schema;
using Korvet.ApiServer.Storage;

namespace Korvet.ApiServer.Patching;

/// <summary>
/// Schema-aware field paths of an object, in managedFields' FieldsV1 vocabulary: <c>f:name</c> for fields and map keys,
/// <c>k:{"name":"x"}</c> for items of keyed lists (listType=map or a merge key), <c>v:"x"</c> for items of sets,
/// atomic lists as one leaf; <c>.</c> marks the existence of a non-empty map or a list item. Segments are joined by
/// U+0001 (like <see cref="ManagedFields"/>). Pure functions over an immutable schema; thread-safe.
/// </summary>
public sealed class FieldPaths
{
    public const char Separator = '\u0001';

    private readonly ApiSchema _schema;

    public FieldPaths(ApiSchema schema)
    {
        _schema = schema;
    }

    /// <summary>Every path of <paramref name="obj"/> that a manager can own, with the value at each leaf (null for
    /// <c>.</c> markers). Skips apiVersion, kind, metadata other than labels/annotations/finalizers/ownerReferences,
    /// and status when <paramref name="excludeStatus"/>.</summary>
    public Dictionary<string, JsonNode?> Leaves(JsonObject obj, MessageDescriptor? message, bool excludeStatus)
    {
        var leaves = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        foreach ((string key, JsonNode? value) in obj)
        {
            if (key is "apiVersion" or "kind" or "metadata" || (key == "status" && excludeStatus))
            {
                continue;
            }

            CollectField(message, key, value, "f:" + key, leaves);
        }

        if (obj["metadata"] is JsonObject meta)
        {
            MessageDescriptor? metaMessage = _schema.FindMessage(ApiSchema.MetaV1Package + ".ObjectMeta");
            foreach ((string key, JsonNode? value) in meta)
            {
                if (ManagedFields.OwnedMetadata.Contains(key))
                {
                    CollectField(metaMessage, key, value, "f:metadata" + Separator + "f:" + key, leaves);
                }
            }
        }

        return leaves;
    }

    private void CollectField(MessageDescriptor? message, string key, JsonNode? value, string path, Dictionary<string, JsonNode?> into)
    {
        FieldDescriptor? field = message is null ? null : _schema.FindJsonField(message, key);
        MessageDescriptor? child = field?.MessageName is { } name ? _schema.FindMessage(name) : null;
        if (value is JsonArray list && field is not null)
        {
            CollectList(field, child, list, path, into);
        }
        else if (value is JsonObject map && field?.Kind == FieldKind.Map)
        {
            CollectMap(map, child, path, into, isMapField: true);
        }
        else if (value is JsonObject nested && (field is null || child is not null) && child?.JsonForm is null or JsonForm.Object)
        {
            CollectMap(nested, child, path, into, isMapField: false);
        }
        else
        {
            into[path] = value;
        }
    }

    private void CollectMap(JsonObject map, MessageDescriptor? message, string path, Dictionary<string, JsonNode?> into, bool isMapField)
    {
        if (map.Count == 0)
        {
            into[path] = map;
            return;
        }

        into[path + Separator + "."] = null;
        foreach ((string key, JsonNode? value) in map)
        {
            string childPath = path + Separator + "f:" + key;
            if (isMapField)
            {
                if (value is JsonObject nested && message is not null)
                {
                    CollectMap(nested, message, childPath, into, isMapField: false);
                }
                else
                {
                    into[childPath] = value;
                }
            }
            else
            {
                CollectField(message, key, value, childPath, into);
            }
        }
    }

    private void CollectList(FieldDescriptor field, MessageDescriptor? item, JsonArray list, string path, Dictionary<string, JsonNode?> into)
    {
        IReadOnlyList<string>? keys = field.ListType == "map" && field.ListMapKeys.Count > 0 ? field.ListMapKeys
            : field.MergesLists && field.PatchMergeKey is { } mergeKey && item is not null ? [mergeKey]
            : null;
        bool set = keys is null && (field.ListType == "set" || (field.MergesLists && item is null));
        if (keys is not null && list.All(e => e is JsonObject))
        {
            foreach (JsonObject element in list.Cast<JsonObject>())
            {
                string itemPath = path + Separator + KeySegment(element, keys);
                into[itemPath + Separator + "."] = null;
                foreach ((string key, JsonNode? value) in element)
                {
                    CollectField(item, key, value, itemPath + Separator + "f:" + key, into);
                }
            }
        }
        else if (set)
        {
            foreach (JsonNode? element in list)
            {
                into[path + Separator + "v:" + (element?.ToJsonString() ?? "null")] = element;
            }
        }
        else
        {
            into[path] = list;
        }
    }

    /// <summary><c>k:{"key":value,...}</c> with the key fields in name order (upstream's canonical form).</summary>
    public static string KeySegment(JsonObject element, IReadOnlyList<string> keys)
    {
        var keyObject = new JsonObject();
        foreach (string key in keys.Order(StringComparer.Ordinal))
        {
            if (element[key] is { } v)
            {
                keyObject[key] = v.DeepClone();
            }
        }

        return "k:" + keyObject.ToJsonString();
    }

    /// <summary>Upstream's printed form of a path: <c>.spec.containers[name="nginx"].image</c>.</summary>
    public static string Display(string path)
    {
        var text = new StringBuilder();
        foreach (string segment in path.Split(Separator))
        {
            if (segment == ".")
            {
                continue;
            }

            if (segment.StartsWith("f:", StringComparison.Ordinal))
            {
                text.Append('.').Append(segment.AsSpan(2));
            }
            else if (segment.StartsWith("k:", StringComparison.Ordinal) && JsonNode.Parse(segment[2..]) is JsonObject keys)
            {
                text.Append('[').Append(string.Join(",", keys.Select(p => $"{p.Key}={p.Value?.ToJsonString()}"))).Append(']');
            }
            else if (segment.StartsWith("v:", StringComparison.Ordinal))
            {
                text.Append("[=").Append(segment.AsSpan(2)).Append(']');
            }
        }

        return text.ToString();
    }

    /// <summary>Removes the field or list item a path names from <paramref name="obj"/> (no-op when absent).</summary>
    public static void Remove(JsonObject obj, string path)
    {
        string[] segments = path.Split(Separator);
        int count = segments[^1] == "." ? segments.Length - 1 : segments.Length;
        JsonNode? parent = obj;
        for (int i = 0; i < count - 1; i++)
        {
            parent = Step(parent, segments[i]);
            if (parent is null)
            {
                return;
            }
        }

        string last = segments[count - 1];
        if (last.StartsWith("f:", StringComparison.Ordinal) && parent is JsonObject map)
        {
            map.Remove(last[2..]);
        }
        else if (parent is JsonArray array && Step(parent, last) is { } item)
        {
            array.Remove(item);
        }
    }

    private static JsonNode? Step(JsonNode? node, string segment)
    {
        if (segment.StartsWith("f:", StringComparison.Ordinal))
        {
            return (node as JsonObject)?[segment[2..]];
        }

        if (node is not JsonArray array)
        {
            return null;
        }

        if (segment.StartsWith("k:", StringComparison.Ordinal) && JsonNode.Parse(segment[2..]) is JsonObject keys)
        {
            return array.FirstOrDefault(e => e is JsonObject o && keys.All(k => JsonNode.DeepEquals(o[k.Key], k.Value)));
        }

        if (segment.StartsWith("v:", StringComparison.Ordinal))
        {
            JsonNode? value;
            try
            {
                value = JsonNode.Parse(segment[2..]);
            }
            catch (JsonException)
            {
                return null;
            }

            return array.FirstOrDefault(e => JsonNode.DeepEquals(e, value));
        }

        return null;
    }
}
