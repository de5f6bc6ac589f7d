using System.Text.Json;
using Korvet.Api.Selectors;
using Korvet.Api.Serialization;

namespace Korvet.ApiServer.Storage;

/// <summary>
/// One object as read from storage, held as the bytes clients see (<see cref="Json"/>: the stored JSON with
/// <c>metadata.resourceVersion</c> spliced in) and its mod revision. The stored form (<see cref="Value"/>) is derived
/// on demand by cutting the splice out again, so a cached object costs one byte array. What selectors read (labels and
/// the kind's selectable fields) is extracted once, on first use, into a small <see cref="SelectableView"/>; nothing
/// else is kept parsed; nor is the one served-version form a conversion made of it (<see cref="Converted"/>). Instances
/// are immutable apart from those caches and safe to share across threads.
/// </summary>
public sealed class StoredObject
{
    private readonly int _spliceAt;
    private readonly int _spliceLength;
    private SelectableView? _selectable;
    private ConvertedForm? _converted;

    public StoredObject(string key, byte[] value, long resourceVersion)
    {
        Key = key;
        ResourceVersion = resourceVersion;
        (Json, _spliceAt, _spliceLength) = ObjectBytes.SpliceResourceVersion(value, resourceVersion);
    }

    public string Key { get; }

    /// <summary>The object as clients see it (resourceVersion set).</summary>
    public byte[] Json { get; }

    /// <summary>The bytes as stored: JSON without metadata.resourceVersion (a fresh copy per call).</summary>
    public byte[] Value
    {
        get
        {
            if (_spliceLength == 0)
            {
                return Json;
            }

            byte[] stored = new byte[Json.Length - _spliceLength];
            Json.AsSpan(0, _spliceAt).CopyTo(stored);
            Json.AsSpan(_spliceAt + _spliceLength).CopyTo(stored.AsSpan(_spliceAt));
            return stored;
        }
    }

    public long ResourceVersion { get; }

    /// <summary>metadata.name, read from the key (the last segment).</summary>
    public string Name => Key[(Key.LastIndexOf('/') + 1)..];

    /// <summary>A parsed view of <see cref="Json"/>; the caller owns (and disposes) it. Parsing is not cached.</summary>
    public JsonDocument Parse() => JsonDocument.Parse(Json);

    /// <summary>
    /// The labels and selectable field values of this object under <paramref name="contract"/> (its kind's field
    /// selector contract), extracted on first use (strings through <paramref name="strings"/>) and kept. Racing first
    /// callers compute equal views.
    /// </summary>
    public SelectableView Selectable(ObjectFields contract, StringPool strings)
    {
        SelectableView? view = Volatile.Read(ref _selectable);
        if (view is null || !ReferenceEquals(view.Contract, contract))
        {
            using JsonDocument doc = Parse();
            view = SelectableView.Extract(doc.RootElement, contract, strings);
            Volatile.Write(ref _selectable, view);
        }

        return view;
    }

    /// <summary>
    /// This object as <paramref name="owner"/> (a version conversion) converts it, computed on first use and kept, so
    /// a watch cache event is converted once per served version however many watchers send it. One slot: an object
    /// converted by another owner replaces the kept form. Racing first callers compute equal forms.
    /// </summary>
    public StoredObject Converted(object owner, Func<StoredObject, StoredObject> convert)
    {
        ConvertedForm? kept = Volatile.Read(ref _converted);
        if (kept is not null && ReferenceEquals(kept.Owner, owner))
        {
            return kept.Form;
        }

        StoredObject form = convert(this);
        Volatile.Write(ref _converted, new ConvertedForm(owner, form));
        return form;
    }

    private sealed record ConvertedForm(object Owner, StoredObject Form);
}
