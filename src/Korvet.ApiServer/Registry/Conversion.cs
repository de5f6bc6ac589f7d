using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Korvet.ApiServer.Storage;

namespace Korvet.ApiServer.Registry;

/// <summary>
/// Converts objects between a served group-version (<see cref="Served"/>) and the group-version they are stored as
/// (<see cref="Storage"/>), at the HTTP edge: request bodies in, objects, lists, write results and watch events out.
/// Implementations are pure functions of their input (never mutating it) and thread-safe.
/// </summary>
public abstract class Conversion
{
    /// <summary>How serialized JSON embedded in annotations is written (no HTML escaping, like a plain encoder).</summary>
    protected static readonly JsonSerializerOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly Func<StoredObject, StoredObject> _convertStored;

    protected Conversion(ResourceDefinition storage, ResourceDefinition served)
    {
        Storage = storage;
        Served = served;
        _convertStored = s => new StoredObject(s.Key, ToServed(s.Value), s.ResourceVersion);
    }

    public ResourceDefinition Storage { get; }

    public ResourceDefinition Served { get; }

    /// <summary>An object in the served form → the stored form (apiVersion/kind the stored ones).</summary>
    public abstract JsonObject ToStorage(JsonObject served);

    /// <summary>An object in the stored form → the served form (apiVersion/kind the served ones).</summary>
    public abstract JsonObject ToServed(JsonObject stored);

    /// <summary>
    /// A JSON, merge or strategic merge patch converted to apply to the stored form, or null when this conversion cannot
    /// convert patches (its mapping is structural, not a rename): the store then applies the patch to the served form
    /// of the live object and converts the result back (<see cref="GenericStore.PatchAsync"/>). Server-side apply
    /// never comes here: it always merges in the served form (<see cref="GenericStore.ApplyAsync"/>).
    /// </summary>
    public virtual byte[]? PatchToStorage(string patchType, byte[] patch) => null;

    /// <summary>A stored object (JSON) → the served form; Status bodies and non-objects pass through.</summary>
    public byte[] ToServed(byte[] storedJson)
    {
        if (storedJson.AsSpan().StartsWith("{\"kind\":\"Status\""u8) || JsonNode.Parse(storedJson) is not JsonObject obj)
        {
            return storedJson;
        }

        return Korvet.Api.Serialization.ApiJson.SerializeToUtf8Bytes(ToServed(obj), JavaScriptEncoder.UnsafeRelaxedJsonEscaping);
    }

    /// <summary>A stored object in the served form, keeping its key and revision. Converted once per object (the
    /// result is memoized on the shared <see cref="StoredObject"/>, so watchers of one event share it).</summary>
    public StoredObject ToServed(StoredObject stored) => stored.Converted(this, _convertStored);

    public ListPage ToServed(ListPage page) => page with { Items = page.Items.Select(ToServed).ToList() };

    public WriteResult ToServed(WriteResult result) => result with { Body = ToServed(result.Body) };

    /// <summary>A new object with <paramref name="target"/>'s kind and apiVersion first.</summary>
    protected static JsonObject Typed(ResourceDefinition target) => new()
    {
        ["kind"] = target.Kind,
        ["apiVersion"] = target.ApiVersion,
    };
}
