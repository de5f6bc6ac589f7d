using System.Collections.Frozen;
using System.Text.Json;
using System.Text.Json.Nodes;
using Korvet.Api.Selectors;
using Korvet.Api.Serialization;

namespace Korvet.ApiServer.Storage;

/// <summary>
/// What label and field selectors read of one object: its labels and the values of its kind's selectable fields,
/// extracted once so that filtering lists and watch events never parses the object again. Immutable.
/// </summary>
public sealed class SelectableView
{
    private static readonly IReadOnlyDictionary<string, string> NoLabels = FrozenDictionary<string, string>.Empty;
    private readonly string[] _fieldValues;

    private SelectableView(ObjectFields contract, IReadOnlyDictionary<string, string> labels, string[] fieldValues)
    {
        Contract = contract;
        Labels = labels;
        _fieldValues = fieldValues;
    }

    /// <summary>The field selector contract the field values were read with.</summary>
    public ObjectFields Contract { get; }

    /// <summary>metadata.labels (non-string values as their JSON text).</summary>
    public IReadOnlyDictionary<string, string> Labels { get; }

    /// <summary>The value of a canonical field label of <see cref="Contract"/>; "" when unset or not selectable.</summary>
    public string Field(string canonical) => Contract.IndexOf(canonical) is var i and >= 0 ? _fieldValues[i] : "";

    /// <summary>
    /// Reads the view from a parsed object (the document may be disposed afterwards: nothing refers to it). Strings
    /// go through <paramref name="strings"/>, so the many objects with equal labels and field values share them.
    /// </summary>
    public static SelectableView Extract(JsonElement root, ObjectFields contract, StringPool strings)
    {
        IReadOnlyDictionary<string, string> labels = NoLabels;
        if (root.TryGetProperty("metadata", out JsonElement meta) && meta.ValueKind == JsonValueKind.Object
            && meta.TryGetProperty("labels", out JsonElement map) && map.ValueKind == JsonValueKind.Object)
        {
            var read = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (JsonProperty p in map.EnumerateObject())
            {
                read[strings.Get(p.Name)] = strings.Get(p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText());
            }

            if (read.Count > 0)
            {
                labels = read;
            }
        }

        string[] values = contract.ValuesOf(JsonObject.Create(root)!);
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = strings.Get(values[i]);
        }

        return new SelectableView(contract, labels, values);
    }
}
