using System.Collections.Frozen;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Korvet.Api.Selectors;

/// <summary>
/// The selectable fields of one kind and how to read them from an object as JSON. <c>metadata.name</c> and
/// <c>metadata.namespace</c> are always present; a kind adds its own (e.g. pods' <c>spec.nodeName</c>,
/// <c>status.phase</c>) as dotted JSON paths or custom extractors. Immutable and thread-safe once built.
/// </summary>
public sealed class ObjectFields
{
    private readonly FrozenDictionary<string, Func<JsonObject, string>> _extractors;
    private readonly bool _onlyDefaults;

    /// <param name="paths">Dotted JSON paths read as is: strings verbatim, booleans "true"/"false", numbers as
    /// their JSON text; absent or null = "".</param>
    /// <param name="custom">Fields computed by code (they win over <paramref name="paths"/>).</param>
    public ObjectFields(IEnumerable<string>? paths = null, IReadOnlyDictionary<string, Func<JsonObject, string>>? custom = null)
    {
        var extractors = new Dictionary<string, Func<JsonObject, string>>(StringComparer.Ordinal)
        {
            ["metadata.name"] = PathExtractor(["metadata", "name"]),
            ["metadata.namespace"] = PathExtractor(["metadata", "namespace"]),
        };
        foreach (string path in paths ?? [])
        {
            extractors[path] = PathExtractor(path.Split('.'));
        }

        foreach ((string field, Func<JsonObject, string> extractor) in custom ?? new Dictionary<string, Func<JsonObject, string>>())
        {
            extractors[field] = extractor;
        }

        _onlyDefaults = extractors.Count == 2;
        _extractors = extractors.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>Only <c>metadata.name</c> and <c>metadata.namespace</c>.</summary>
    public static ObjectFields Default { get; } = new();

    public IEnumerable<string> Fields => _extractors.Keys;

    public bool Supports(string field) => _extractors.ContainsKey(field);

    /// <summary>Rejects selectors naming fields this kind does not have, with upstream's message.</summary>
    /// <exception cref="SelectorException">an unsupported field.</exception>
    public void Validate(FieldSelector selector)
    {
        foreach (FieldRequirement r in selector.Requirements)
        {
            if (!_extractors.ContainsKey(r.Field))
            {
                throw new SelectorException(_onlyDefaults
                    ? $"\"{r.Field}\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\""
                    : $"field label not supported: {r.Field}");
            }
        }
    }

    /// <summary>The value of <paramref name="field"/> in <paramref name="obj"/>; "" when absent or unknown.</summary>
    public string GetValue(JsonObject obj, string field) =>
        _extractors.TryGetValue(field, out Func<JsonObject, string>? extractor) ? extractor(obj) : "";

    /// <summary>Evaluates <paramref name="selector"/> against <paramref name="obj"/> (call <see cref="Validate"/> once first).</summary>
    public bool Matches(FieldSelector selector, JsonObject obj)
    {
        foreach (FieldRequirement r in selector.Requirements)
        {
            if (!r.Matches(GetValue(obj, r.Field)))
            {
                return false;
            }
        }

        return true;
    }

    private static Func<JsonObject, string> PathExtractor(string[] segments) => obj =>
    {
        JsonNode? node = obj;
        foreach (string segment in segments)
        {
            node = (node as JsonObject)?[segment];
            if (node is null)
            {
                return "";
            }
        }

        return node is JsonValue value ? ScalarText(value) : "";
    };

    private static string ScalarText(JsonValue value) => value.GetValueKind() switch
    {
        JsonValueKind.String => value.GetValue<string>(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.Number => value.ToJsonString(),
        _ => value.ToString() ?? "",
    };
}
