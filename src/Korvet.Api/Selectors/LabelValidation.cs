namespace Korvet.Api.Selectors;

/// <summary>
/// Label key and value syntax checks with upstream's (apimachinery v0.32) error texts. Hand-written scanners rather
/// than regular expressions because selectors are parsed on every list and watch request.
/// </summary>
public static class LabelValidation
{
    public const int NameMaxLength = 63;
    public const int PrefixMaxLength = 253;
    public const int ValueMaxLength = 63;

    private const string QualifiedNameFormat = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
    private const string QualifiedNameMessage =
        "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
    private const string NameRegexError = QualifiedNameMessage
        + " (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '" + QualifiedNameFormat + "')";
    private const string SubdomainFormat = "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
    private const string SubdomainRegexError =
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start "
        + "and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '" + SubdomainFormat + "')";
    private const string ValueRegexError =
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start "
        + "and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '("
        + QualifiedNameFormat + ")?')";

    /// <summary>True when <paramref name="key"/> is a valid label key (upstream <c>IsQualifiedName</c>).</summary>
    public static bool IsValidKey(string key)
    {
        int slash = key.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            return key.Length <= NameMaxLength && IsQualifiedNamePart(key);
        }

        int nameLength = key.Length - slash - 1;
        return slash > 0 && slash <= PrefixMaxLength && nameLength is > 0 and <= NameMaxLength
            && key.IndexOf('/', slash + 1) < 0
            && IsDnsSubdomain(key[..slash]) && IsQualifiedNamePart(key[(slash + 1)..]);
    }

    /// <summary>True when <paramref name="value"/> is a valid label value (may be empty).</summary>
    public static bool IsValidValue(string value) =>
        value.Length <= ValueMaxLength && (value.Length == 0 || IsQualifiedNamePart(value));

    /// <summary>The problems with a label key, in upstream's words; empty when valid.</summary>
    public static IReadOnlyList<string> KeyErrors(string key)
    {
        if (IsValidKey(key))
        {
            return [];
        }

        int slash = key.IndexOf('/', StringComparison.Ordinal);
        var errors = new List<string>();
        string name = key;
        if (slash >= 0)
        {
            if (key.IndexOf('/', slash + 1) >= 0)
            {
                errors.Add("a qualified name " + NameRegexError
                    + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')");
                return errors;
            }

            string prefix = key[..slash];
            name = key[(slash + 1)..];
            if (prefix.Length == 0)
            {
                errors.Add("prefix part must be non-empty");
            }
            else
            {
                if (prefix.Length > PrefixMaxLength)
                {
                    errors.Add("prefix part must be no more than 253 characters");
                }

                if (!IsDnsSubdomain(prefix))
                {
                    errors.Add("prefix part " + SubdomainRegexError);
                }
            }
        }

        if (name.Length == 0)
        {
            errors.Add("name part must be non-empty");
        }
        else if (name.Length > NameMaxLength)
        {
            errors.Add("name part must be no more than 63 characters");
        }

        if (!IsQualifiedNamePart(name))
        {
            errors.Add("name part " + NameRegexError);
        }

        return errors;
    }

    /// <summary>The problems with a label value, in upstream's words; empty when valid.</summary>
    public static IReadOnlyList<string> ValueErrors(string value)
    {
        if (IsValidValue(value))
        {
            return [];
        }

        var errors = new List<string>(2);
        if (value.Length > ValueMaxLength)
        {
            errors.Add("must be no more than 63 characters");
        }

        if (value.Length > 0 && !IsQualifiedNamePart(value))
        {
            errors.Add(ValueRegexError);
        }

        return errors;
    }

    /// <summary><c>[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?</c>, no length check.</summary>
    private static bool IsQualifiedNamePart(string s)
    {
        if (s.Length == 0 || !char.IsAsciiLetterOrDigit(s[0]) || !char.IsAsciiLetterOrDigit(s[^1]))
        {
            return false;
        }

        for (int i = 1; i < s.Length - 1; i++)
        {
            char c = s[i];
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('-' or '_' or '.'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Lowercase RFC 1123 subdomain syntax (labels of <c>[a-z0-9]([-a-z0-9]*[a-z0-9])?</c> joined by dots).</summary>
    internal static bool IsDnsSubdomain(string s)
    {
        if (s.Length == 0)
        {
            return false;
        }

        int labelStart = 0;
        for (int i = 0; i <= s.Length; i++)
        {
            if (i == s.Length || s[i] == '.')
            {
                if (i == labelStart || s[labelStart] == '-' || s[i - 1] == '-')
                {
                    return false;
                }

                labelStart = i + 1;
                continue;
            }

            char c = s[i];
            if (!char.IsAsciiLetterLower(c) && !char.IsAsciiDigit(c) && c != '-')
            {
                return false;
            }
        }

        return true;
    }
}
