using System.Collections.Frozen;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Korvet.Api.Selectors;

/// <summary>
/// The field selector contract of one kind, mirroring upstream's two layers: which labels a request may use
/// (the conversion func: accepted labels and aliases, else 400) and how an object's value of each label is read
/// (the strategy's selectable fields; a label nobody sets reads ""). <c>metadata.name</c> is always there,
/// <c>metadata.namespace</c> unless the kind opts out (cluster-scoped kinds with their own conversion func).
/// Immutable and thread-safe.
/// </summary>
public sealed class ObjectFields
{
    private readonly FrozenDictionary<string, Func<JsonObject, string>> _extractors;
    private readonly FrozenDictionary<string, string> _accepted;
    private readonly Func<string, string> _reject;
    private readonly string[] _canonical;
    private readonly FrozenDictionary<string, int> _index;

    /// <param name="paths">Selectable labels read from the same dotted JSON path: strings verbatim, booleans
    /// "true"/"false", numbers as their JSON text; absent or null = "".</param>
    /// <param name="custom">Labels computed by code (they win over <paramref name="paths"/>); also how a label can be
    /// accepted yet unset (return "").</param>
    /// <param name="includeNamespace">Whether <c>metadata.namespace</c> is accepted.</param>
    /// <param name="aliases">Accepted spellings rewritten to a canonical label (e.g. pods' <c>spec.host</c>).</param>
    /// <param name="reject">The 400 message for an unsupported label; default: upstream's
    /// <c>field label not supported: x</c> (or the generic metadata-only text when the kind adds nothing).</param>
    public ObjectFields(
        IEnumerable<string>? paths = null,
        IReadOnlyDictionary<string, Func<JsonObject, string>>? custom = null,
        bool includeNamespace = true,
        IReadOnlyDictionary<string, string>? aliases = null,
        Func<string, string>? reject = null)
    {
        var extractors = new Dictionary<string, Func<JsonObject, string>>(StringComparer.Ordinal)
        {
            ["metadata.name"] = Path("metadata.name"),
        };
        if (includeNamespace)
        {
            extractors["metadata.namespace"] = Path("metadata.namespace");
        }

        foreach (string path in paths ?? [])
        {
            extractors[path] = Path(path);
        }

        foreach ((string field, Func<JsonObject, string> extractor) in custom ?? new Dictionary<string, Func<JsonObject, string>>())
        {
            extractors[field] = extractor;
        }

        var accepted = extractors.Keys.ToDictionary(k => k, k => k, StringComparer.Ordinal);
        foreach ((string alias, string canonical) in aliases ?? new Dictionary<string, string>())
        {
            accepted[alias] = canonical;
        }

        bool onlyDefaults = includeNamespace && accepted.Count == 2;
        _reject = reject ?? (onlyDefaults
            ? label => $"\"{label}\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\""
            : label => $"field label not supported: {label}");
        _extractors = extractors.ToFrozenDictionary(StringComparer.Ordinal);
        _accepted = accepted.ToFrozenDictionary(StringComparer.Ordinal);
        _canonical = [.. extractors.Keys.Order(StringComparer.Ordinal)];
        _index = _canonical.Select((field, i) => (field, i)).ToFrozenDictionary(p => p.field, p => p.i, StringComparer.Ordinal);
    }

    /// <summary>The canonical labels (no aliases) in a fixed order: <see cref="ValuesOf"/> answers in this order.</summary>
    public IReadOnlyList<string> CanonicalFields => _canonical;

    /// <summary>The position of a canonical label in <see cref="CanonicalFields"/>, or -1.</summary>
    public int IndexOf(string field) => _index.TryGetValue(field, out int i) ? i : -1;

    /// <summary>Every canonical label's value in <paramref name="obj"/>, in <see cref="CanonicalFields"/> order.</summary>
    public string[] ValuesOf(JsonObject obj)
    {
        string[] values = new string[_canonical.Length];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = _extractors[_canonical[i]](obj);
        }

        return values;
    }

    /// <summary>Only <c>metadata.name</c> and <c>metadata.namespace</c> (upstream's default for kinds without a
    /// conversion func: all of apps, every custom resource).</summary>
    public static ObjectFields Default { get; } = new();

    /// <summary>The labels a selector may use (aliases included).</summary>
    public IEnumerable<string> Fields => _accepted.Keys;

    public bool Supports(string field) => _accepted.ContainsKey(field);

    /// <summary>Checks every label and rewrites aliases to canonical labels; call once per request.</summary>
    /// <exception cref="SelectorException">an unsupported label (400).</exception>
    public FieldSelector Resolve(FieldSelector selector)
    {
        bool rewritten = false;
        foreach (FieldRequirement r in selector.Requirements)
        {
            if (!_accepted.TryGetValue(r.Field, out string? canonical))
            {
                throw new SelectorException(_reject(r.Field));
            }

            rewritten |= canonical != r.Field;
        }

        return rewritten
            ? FieldSelector.FromRequirements(selector.Requirements.Select(r => r with { Field = _accepted[r.Field] }))
            : selector;
    }

    /// <summary>The value of a canonical label in <paramref name="obj"/>; "" when absent or not selectable.</summary>
    public string GetValue(JsonObject obj, string field) =>
        _extractors.TryGetValue(field, out Func<JsonObject, string>? extractor) ? extractor(obj) : "";

    /// <summary>Evaluates a <see cref="Resolve"/>d selector against <paramref name="obj"/>.</summary>
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

    /// <summary>An extractor for a dotted JSON path, with the text an absent value reads as.</summary>
    public static Func<JsonObject, string> Path(string dottedPath, string whenAbsent = "")
    {
        string[] segments = dottedPath.Split('.');
        return obj =>
        {
            JsonNode? node = obj;
            foreach (string segment in segments)
            {
                node = (node as JsonObject)?[segment];
                if (node is null)
                {
                    return whenAbsent;
                }
            }

            return node is JsonValue value ? ScalarText(value) : whenAbsent;
        };
    }

    private static string ScalarText(JsonValue value) => value.GetValueKind() switch
    {
        JsonValueKind.String => value.GetValue<string>(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.Number => value.ToJsonString(),
        _ => "",
    };
}
