using System.Text.Json.Nodes;

namespace Korvet.Api.Selectors;

/// <summary>
/// A parsed label selector: an AND of <see cref="LabelRequirement"/>s (empty = everything), or
/// <see cref="Nothing"/>. Immutable and thread-safe; parse once per request and match many objects.
/// </summary>
public sealed class LabelSelector
{
    private readonly LabelRequirement[] _requirements;
    private readonly bool _nothing;

    private LabelSelector(LabelRequirement[] requirements, bool nothing)
    {
        _requirements = requirements;
        _nothing = nothing;
    }

    /// <summary>Matches every object.</summary>
    public static LabelSelector Everything { get; } = new([], nothing: false);

    /// <summary>Matches no object (a null <c>metav1.LabelSelector</c>).</summary>
    public static LabelSelector Nothing { get; } = new([], nothing: true);

    /// <summary>Requirements sorted by key.</summary>
    public IReadOnlyList<LabelRequirement> Requirements => _requirements;

    /// <summary>True for the selector that matches everything.</summary>
    public bool IsEverything => !_nothing && _requirements.Length == 0;

    /// <summary>True for the selector that matches nothing.</summary>
    public bool IsNothing => _nothing;

    /// <summary>Parses the query-parameter syntax (<c>labelSelector=</c>); null or blank = everything.</summary>
    /// <exception cref="SelectorException">the text is malformed or a key/value is invalid.</exception>
    public static LabelSelector Parse(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return Everything;
        }

        List<LabelRequirement> requirements = LabelSelectorParser.Parse(text);
        return requirements.Count == 0 ? Everything : new LabelSelector([.. requirements], nothing: false);
    }

    /// <summary>Builds a selector from requirements (sorted by key here).</summary>
    public static LabelSelector FromRequirements(IEnumerable<LabelRequirement> requirements)
    {
        LabelRequirement[] sorted = [.. requirements.OrderBy(r => r.Key, StringComparer.Ordinal)];
        return sorted.Length == 0 ? Everything : new LabelSelector(sorted, nothing: false);
    }

    /// <summary>A selector requiring every label of <paramref name="labels"/> with its value (empty map = everything).</summary>
    /// <exception cref="SelectorException">a key or value is invalid.</exception>
    public static LabelSelector FromMatchLabels(IReadOnlyDictionary<string, string> labels) =>
        FromRequirements(labels.Select(kv => LabelRequirement.Create(kv.Key, SelectorOperator.Equals, [kv.Value])));

    /// <summary>
    /// Converts a <c>metav1.LabelSelector</c> (<c>{matchLabels, matchExpressions}</c>) like upstream's
    /// <c>LabelSelectorAsSelector</c>: null = <see cref="Nothing"/>, empty = <see cref="Everything"/>.
    /// </summary>
    /// <exception cref="SelectorException">an operator, key or value is invalid.</exception>
    public static LabelSelector FromJson(JsonNode? selector)
    {
        if (selector is null)
        {
            return Nothing;
        }

        if (selector is not JsonObject obj)
        {
            throw new SelectorException("label selector must be an object");
        }

        var requirements = new List<LabelRequirement>();
        if (obj["matchLabels"] is JsonObject matchLabels)
        {
            foreach ((string key, JsonNode? value) in matchLabels)
            {
                requirements.Add(LabelRequirement.Create(key, SelectorOperator.Equals, [StringOf(value)]));
            }
        }

        if (obj["matchExpressions"] is JsonArray expressions)
        {
            foreach (JsonNode? expression in expressions)
            {
                requirements.Add(FromExpression(expression as JsonObject
                    ?? throw new SelectorException("matchExpressions entries must be objects")));
            }
        }

        return FromRequirements(requirements);
    }

    /// <summary>Evaluates the selector against a label map.</summary>
    public bool Matches(IReadOnlyDictionary<string, string> labels)
    {
        if (_nothing)
        {
            return false;
        }

        foreach (LabelRequirement r in _requirements)
        {
            if (!r.Matches(labels))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Evaluates the selector against <c>metadata.labels</c> as JSON (null = no labels).</summary>
    public bool Matches(JsonObject? labels)
    {
        if (_nothing)
        {
            return false;
        }

        foreach (LabelRequirement r in _requirements)
        {
            if (!r.Matches(labels))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Evaluates the selector against a whole object's <c>metadata.labels</c>.</summary>
    public bool MatchesObject(JsonNode? obj) =>
        _requirements.Length == 0 ? !_nothing : Matches(obj?["metadata"]?["labels"] as JsonObject);

    /// <summary>
    /// If the selector pins <paramref name="key"/> to exactly one value (<c>=</c>, <c>==</c>, or <c>in</c> with one
    /// value), returns it; lets callers use an index instead of a scan.
    /// </summary>
    public bool TryGetExactValue(string key, out string value)
    {
        foreach (LabelRequirement r in _requirements)
        {
            if (r.Key == key && r.Operator is SelectorOperator.Equals or SelectorOperator.DoubleEquals or SelectorOperator.In
                && r.Values.Count == 1)
            {
                value = r.Values[0];
                return true;
            }
        }

        value = "";
        return false;
    }

    /// <summary>Upstream's canonical text: requirements joined by ",". <see cref="Nothing"/> prints as "".</summary>
    public override string ToString() => string.Join(",", _requirements.Select(r => r.ToString()));

    private static LabelRequirement FromExpression(JsonObject expression)
    {
        string key = StringOf(expression["key"]);
        string op = StringOf(expression["operator"]);
        SelectorOperator selectorOperator = op switch
        {
            "In" => SelectorOperator.In,
            "NotIn" => SelectorOperator.NotIn,
            "Exists" => SelectorOperator.Exists,
            "DoesNotExist" => SelectorOperator.DoesNotExist,
            _ => throw new SelectorException($"{FieldErrorFormat.Quote(op)} is not a valid label selector operator"),
        };
        var values = new List<string>();
        if (expression["values"] is JsonArray array)
        {
            foreach (JsonNode? v in array)
            {
                values.Add(StringOf(v));
            }
        }

        return LabelRequirement.Create(key, selectorOperator, values);
    }

    private static string StringOf(JsonNode? node) =>
        node is null ? "" : node is JsonValue v && v.TryGetValue(out string? s) ? s
            : throw new SelectorException($"label selector expects strings, got {node.ToJsonString()}");
}
