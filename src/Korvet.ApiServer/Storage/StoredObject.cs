using System.Text.Json;

namespace Korvet.ApiServer.Storage;

/// <summary>
/// One object as read from storage: the stored bytes (without resourceVersion) and its mod revision. The response
/// bytes (stored bytes with <c>metadata.resourceVersion</c> spliced in) and a read-only parsed view are computed once,
/// on first use, and then shared by every reader; instances are immutable apart from those caches and safe to share
/// across threads.
/// </summary>
public sealed class StoredObject
{
    private byte[]? _json;
    private JsonDocument? _document;

    public StoredObject(string key, byte[] value, long resourceVersion)
    {
        Key = key;
        Value = value;
        ResourceVersion = resourceVersion;
    }

    public string Key { get; }

    /// <summary>The bytes as stored: JSON without metadata.resourceVersion.</summary>
    public byte[] Value { get; }

    public long ResourceVersion { get; }

    /// <summary>The object as clients see it (resourceVersion set). Computed once; racing first readers compute equal bytes.</summary>
    public byte[] Json => _json ??= ObjectBytes.WithResourceVersion(Value, ResourceVersion);

    /// <summary>A read-only parsed view of <see cref="Json"/> (JsonElement reads are thread-safe).</summary>
    public JsonElement Root
    {
        get
        {
            JsonDocument? doc = Volatile.Read(ref _document);
            if (doc is null)
            {
                doc = JsonDocument.Parse(Json);
                JsonDocument? prior = Interlocked.CompareExchange(ref _document, doc, null);
                if (prior is not null)
                {
                    doc.Dispose();
                    doc = prior;
                }
            }

            return doc.RootElement;
        }
    }

    /// <summary>metadata.name, read from the key (the last segment).</summary>
    public string Name => Key[(Key.LastIndexOf('/') + 1)..];
}
