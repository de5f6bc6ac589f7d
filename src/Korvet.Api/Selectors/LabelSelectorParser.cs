namespace Korvet.Api.Selectors;

/// <summary>
/// Parser for the label selector text syntax, following upstream's lexer and recursive-descent grammar (and its
/// error messages) so that the same inputs are accepted and rejected:
/// <code>
/// selector    := requirement ( ',' requirement )*
/// requirement := ['!'] KEY | KEY op VALUE | KEY ('in'|'notin') '(' VALUE (',' VALUE)* ')'
/// op          := '=' | '==' | '!=' | '&gt;' | '&lt;'
/// </code>
/// Whitespace (space, tab, CR, LF) separates tokens and is otherwise ignored.
/// </summary>
internal sealed class LabelSelectorParser
{
    private enum Token
    {
        EndOfString,
        ClosedPar,
        Comma,
        DoesNotExist,
        DoubleEquals,
        Equals,
        GreaterThan,
        Identifier,
        In,
        LessThan,
        NotEquals,
        NotIn,
        OpenPar,
    }

    private readonly List<(Token Token, string Literal)> _items;
    private int _position;

    private LabelSelectorParser(string text)
    {
        _items = Scan(text);
    }

    /// <summary>Parses <paramref name="text"/> into requirements sorted by key (stable, like upstream).</summary>
    public static List<LabelRequirement> Parse(string text)
    {
        var parser = new LabelSelectorParser(text);
        List<LabelRequirement> requirements = parser.ParseAll();
        // Stable insertion sort by key (upstream sorts stably; selectors have a handful of terms).
        for (int i = 1; i < requirements.Count; i++)
        {
            LabelRequirement current = requirements[i];
            int j = i - 1;
            while (j >= 0 && string.CompareOrdinal(requirements[j].Key, current.Key) > 0)
            {
                requirements[j + 1] = requirements[j];
                j--;
            }

            requirements[j + 1] = current;
        }

        return requirements;
    }

    private List<LabelRequirement> ParseAll()
    {
        var requirements = new List<LabelRequirement>();
        while (true)
        {
            (Token tok, string lit) = Lookahead(values: true);
            switch (tok)
            {
                case Token.Identifier or Token.DoesNotExist:
                    requirements.Add(ParseRequirement());
                    (Token next, string nextLit) = Consume(values: true);
                    switch (next)
                    {
                        case Token.EndOfString:
                            return requirements;
                        case Token.Comma:
                            (Token after, string afterLit) = Lookahead(values: true);
                            if (after is not (Token.Identifier or Token.DoesNotExist))
                            {
                                throw new SelectorException($"found '{afterLit}', expected: identifier after ','");
                            }

                            break;
                        default:
                            throw new SelectorException($"found '{nextLit}', expected: ',' or 'end of string'");
                    }

                    break;
                case Token.EndOfString:
                    return requirements;
                default:
                    throw new SelectorException($"found '{lit}', expected: !, identifier, or 'end of string'");
            }
        }
    }

    private LabelRequirement ParseRequirement()
    {
        (string key, SelectorOperator? op) = ParseKeyAndInferOperator();
        if (op is { } unary)
        {
            return Create(key, unary, []);
        }

        SelectorOperator binary = ParseOperator();
        List<string> values = binary is SelectorOperator.In or SelectorOperator.NotIn ? ParseValues() : ParseExactValue();
        return Create(key, binary, values);
    }

    private static LabelRequirement Create(string key, SelectorOperator op, List<string> values)
    {
        try
        {
            return LabelRequirement.Create(key, op, values);
        }
        catch (SelectorException e)
        {
            throw new SelectorException("unable to parse requirement: " + e.Message);
        }
    }

    private (string Key, SelectorOperator? Operator) ParseKeyAndInferOperator()
    {
        SelectorOperator? op = null;
        (Token tok, string literal) = Consume(values: true);
        if (tok == Token.DoesNotExist)
        {
            op = SelectorOperator.DoesNotExist;
            (tok, literal) = Consume(values: true);
        }

        if (tok != Token.Identifier)
        {
            throw new SelectorException($"found '{literal}', expected: identifier");
        }

        IReadOnlyList<string> keyErrors = LabelValidation.KeyErrors(literal);
        if (keyErrors.Count > 0)
        {
            // Upstream validates the key here with an empty field path, hence the leading ": ".
            throw new SelectorException("unable to parse requirement: " + FieldErrorFormat.Invalid("", literal, string.Join("; ", keyErrors)));
        }

        if (Lookahead(values: true).Token is Token.EndOfString or Token.Comma)
        {
            op ??= SelectorOperator.Exists;
        }

        return (literal, op);
    }

    private SelectorOperator ParseOperator()
    {
        (Token tok, string lit) = Consume(values: false);
        return tok switch
        {
            Token.In => SelectorOperator.In,
            Token.Equals => SelectorOperator.Equals,
            Token.DoubleEquals => SelectorOperator.DoubleEquals,
            Token.GreaterThan => SelectorOperator.GreaterThan,
            Token.LessThan => SelectorOperator.LessThan,
            Token.NotIn => SelectorOperator.NotIn,
            Token.NotEquals => SelectorOperator.NotEquals,
            _ => throw new SelectorException($"found '{lit}', expected: in, notin, =, ==, !=, gt, lt"),
        };
    }

    private List<string> ParseValues()
    {
        (Token tok, string lit) = Consume(values: true);
        if (tok != Token.OpenPar)
        {
            throw new SelectorException($"found '{lit}' expected: '('");
        }

        (tok, lit) = Lookahead(values: true);
        switch (tok)
        {
            case Token.Identifier or Token.Comma:
                SortedSet<string> set = ParseIdentifiersList();
                if (Consume(values: true).Token != Token.ClosedPar)
                {
                    throw new SelectorException($"found '{lit}', expected: ')'");
                }

                return [.. set];
            case Token.ClosedPar:
                Consume(values: true);
                return [""];
            default:
                throw new SelectorException($"found '{lit}', expected: ',', ')' or identifier");
        }
    }

    private SortedSet<string> ParseIdentifiersList()
    {
        var set = new SortedSet<string>(StringComparer.Ordinal);
        while (true)
        {
            (Token tok, string lit) = Consume(values: true);
            switch (tok)
            {
                case Token.Identifier:
                    set.Add(lit);
                    (Token next, string nextLit) = Lookahead(values: true);
                    switch (next)
                    {
                        case Token.Comma:
                            continue;
                        case Token.ClosedPar:
                            return set;
                        default:
                            throw new SelectorException($"found '{nextLit}', expected: ',' or ')'");
                    }

                case Token.Comma:
                    if (set.Count == 0)
                    {
                        set.Add(""); // "(," starts with an empty value
                    }

                    Token after = Lookahead(values: true).Token;
                    if (after == Token.ClosedPar)
                    {
                        set.Add(""); // ",)" ends with an empty value
                        return set;
                    }

                    if (after == Token.Comma)
                    {
                        set.Add(""); // ",," holds an empty value
                    }

                    break;
                default:
                    throw new SelectorException($"found '{lit}', expected: ',', or identifier");
            }
        }
    }

    private List<string> ParseExactValue()
    {
        if (Lookahead(values: true).Token is Token.EndOfString or Token.Comma)
        {
            return [""];
        }

        (Token tok, string lit) = Consume(values: true);
        if (tok == Token.Identifier)
        {
            return [lit];
        }

        throw new SelectorException($"found '{lit}', expected: identifier");
    }

    /// <summary>In value position the keywords <c>in</c>/<c>notin</c> are plain identifiers.</summary>
    private (Token Token, string Literal) Lookahead(bool values)
    {
        (Token tok, string lit) = _items[_position];
        return (values && tok is Token.In or Token.NotIn ? Token.Identifier : tok, lit);
    }

    private (Token Token, string Literal) Consume(bool values)
    {
        (Token, string) item = Lookahead(values);
        if (_position < _items.Count - 1)
        {
            _position++;
        }

        return item;
    }

    private static List<(Token, string)> Scan(string s)
    {
        var items = new List<(Token, string)>();
        int i = 0;
        while (true)
        {
            while (i < s.Length && IsWhitespace(s[i]))
            {
                i++;
            }

            if (i >= s.Length)
            {
                items.Add((Token.EndOfString, ""));
                return items;
            }

            char c = s[i];
            if (IsSpecial(c))
            {
                // Longest match among "!", "!=", "=", "==", "(", ")", ",", ">", "<".
                if ((c == '!' || c == '=') && i + 1 < s.Length && s[i + 1] == '=')
                {
                    items.Add((c == '!' ? Token.NotEquals : Token.DoubleEquals, s.Substring(i, 2)));
                    i += 2;
                    continue;
                }

                Token single = c switch
                {
                    '!' => Token.DoesNotExist,
                    '=' => Token.Equals,
                    '(' => Token.OpenPar,
                    ')' => Token.ClosedPar,
                    ',' => Token.Comma,
                    '>' => Token.GreaterThan,
                    _ => Token.LessThan,
                };
                items.Add((single, c.ToString()));
                i++;
                continue;
            }

            int start = i;
            while (i < s.Length && !IsSpecial(s[i]) && !IsWhitespace(s[i]))
            {
                i++;
            }

            string word = s[start..i];
            items.Add((word switch { "in" => Token.In, "notin" => Token.NotIn, _ => Token.Identifier }, word));
        }
    }

    private static bool IsWhitespace(char c) => c is ' ' or '\t' or '\r' or '\n';

    private static bool IsSpecial(char c) => c is '=' or '!' or '(' or ')' or ',' or '>' or '<';
}
