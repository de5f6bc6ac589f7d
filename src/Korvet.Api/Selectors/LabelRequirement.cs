using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Korvet.Api.Selectors;

/// <summary>
/// One validated clause of a label selector (upstream <c>labels.Requirement</c>). Immutable; construct through
/// <see cref="Create"/>, which validates like upstream's <c>NewRequirement</c>.
/// </summary>
public sealed class LabelRequirement
{
    private readonly string[] _values;
    private readonly long _bound;

    private LabelRequirement(string key, SelectorOperator op, string[] values, long bound)
    {
        Key = key;
        Operator = op;
        _values = values;
        _bound = bound;
    }

    public string Key { get; }

    public SelectorOperator Operator { get; }

    /// <summary>The values as given (In/NotIn parsed from text are sorted and de-duplicated, like upstream).</summary>
    public IReadOnlyList<string> Values => _values;

    /// <summary>Validates and builds a requirement; throws <see cref="SelectorException"/> with upstream's
    /// aggregated field errors (paths relative to <paramref name="path"/>, "" for the root).</summary>
    public static LabelRequirement Create(string key, SelectorOperator op, IReadOnlyList<string> values, string path = "")
    {
        string prefix = path.Length == 0 ? "" : path + ".";
        List<string> errors = [];
        IReadOnlyList<string> keyErrors = LabelValidation.KeyErrors(key);
        if (keyErrors.Count > 0)
        {
            errors.Add(FieldErrorFormat.Invalid(prefix + "key", key, string.Join("; ", keyErrors)));
        }

        string valuesPath = prefix + "values";
        long bound = 0;
        switch (op)
        {
            case SelectorOperator.In or SelectorOperator.NotIn when values.Count == 0:
                errors.Add(FieldErrorFormat.Invalid(valuesPath, values, "for 'in', 'notin' operators, values set can't be empty"));
                break;
            case SelectorOperator.Equals or SelectorOperator.DoubleEquals or SelectorOperator.NotEquals when values.Count != 1:
                errors.Add(FieldErrorFormat.Invalid(valuesPath, values, "exact-match compatibility requires one single value"));
                break;
            case SelectorOperator.Exists or SelectorOperator.DoesNotExist when values.Count != 0:
                errors.Add(FieldErrorFormat.Invalid(valuesPath, values, "values set must be empty for exists and does not exist"));
                break;
            case SelectorOperator.GreaterThan or SelectorOperator.LessThan:
                if (values.Count != 1)
                {
                    errors.Add(FieldErrorFormat.Invalid(valuesPath, values, "for 'Gt', 'Lt' operators, exactly one value is required"));
                }

                for (int i = 0; i < values.Count; i++)
                {
                    if (!TryParseInt64(values[i], out bound))
                    {
                        errors.Add(FieldErrorFormat.Invalid($"{valuesPath}[{i}]", values[i], "for 'Gt', 'Lt' operators, the value must be an integer"));
                    }
                }

                break;
            case SelectorOperator.In or SelectorOperator.NotIn or SelectorOperator.Equals or SelectorOperator.DoubleEquals
                or SelectorOperator.NotEquals or SelectorOperator.Exists or SelectorOperator.DoesNotExist:
                break;
            default:
                errors.Add($"{prefix}operator: Unsupported value: \"{op}\"");
                break;
        }

        for (int i = 0; i < values.Count; i++)
        {
            IReadOnlyList<string> valueErrors = LabelValidation.ValueErrors(values[i]);
            if (valueErrors.Count > 0)
            {
                errors.Add(FieldErrorFormat.Invalid($"{valuesPath}[{i}][{key}]", values[i], string.Join("; ", valueErrors)));
            }
        }

        if (errors.Count > 0)
        {
            throw new SelectorException(FieldErrorFormat.Aggregate(errors));
        }

        return new LabelRequirement(key, op, [.. values], bound);
    }

    /// <summary>Evaluates the requirement given whether the label is present and its value.</summary>
    public bool Matches(bool present, string? value)
    {
        switch (Operator)
        {
            case SelectorOperator.In or SelectorOperator.Equals or SelectorOperator.DoubleEquals:
                return present && HasValue(value!);
            case SelectorOperator.NotIn or SelectorOperator.NotEquals:
                return !present || !HasValue(value!);
            case SelectorOperator.Exists:
                return present;
            case SelectorOperator.DoesNotExist:
                return !present;
            case SelectorOperator.GreaterThan:
                return present && TryParseInt64(value!, out long gt) && gt > _bound;
            case SelectorOperator.LessThan:
                return present && TryParseInt64(value!, out long lt) && lt < _bound;
            default:
                return false;
        }
    }

    /// <summary>Evaluates the requirement against a label map.</summary>
    public bool Matches(IReadOnlyDictionary<string, string> labels)
    {
        bool present = labels.TryGetValue(Key, out string? value);
        return Matches(present, value);
    }

    /// <summary>Evaluates the requirement against <c>metadata.labels</c> as JSON (null = no labels). A label whose
    /// JSON value is not a string counts as present with its JSON text as value.</summary>
    public bool Matches(JsonObject? labels)
    {
        if (labels is null || !labels.TryGetPropertyValue(Key, out JsonNode? node))
        {
            return Matches(false, null);
        }

        // Parsed JSON holds values as JsonElement: compare UTF-8 in place instead of allocating a string per label.
        if (node is JsonValue v && v.TryGetValue(out JsonElement element) && element.ValueKind == JsonValueKind.String
            && Operator is not (SelectorOperator.GreaterThan or SelectorOperator.LessThan))
        {
            return Matches(element);
        }

        string value = node is JsonValue sv && sv.TryGetValue(out string? s) ? s : node?.ToJsonString() ?? "";
        return Matches(true, value);
    }

    private bool Matches(JsonElement present)
    {
        bool hasValue = false;
        foreach (string v in _values)
        {
            if (present.ValueEquals(v))
            {
                hasValue = true;
                break;
            }
        }

        return Operator switch
        {
            SelectorOperator.In or SelectorOperator.Equals or SelectorOperator.DoubleEquals => hasValue,
            SelectorOperator.NotIn or SelectorOperator.NotEquals => !hasValue,
            SelectorOperator.Exists => true,
            _ => false,
        };
    }

    /// <summary>Upstream's canonical text: <c>!k</c>, <c>k</c>, <c>k=v</c>, <c>k in (a,b)</c> (values sorted).</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        if (Operator == SelectorOperator.DoesNotExist)
        {
            sb.Append('!');
        }

        sb.Append(Key);
        switch (Operator)
        {
            case SelectorOperator.Exists or SelectorOperator.DoesNotExist:
                return sb.ToString();
            case SelectorOperator.Equals: sb.Append('='); break;
            case SelectorOperator.DoubleEquals: sb.Append("=="); break;
            case SelectorOperator.NotEquals: sb.Append("!="); break;
            case SelectorOperator.GreaterThan: sb.Append('>'); break;
            case SelectorOperator.LessThan: sb.Append('<'); break;
            case SelectorOperator.In: sb.Append(" in ("); break;
            case SelectorOperator.NotIn: sb.Append(" notin ("); break;
        }

        if (_values.Length == 1)
        {
            sb.Append(_values[0]);
        }
        else
        {
            string[] sorted = [.. _values];
            Array.Sort(sorted, StringComparer.Ordinal);
            sb.AppendJoin(',', sorted);
        }

        if (Operator is SelectorOperator.In or SelectorOperator.NotIn)
        {
            sb.Append(')');
        }

        return sb.ToString();
    }

    private bool HasValue(string value)
    {
        foreach (string v in _values)
        {
            if (string.Equals(v, value, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Go <c>strconv.ParseInt(s, 10, 64)</c>: optional sign, ASCII digits only.</summary>
    private static bool TryParseInt64(string s, out long value) =>
        long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
}
