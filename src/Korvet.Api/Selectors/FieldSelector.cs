using System.Text;

namespace Korvet.Api.Selectors;

/// <summary>Operators of a field selector term.</summary>
public enum FieldOperator
{
    /// <summary><c>field=value</c>.</summary>
    Equals,
    /// <summary><c>field==value</c> (same meaning as <c>=</c>).</summary>
    DoubleEquals,
    /// <summary><c>field!=value</c>.</summary>
    NotEquals,
}

/// <summary>One term of a field selector; <see cref="Value"/> is unescaped.</summary>
public sealed record FieldRequirement(string Field, FieldOperator Operator, string Value)
{
    /// <summary>Evaluates the term given the object's value of <see cref="Field"/> ("" when absent, like upstream).</summary>
    public bool Matches(string fieldValue) =>
        Operator == FieldOperator.NotEquals ? fieldValue != Value : fieldValue == Value;

    /// <summary>Upstream's text: <c>field=value</c> or <c>field!=value</c>, value escaped.</summary>
    public override string ToString() =>
        Field + (Operator == FieldOperator.NotEquals ? "!=" : "=") + FieldSelector.EscapeValue(Value);
}

/// <summary>
/// A parsed field selector (upstream <c>fields.ParseSelector</c>): comma-separated terms ANDed together; values may
/// escape <c>\,</c> <c>\=</c> <c>\\</c>. Immutable and thread-safe. Which fields exist is up to the caller
/// (<see cref="ObjectFields"/>).
/// </summary>
public sealed class FieldSelector
{
    private readonly FieldRequirement[] _requirements;

    private FieldSelector(FieldRequirement[] requirements)
    {
        _requirements = requirements;
    }

    /// <summary>Matches every object.</summary>
    public static FieldSelector Everything { get; } = new([]);

    /// <summary>Terms sorted by their canonical text.</summary>
    public IReadOnlyList<FieldRequirement> Requirements => _requirements;

    public bool IsEverything => _requirements.Length == 0;

    /// <summary>Parses the query-parameter syntax (<c>fieldSelector=</c>); null or empty = everything.</summary>
    /// <exception cref="SelectorException">a term has no operator or a value has a bad escape.</exception>
    public static FieldSelector Parse(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return Everything;
        }

        List<string> terms = SplitTerms(text);
        var requirements = new List<FieldRequirement>(terms.Count);
        foreach (string term in terms)
        {
            if (term.Length == 0)
            {
                continue;
            }

            if (!TrySplitTerm(term, out string field, out FieldOperator op, out string rawValue))
            {
                throw new SelectorException($"invalid selector: '{text}'; can't understand '{term}'");
            }

            requirements.Add(new FieldRequirement(field, op, UnescapeValue(rawValue)));
        }

        // Upstream sorts the raw terms; sorting the canonical text instead gives the same order for ordinary
        // selectors and keeps Parse(s.ToString()) stable for odd ones ("==" vs "=", escapes).
        return FromRequirements(requirements);
    }

    /// <summary>A selector from terms (sorted by their text, like parsing).</summary>
    public static FieldSelector FromRequirements(IEnumerable<FieldRequirement> requirements)
    {
        FieldRequirement[] sorted = [.. requirements.OrderBy(r => r.ToString(), StringComparer.Ordinal)];
        return sorted.Length == 0 ? Everything : new FieldSelector(sorted);
    }

    /// <summary>A selector with one <c>field=value</c> term.</summary>
    public static FieldSelector OneTermEquals(string field, string value) => new([new FieldRequirement(field, FieldOperator.Equals, value)]);

    /// <summary>Evaluates all terms; <paramref name="getField"/> returns a field's value ("" when absent).</summary>
    public bool Matches(Func<string, string> getField)
    {
        foreach (FieldRequirement r in _requirements)
        {
            if (!r.Matches(getField(r.Field)))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Allocation-free variant of <see cref="Matches(Func{string, string})"/> for a static extractor.</summary>
    public bool Matches<TState>(TState state, Func<TState, string, string> getField)
    {
        foreach (FieldRequirement r in _requirements)
        {
            if (!r.Matches(getField(state, r.Field)))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>If a term pins <paramref name="field"/> with <c>=</c>/<c>==</c>, returns its value (e.g. to turn
    /// <c>metadata.name=x</c> into a single-key read).</summary>
    public bool TryGetExactValue(string field, out string value)
    {
        foreach (FieldRequirement r in _requirements)
        {
            if (r.Field == field && r.Operator != FieldOperator.NotEquals)
            {
                value = r.Value;
                return true;
            }
        }

        value = "";
        return false;
    }

    /// <summary>Upstream's text: terms joined by ",".</summary>
    public override string ToString() => string.Join(",", _requirements.Select(r => r.ToString()));

    /// <summary>Escapes <c>\</c>, <c>,</c> and <c>=</c> for use in a selector value.</summary>
    public static string EscapeValue(string value)
    {
        if (value.AsSpan().IndexOfAny('\\', ',', '=') < 0)
        {
            return value;
        }

        var sb = new StringBuilder(value.Length + 4);
        foreach (char c in value)
        {
            if (c is '\\' or ',' or '=')
            {
                sb.Append('\\');
            }

            sb.Append(c);
        }

        return sb.ToString();
    }

    /// <summary>Reverses <see cref="EscapeValue"/>; an unescaped <c>,</c>/<c>=</c> or another escape is an error.</summary>
    /// <exception cref="SelectorException">upstream's "invalid field selector: ..." messages.</exception>
    public static string UnescapeValue(string value)
    {
        if (value.AsSpan().IndexOfAny('\\', ',', '=') < 0)
        {
            return value;
        }

        var sb = new StringBuilder(value.Length);
        bool inSlash = false;
        foreach (char c in value)
        {
            if (inSlash)
            {
                if (c is not ('\\' or ',' or '='))
                {
                    throw new SelectorException($"invalid field selector: invalid escape sequence: \\{c}");
                }

                sb.Append(c);
                inSlash = false;
                continue;
            }

            switch (c)
            {
                case '\\':
                    inSlash = true;
                    break;
                case ',' or '=':
                    // Upstream prints the rune with %v, i.e. as its code point number.
                    throw new SelectorException($"invalid field selector: unescaped character in value: {(int)c}");
                default:
                    sb.Append(c);
                    break;
            }
        }

        if (inSlash)
        {
            throw new SelectorException("invalid field selector: invalid escape sequence: \\");
        }

        return sb.ToString();
    }

    /// <summary>Splits on commas that are not escaped by a backslash.</summary>
    private static List<string> SplitTerms(string text)
    {
        var terms = new List<string>(1);
        int start = 0;
        bool inSlash = false;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (inSlash)
            {
                inSlash = false;
            }
            else if (c == '\\')
            {
                inSlash = true;
            }
            else if (c == ',')
            {
                terms.Add(text[start..i]);
                start = i + 1;
            }
        }

        terms.Add(text[start..]);
        return terms;
    }

    /// <summary>The first position holding "!=", "==" or "=" (tried in that order) splits the term.</summary>
    private static bool TrySplitTerm(string term, out string field, out FieldOperator op, out string value)
    {
        for (int i = 0; i < term.Length; i++)
        {
            if (term[i] == '!' && i + 1 < term.Length && term[i + 1] == '=')
            {
                (field, op, value) = (term[..i], FieldOperator.NotEquals, term[(i + 2)..]);
                return true;
            }

            if (term[i] == '=')
            {
                bool isDouble = i + 1 < term.Length && term[i + 1] == '=';
                (field, op, value) = (term[..i], isDouble ? FieldOperator.DoubleEquals : FieldOperator.Equals, term[(i + (isDouble ? 2 : 1))..]);
                return true;
            }
        }

        (field, op, value) = ("", FieldOperator.Equals, "");
        return false;
    }
}
