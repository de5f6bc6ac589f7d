using System.Text.Json.Nodes;

namespace Korvet.ApiServer.Storage;

/// <summary>
/// Maintains <c>metadata.managedFields</c> for non-apply writes (operation "Update"): the writing manager gains the
/// fields it set or changed, other managers lose them, removed fields leave every manager, empty entries are dropped.
/// Field sets use upstream's FieldsV1 shape (<c>{"f:data":{".":{},"f:a":{}}}</c>). Lists are treated as atomic
/// (one field) until the schema-aware merge keys are wired in. Pure functions; no shared state.
/// </summary>
public static class ManagedFields
{
    private static readonly HashSet<string> IgnoredTopLevel = ["apiVersion", "kind", "metadata"];
    internal static readonly HashSet<string> OwnedMetadata = ["labels", "annotations", "finalizers", "ownerReferences"];

    /// <summary>
    /// Updates <paramref name="obj"/>'s managedFields for a write by <paramref name="manager"/>.
    /// </summary>
    /// <param name="obj">The object about to be stored (mutated).</param>
    /// <param name="old">The stored object, or null on create.</param>
    /// <param name="subresource">"" or "status".</param>
    /// <param name="excludeStatus">True for main-resource writes of kinds with a status subresource.</param>
    public static void Stamp(JsonObject obj, JsonObject? old, string manager, string apiVersion, DateTimeOffset now,
        string subresource, bool excludeStatus)
    {
        var meta = (JsonObject)obj["metadata"]!;
        if (old is null && subresource.Length == 0 && meta["managedFields"] is null)
        {
            StampCreate(obj, meta, manager, apiVersion, now, excludeStatus);
            return;
        }

        Dictionary<string, JsonNode?> newLeaves = Leaves(obj, subresource, excludeStatus);
        Dictionary<string, JsonNode?> oldLeaves = old is null ? new() : Leaves(old, subresource, excludeStatus);

        var changed = new HashSet<string>();
        foreach ((string path, JsonNode? value) in newLeaves)
        {
            if (!oldLeaves.TryGetValue(path, out JsonNode? before) || !JsonNode.DeepEquals(before, value))
            {
                changed.Add(path);
            }
        }

        var removed = new HashSet<string>(oldLeaves.Keys.Where(p => !newLeaves.ContainsKey(p)));
        List<JsonObject> entries = meta["managedFields"] is JsonArray existing
            ? existing.OfType<JsonObject>().Select(e => (JsonObject)e.DeepClone()).ToList()
            : [];
        if (changed.Count == 0 && removed.Count == 0 && entries.Count > 0)
        {
            return;
        }

        var result = new JsonArray();
        bool found = false;
        foreach (JsonObject entry in entries)
        {
            HashSet<string> set = entry["fieldsV1"] is JsonObject f ? FromFieldsV1(f) : [];
            bool mine = (string?)entry["manager"] == manager && (string?)entry["operation"] == "Update"
                && ((string?)entry["subresource"] ?? "") == subresource;
            set.ExceptWith(removed);
            if (mine)
            {
                found = true;
                set.UnionWith(changed);
                entry["apiVersion"] = apiVersion;
                entry["time"] = Timestamps.Format(now);
            }
            else
            {
                set.ExceptWith(changed);
            }

            if (set.Count > 0)
            {
                entry["fieldsV1"] = ToFieldsV1(set);
                result.Add((JsonNode)entry);
            }
        }

        if (!found && changed.Count > 0)
        {
            var entry = new JsonObject
            {
                ["manager"] = manager,
                ["operation"] = "Update",
                ["apiVersion"] = apiVersion,
                ["time"] = Timestamps.Format(now),
                ["fieldsType"] = "FieldsV1",
                ["fieldsV1"] = ToFieldsV1(changed),
            };
            if (subresource.Length > 0)
            {
                entry["subresource"] = subresource;
            }

            result.Add((JsonNode)entry);
        }

        if (result.Count > 0)
        {
            meta["managedFields"] = result;
        }
        else
        {
            meta.Remove("managedFields");
        }
    }

    /// <summary>
    /// The create case of <see cref="Stamp"/> (no previous object, no entries): the writer owns every field, so its
    /// FieldsV1 is built straight from the object's shape. The result is the one the general path builds from the
    /// sorted leaf paths: children in ordinal order of their segment (<c>.</c> first), empty objects as leaves.
    /// </summary>
    private static void StampCreate(JsonObject obj, JsonObject meta, string manager, string apiVersion, DateTimeOffset now,
        bool excludeStatus)
    {
        var top = new List<KeyValuePair<string, JsonNode?>>();
        foreach ((string key, JsonNode? value) in obj)
        {
            if (IgnoredTopLevel.Contains(key) || (key == "status" && excludeStatus))
            {
                continue;
            }

            top.Add(new("f:" + key, FieldsOf(value)));
        }

        var owned = new List<KeyValuePair<string, JsonNode?>>();
        foreach ((string key, JsonNode? value) in meta)
        {
            if (OwnedMetadata.Contains(key))
            {
                owned.Add(new("f:" + key, FieldsOf(value)));
            }
        }

        if (owned.Count > 0)
        {
            top.Add(new("f:metadata", Sorted(owned)));
        }

        if (top.Count == 0)
        {
            meta.Remove("managedFields");
            return;
        }

        meta["managedFields"] = new JsonArray(new JsonObject
        {
            ["manager"] = manager,
            ["operation"] = "Update",
            ["apiVersion"] = apiVersion,
            ["time"] = Timestamps.Format(now),
            ["fieldsType"] = "FieldsV1",
            ["fieldsV1"] = Sorted(top),
        });
    }

    /// <summary>FieldsV1 of one value: a non-empty map lists "." and its members; anything else is a leaf ({}).</summary>
    private static JsonObject FieldsOf(JsonNode? node)
    {
        if (node is not JsonObject map || map.Count == 0)
        {
            return new JsonObject();
        }

        var children = new List<KeyValuePair<string, JsonNode?>>(map.Count + 1) { new(".", new JsonObject()) };
        foreach ((string key, JsonNode? value) in map)
        {
            children.Add(new("f:" + key, FieldsOf(value)));
        }

        return Sorted(children);
    }

    private static JsonObject Sorted(List<KeyValuePair<string, JsonNode?>> members)
    {
        members.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        return new JsonObject(members);
    }

    /// <summary>The manager name upstream derives: the fieldManager query, else the User-Agent up to its first '/'.</summary>
    public static string ManagerName(string? fieldManager, string? userAgent)
    {
        if (!string.IsNullOrEmpty(fieldManager))
        {
            return fieldManager;
        }

        string ua = userAgent ?? "";
        int slash = ua.IndexOf('/');
        return slash >= 0 ? ua[..slash] : ua.Length > 0 ? ua : "unknown";
    }

    private static Dictionary<string, JsonNode?> Leaves(JsonObject obj, string subresource, bool excludeStatus)
    {
        var leaves = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        foreach ((string key, JsonNode? value) in obj)
        {
            if (IgnoredTopLevel.Contains(key) || (subresource == "status" && key != "status"))
            {
                continue;
            }

            if (key == "status" && excludeStatus && subresource.Length == 0)
            {
                continue;
            }

            Collect(value, "f:" + key, leaves);
        }

        if (subresource.Length == 0 && obj["metadata"] is JsonObject meta)
        {
            foreach ((string key, JsonNode? value) in meta)
            {
                if (OwnedMetadata.Contains(key))
                {
                    Collect(value, "f:metadata\u0001f:" + key, leaves);
                }
            }
        }

        return leaves;
    }

    private static void Collect(JsonNode? node, string path, Dictionary<string, JsonNode?> into)
    {
        if (node is JsonObject map && map.Count > 0)
        {
            into[path + "\u0001."] = null;
            foreach ((string key, JsonNode? value) in map)
            {
                Collect(value, path + "\u0001f:" + key, into);
            }
        }
        else
        {
            into[path] = node;
        }
    }

    /// <summary>FieldsV1 JSON of a path set (segments joined by U+0001).</summary>
    internal static JsonObject ToFieldsV1(IEnumerable<string> paths)
    {
        var root = new JsonObject();
        foreach (string path in paths.Order(StringComparer.Ordinal))
        {
            JsonObject current = root;
            foreach (string segment in path.Split('\u0001'))
            {
                if (current[segment] is not JsonObject next)
                {
                    next = new JsonObject();
                    current[segment] = next;
                }

                current = next;
            }
        }

        return root;
    }

    /// <summary>The path set (segments joined by U+0001) of a FieldsV1 JSON object.</summary>
    internal static HashSet<string> FromFieldsV1(JsonObject fields)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        Walk(fields, "", set);
        return set;
    }

    private static void Walk(JsonObject node, string prefix, HashSet<string> set)
    {
        foreach ((string key, JsonNode? value) in node)
        {
            string path = prefix.Length == 0 ? key : prefix + "\u0001" + key;
            if (value is JsonObject child && child.Count > 0)
            {
                Walk(child, path, set);
            }
            else
            {
                set.Add(path);
            }
        }
    }
}
