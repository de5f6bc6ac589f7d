using System.Globalization;
using System.Text.Json.Nodes;
using Korvet.Api.Patch;
using Korvet.Api.Schema;
using Korvet.Api.Serialization;
using Korvet.ApiServer.Errors;
using Korvet.ApiServer.Registry;
using Korvet.ApiServer.Storage;

namespace Korvet.ApiServer.Patching;

/// <summary>
/// Server-side apply (<c>application/apply-patch+yaml</c>), a first version of upstream's structured merge:
/// <list type="bullet">
/// <item>the applied configuration is merged onto the live object with strategic-merge semantics (maps merge, lists
/// with merge keys merge by key, sets by value, other lists are replaced);</item>
/// <item>the manager's "Apply" managedFields entry becomes exactly the applied configuration's field paths
/// (<see cref="FieldPaths"/>); fields it applied before and no longer applies are removed unless another manager owns
/// them;</item>
/// <item>applying a value that differs from the live one in a field another manager owns is a conflict (409 with
/// upstream's message) unless <c>force</c>, which moves ownership to the applier.</item>
/// </list>
/// Not done: type-aware defaulting of the applied configuration, and "Update" entries are still recorded with
/// atomic lists. Thread-safe (stateless apart from the immutable schema).
/// </summary>
public sealed class ServerSideApply
{
    public const string ApplyPatchType = "application/apply-patch+yaml";

    private readonly ApiSchema _schema;
    private readonly StrategicMergePatch _merge;
    private readonly FieldPaths _paths;

    public ServerSideApply(ApiSchema schema)
    {
        _schema = schema;
        _merge = new StrategicMergePatch(schema);
        _paths = new FieldPaths(schema);
    }

    /// <summary>Parses the applied configuration (YAML or JSON) and checks its type and name against the request.</summary>
    public static JsonObject ParseConfiguration(ReadOnlySpan<byte> body, ResourceDefinition resource, string name)
    {
        JsonNode? node;
        try
        {
            node = YamlReader.ParseDocument(body);
        }
        catch (ApiCodecException e)
        {
            throw StatusErrors.BadRequest($"error decoding YAML: {e.Message}");
        }

        if (node is not JsonObject parsed)
        {
            throw StatusErrors.BadRequest("error decoding YAML: the applied configuration must be an object");
        }

        // Element-backed numbers, as a JSON body gives them (YAML yields CLR-typed long/double values).
        var config = (JsonObject)JsonNode.Parse(parsed.ToJsonString())!;

        string apiVersion = (string?)config["apiVersion"] ?? "";
        string kind = (string?)config["kind"] ?? "";
        if (apiVersion.Length == 0 || kind.Length == 0)
        {
            throw StatusErrors.BadRequest("invalid object type: " + (apiVersion.Length == 0 ? "apiVersion" : "kind") + " must be set");
        }

        if (kind != resource.Kind || apiVersion != resource.ApiVersion)
        {
            throw StatusErrors.BadRequest(
                $"the kind in the data ({apiVersion}, Kind={kind}) does not match the expected kind ({resource.ApiVersion}, Kind={resource.Kind})");
        }

        if (config["metadata"] is not JsonObject meta)
        {
            meta = new JsonObject();
            config["metadata"] = meta;
        }

        if ((string?)meta["name"] is { Length: > 0 } bodyName && bodyName != name)
        {
            throw StatusErrors.BadRequest($"the name of the object ({bodyName}) does not match the name on the URL ({name})");
        }

        meta["name"] = name;
        if (meta["managedFields"] is not null)
        {
            throw new StatusException(400, "BadRequest", "metadata.managedFields must be nil");
        }

        return config;
    }

    /// <summary>The managedFields of an object created by apply: one "Apply" entry with the configuration's fields.</summary>
    public JsonArray ManagedFieldsForCreate(JsonObject config, ResourceDefinition resource, string manager, DateTimeOffset now)
    {
        Dictionary<string, JsonNode?> applied = _paths.Leaves(config, Message(resource), resource.HasStatusSubresource);
        return applied.Count == 0 ? [] : [(JsonNode)Entry(manager, resource.ApiVersion, now, applied.Keys)];
    }

    /// <summary>
    /// Applies <paramref name="config"/> to <paramref name="live"/> (not modified) and returns the merged object and
    /// the managedFields to store.
    /// </summary>
    /// <exception cref="StatusException">409 on conflicts without force; 4xx/500 when the merge fails.</exception>
    public (JsonObject Merged, JsonArray ManagedFields) Apply(JsonObject live, JsonObject config, ResourceDefinition resource,
        string manager, bool force, DateTimeOffset now)
    {
        MessageDescriptor? message = Message(resource);
        bool excludeStatus = resource.HasStatusSubresource;
        Dictionary<string, JsonNode?> applied = _paths.Leaves(config, message, excludeStatus);
        Dictionary<string, JsonNode?> current = _paths.Leaves(live, message, excludeStatus);

        List<JsonObject> entries = live["metadata"]?["managedFields"] is JsonArray existing
            ? existing.OfType<JsonObject>().Select(e => (JsonObject)e.DeepClone()).ToList()
            : [];
        JsonObject? mine = entries.FirstOrDefault(e => (string?)e["manager"] == manager && (string?)e["operation"] == "Apply"
            && ((string?)e["subresource"] ?? "").Length == 0);
        HashSet<string> previouslyApplied = mine?["fieldsV1"] is JsonObject f ? ManagedFields.FromFieldsV1(f) : [];

        // Conflicts: a changed value in a path another manager owns (the path itself, an atomic ancestor or a descendant).
        var others = entries.Where(e => !ReferenceEquals(e, mine))
            .Select(e => (Entry: e, Fields: e["fieldsV1"] is JsonObject fs ? ManagedFields.FromFieldsV1(fs) : []))
            .ToList();
        var conflicts = new List<(JsonObject Entry, string Path)>();
        var taken = new HashSet<string>(StringComparer.Ordinal);
        foreach ((string path, JsonNode? value) in applied)
        {
            if (path.EndsWith(FieldPaths.Separator + ".", StringComparison.Ordinal)
                || (current.TryGetValue(path, out JsonNode? liveValue) && JsonNode.DeepEquals(liveValue, value)))
            {
                continue;
            }

            foreach ((JsonObject entry, HashSet<string> fields) in others)
            {
                foreach (string owned in fields)
                {
                    if (!owned.EndsWith(FieldPaths.Separator + ".", StringComparison.Ordinal) && Overlaps(owned, path))
                    {
                        conflicts.Add((entry, owned));
                        taken.Add(owned);
                    }
                }
            }
        }

        if (conflicts.Count > 0 && !force && !UpgradesClientSideApply(live, conflicts, manager, message, excludeStatus))
        {
            throw ConflictError(conflicts.DistinctBy(c => (c.Entry, c.Path)).ToList());
        }

        var config2 = (JsonObject)config.DeepClone();
        ((JsonObject)config2["metadata"]!).Remove("resourceVersion");
        JsonObject merged;
        try
        {
            merged = _merge.Apply(live, config2, message);
        }
        catch (PatchException e)
        {
            throw PatchApplier.ToStatus(e, resource, (string?)live["metadata"]?["name"] ?? "");
        }

        // Fields this manager applied before and dropped now go away unless someone else still owns them.
        var ownedByOthers = new HashSet<string>(others.SelectMany(o => o.Fields), StringComparer.Ordinal);
        // Whole list items go first (shortest first), so their fields are not stripped one by one before the item
        // can be found by its key; then the remaining fields, deepest first.
        IEnumerable<string> droppedPaths = previouslyApplied.Where(p => !applied.ContainsKey(p))
            .OrderBy(p => p.EndsWith(FieldPaths.Separator + ".", StringComparison.Ordinal) ? 0 : 1)
            .ThenBy(p => p.EndsWith(FieldPaths.Separator + ".", StringComparison.Ordinal) ? p.Length : -p.Length);
        foreach (string dropped in droppedPaths)
        {
            bool isItemMarker = dropped.EndsWith(FieldPaths.Separator + ".", StringComparison.Ordinal);
            string target = isItemMarker ? dropped[..^2] : dropped;
            bool listItem = target[(target.LastIndexOf(FieldPaths.Separator) + 1)..].StartsWith("k:", StringComparison.Ordinal);
            if (isItemMarker && !listItem)
            {
                continue;
            }

            if (!ownedByOthers.Any(o => o == dropped || o.StartsWith(target + FieldPaths.Separator, StringComparison.Ordinal) || o == target))
            {
                FieldPaths.Remove(merged, dropped);
            }
        }

        var result = new JsonArray();
        foreach ((JsonObject entry, HashSet<string> fields) in others)
        {
            if (force)
            {
                fields.ExceptWith(taken);
            }

            if (fields.Count > 0)
            {
                entry["fieldsV1"] = ManagedFields.ToFieldsV1(fields);
                result.Add((JsonNode)entry);
            }
        }

        if (applied.Count > 0)
        {
            JsonObject entry = Entry(manager, resource.ApiVersion, now, applied.Keys);
            if (mine is not null && previouslyApplied.SetEquals(applied.Keys) && (string?)mine["apiVersion"] == resource.ApiVersion)
            {
                entry["time"] = mine["time"]?.DeepClone();
            }

            result.Add((JsonNode)entry);
        }

        return (merged, result);
    }

    private MessageDescriptor? Message(ResourceDefinition resource) => _schema.ResolveMessage(resource.ApiVersion, resource.Kind);

    private static bool Overlaps(string owned, string applied) =>
        owned == applied
        || applied.StartsWith(owned + FieldPaths.Separator, StringComparison.Ordinal)
        || owned.StartsWith(applied + FieldPaths.Separator, StringComparison.Ordinal);

    private static JsonObject Entry(string manager, string apiVersion, DateTimeOffset now, IEnumerable<string> paths) => new()
    {
        ["manager"] = manager,
        ["operation"] = "Apply",
        ["apiVersion"] = apiVersion,
        ["time"] = Timestamps.Format(now),
        ["fieldsType"] = "FieldsV1",
        ["fieldsV1"] = ManagedFields.ToFieldsV1(paths),
    };

    /// <summary>
    /// Upstream's lastAppliedManager: the manager "kubectl" (kubectl apply --server-side, kubectl diff --server-side)
    /// takes over, without conflicts, the fields a client-side apply recorded in the live object's
    /// <c>kubectl.kubernetes.io/last-applied-configuration</c> annotation — when every conflict is in that set, the
    /// apply is forced.
    /// </summary>
    private bool UpgradesClientSideApply(JsonObject live, List<(JsonObject Entry, string Path)> conflicts, string manager,
        MessageDescriptor? message, bool excludeStatus)
    {
        if (manager != "kubectl"
            || live["metadata"]?["annotations"]?["kubectl.kubernetes.io/last-applied-configuration"] is not JsonValue annotation
            || annotation.GetValueKind() != System.Text.Json.JsonValueKind.String)
        {
            return false;
        }

        JsonObject? lastApplied;
        try
        {
            lastApplied = JsonNode.Parse(annotation.GetValue<string>()) as JsonObject;
        }
        catch (System.Text.Json.JsonException)
        {
            return false;
        }

        if (lastApplied is null)
        {
            return false;
        }

        HashSet<string> allowed = [.. _paths.Leaves(lastApplied, message, excludeStatus).Keys];
        return conflicts.All(c => allowed.Contains(c.Path) || allowed.Any(a => Overlaps(a, c.Path)));
    }

    /// <summary>Upstream's apply conflict: 409 Conflict, one FieldManagerConflict cause per path.</summary>
    private static StatusException ConflictError(List<(JsonObject Entry, string Path)> conflicts)
    {
        var causes = conflicts.Select(c => new StatusCause("FieldManagerConflict", "conflict with " + PrintManager(c.Entry), FieldPaths.Display(c.Path)))
            .ToList();
        string message;
        if (conflicts.Count == 1)
        {
            message = $"Apply failed with 1 conflict: conflict with {PrintManager(conflicts[0].Entry)}: {FieldPaths.Display(conflicts[0].Path)}";
        }
        else
        {
            var lines = new List<string>();
            foreach (IGrouping<string, (JsonObject Entry, string Path)> group in conflicts.GroupBy(c => PrintManager(c.Entry)).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                lines.Add($"conflicts with {group.Key}:");
                lines.AddRange(group.Select(c => "- " + FieldPaths.Display(c.Path)));
            }

            message = $"Apply failed with {conflicts.Count.ToString(CultureInfo.InvariantCulture)} conflicts: {string.Join("\n", lines)}";
        }

        return new StatusException(409, "Conflict", message, new StatusDetails(null, null, null, causes));
    }

    /// <summary>upstream's printManager: <c>"name"</c>, plus <c> using v1</c> for Update entries.</summary>
    private static string PrintManager(JsonObject entry)
    {
        string text = $"\"{(string?)entry["manager"]}\"";
        if ((string?)entry["subresource"] is { Length: > 0 } sub)
        {
            text += $" with subresource \"{sub}\"";
        }

        if ((string?)entry["operation"] == "Update")
        {
            // The manager identity upstream compares carries no time, so its message never shows one.
            text += $" using {(string?)entry["apiVersion"]}";
        }

        return text;
    }
}
