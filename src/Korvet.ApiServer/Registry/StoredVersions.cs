using System.Text.Json;
using System.Text.Json.Nodes;
using Korvet.ApiServer.Storage;

namespace Korvet.ApiServer.Registry;

/// <summary>
/// Resources served at one group-version but stored as another's objects (upstream's cohabiting resources): the
/// handlers talk to the store with <see cref="Storage"/> and convert bodies in and objects out at the HTTP edge, so
/// both group-versions read and write the same objects and share one watch cache. Today:
/// events.k8s.io/v1 Event ⇄ core/v1 Event. Every such conversion is a rename of top-level fields, which is what lets
/// patches be converted too (their top-level keys, or a JSON patch's first path segment). Immutable; thread-safe.
/// </summary>
public sealed class StoredVersions
{
    private readonly Dictionary<(string Group, string Version, string Plural), Conversion> _conversions = [];

    public StoredVersions(ResourceRegistry registry)
    {
        if (registry.Find("events.k8s.io", "v1", "events") is { } events && registry.Find("", "v1", "events") is { } core)
        {
            _conversions[("events.k8s.io", "v1", "events")] = new Conversion(core, events, EventFields);
        }
    }

    /// <summary>events.k8s.io/v1 name → core/v1 name (upstream's pkg/apis/events/v1 conversion).</summary>
    private static readonly IReadOnlyList<(string Served, string Stored)> EventFields =
    [
        ("regarding", "involvedObject"),
        ("note", "message"),
        ("reportingController", "reportingComponent"),
        ("deprecatedSource", "source"),
        ("deprecatedFirstTimestamp", "firstTimestamp"),
        ("deprecatedLastTimestamp", "lastTimestamp"),
        ("deprecatedCount", "count"),
    ];

    /// <summary>The conversion for a served resource, or null when it is stored as itself.</summary>
    public Conversion? For(ResourceDefinition served) =>
        _conversions.GetValueOrDefault((served.Group, served.Version, served.Plural));
}

/// <summary>Converts between a served group-version (<see cref="Served"/>) and the stored one (<see cref="Storage"/>)
/// by renaming top-level fields. Thread-safe.</summary>
public sealed class Conversion
{
    private readonly Dictionary<string, string> _toStored;
    private readonly Dictionary<string, string> _toServed;

    public Conversion(ResourceDefinition storage, ResourceDefinition served, IReadOnlyList<(string Served, string Stored)> fields)
    {
        Storage = storage;
        Served = served;
        _toStored = fields.ToDictionary(f => f.Served, f => f.Stored);
        _toServed = fields.ToDictionary(f => f.Stored, f => f.Served);
    }

    public ResourceDefinition Storage { get; }

    public ResourceDefinition Served { get; }

    /// <summary>A request body in the served form → the stored form (apiVersion/kind included).</summary>
    public JsonObject ToStorage(JsonObject served) => Rename(served, _toStored, Storage);

    /// <summary>A stored object (JSON) → the served form; Status bodies pass through.</summary>
    public byte[] ToServed(byte[] storedJson)
    {
        if (storedJson.AsSpan().StartsWith("{\"kind\":\"Status\""u8) || JsonNode.Parse(storedJson) is not JsonObject obj)
        {
            return storedJson;
        }

        return Korvet.Api.Serialization.ApiJson.SerializeToUtf8Bytes(Rename(obj, _toServed, Served));
    }

    /// <summary>A stored object in the served form, keeping its key and revision.</summary>
    public StoredObject ToServed(StoredObject stored) => new(stored.Key, ToServed(stored.Value), stored.ResourceVersion);

    public ListPage ToServed(ListPage page) => page with { Items = page.Items.Select(ToServed).ToList() };

    public WriteResult ToServed(WriteResult result) => result with { Body = ToServed(result.Body) };

    /// <summary>
    /// A JSON merge, strategic merge or apply patch (top-level keys renamed; apiVersion/kind set to the stored ones
    /// when present) or a JSON patch (the first segment of each path and from) → the stored form. Malformed patches
    /// pass unchanged for the patcher to report.
    /// </summary>
    public byte[] PatchToStorage(string patchType, byte[] patch)
    {
        JsonNode? node;
        try
        {
            node = patchType == "application/apply-patch+yaml"
                ? Korvet.Api.Serialization.YamlReader.ParseDocument(patch)
                : JsonNode.Parse(patch);
        }
        catch (Exception e) when (e is JsonException or Korvet.Api.Serialization.ApiCodecException)
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
