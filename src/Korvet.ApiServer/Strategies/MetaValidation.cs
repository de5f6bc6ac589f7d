using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Korvet.ApiServer.Errors;
using Korvet.ApiServer.Storage;

namespace Korvet.ApiServer.Strategies;

/// <summary>
/// Upstream's metadata and common field validation (ValidateObjectMeta's labels/annotations, IsQualifiedName,
/// IsValidLabelValue, IsDNS1123Label, IsConfigMapKey, IsValidPortName, port ranges) with its exact messages.
/// </summary>
internal static partial class MetaValidation
{
    public const int TotalAnnotationSizeLimit = 256 * 1024;

    private const string QualifiedNameMessage =
        "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

    private const string LabelValueMessage =
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

    private const string ConfigKeyMessage =
        "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";

    public const string Dns1123LabelMessage =
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

    [GeneratedRegex("^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")]
    private static partial Regex QualifiedNamePart();

    [GeneratedRegex("^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")]
    private static partial Regex LabelValue();

    [GeneratedRegex("^[-._a-zA-Z0-9]+$")]
    private static partial Regex ConfigKey();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex Dns1123Label();

    [GeneratedRegex("^[-a-z0-9]+$")]
    private static partial Regex PortNameChars();

    /// <summary>Labels and annotations of an object's or a template's metadata found at <paramref name="path"/>.</summary>
    public static void ValidateMeta(JsonObject? meta, string path, List<StatusCause> causes)
    {
        if (meta?["labels"] is JsonObject labels)
        {
            ValidateLabels(labels, path + ".labels", causes);
        }

        if (meta?["annotations"] is JsonObject annotations)
        {
            long total = 0;
            foreach (KeyValuePair<string, JsonNode?> pair in annotations)
            {
                foreach (string msg in QualifiedName(pair.Key.ToLowerInvariant()))
                {
                    causes.Add(FieldErrors.Invalid(path + ".annotations", pair.Key, msg));
                }

                total += Encoding.UTF8.GetByteCount(pair.Key) + Encoding.UTF8.GetByteCount(JsonFields.Str(annotations, pair.Key));
            }

            if (total > TotalAnnotationSizeLimit)
            {
                causes.Add(FieldErrors.TooLong(path + ".annotations", TotalAnnotationSizeLimit));
            }
        }
    }

    public static void ValidateLabels(JsonObject labels, string path, List<StatusCause> causes)
    {
        foreach (KeyValuePair<string, JsonNode?> pair in labels)
        {
            foreach (string msg in QualifiedName(pair.Key))
            {
                causes.Add(FieldErrors.Invalid(path, pair.Key, msg));
            }

            string value = JsonFields.Str(labels, pair.Key);
            foreach (string msg in LabelValueErrors(value))
            {
                causes.Add(FieldErrors.Invalid(path, value, msg));
            }
        }
    }

    /// <summary>IsQualifiedName: an optional DNS-subdomain prefix and '/', then a name part of at most 63 characters.</summary>
    public static List<string> QualifiedName(string value)
    {
        var errors = new List<string>();
        string[] parts = value.Split('/');
        string name;
        if (parts.Length == 1)
        {
            name = parts[0];
        }
        else if (parts.Length == 2)
        {
            string prefix = parts[0];
            name = parts[1];
            if (prefix.Length == 0)
            {
                errors.Add("prefix part must be non-empty");
            }
            else
            {
                foreach (StatusCause c in NameValidation.Validate(prefix, NameRule.Dns1123Subdomain))
                {
                    string m = c.Message;
                    errors.Add("prefix part " + m[(m.IndexOf("\": ", "Invalid value: ".Length, StringComparison.Ordinal) + 3)..]);
                }
            }
        }
        else
        {
            errors.Add("a qualified name " + QualifiedNameMessage);
            return errors;
        }

        if (name.Length == 0)
        {
            errors.Add("name part must be non-empty");
        }
        else if (name.Length > 63)
        {
            errors.Add("name part must be no more than 63 characters");
        }

        if (name.Length > 0 && !QualifiedNamePart().IsMatch(name))
        {
            errors.Add("name part " + QualifiedNameMessage);
        }

        return errors;
    }

    public static List<string> LabelValueErrors(string value)
    {
        var errors = new List<string>();
        if (value.Length > 63)
        {
            errors.Add("must be no more than 63 characters");
        }

        if (!LabelValue().IsMatch(value))
        {
            errors.Add(LabelValueMessage);
        }

        return errors;
    }

    public static List<string> Dns1123LabelErrors(string value)
    {
        var errors = new List<string>();
        if (value.Length > 63)
        {
            errors.Add("must be no more than 63 characters");
        }

        if (!Dns1123Label().IsMatch(value))
        {
            errors.Add(Dns1123LabelMessage);
        }

        return errors;
    }

    public static List<string> ConfigMapKeyErrors(string key)
    {
        var errors = new List<string>();
        if (key.Length > 253)
        {
            errors.Add("must be no more than 253 characters");
        }

        if (!ConfigKey().IsMatch(key))
        {
            errors.Add(ConfigKeyMessage);
        }

        if (key == ".")
        {
            errors.Add("must not be '.'");
        }
        else if (key == "..")
        {
            errors.Add("must not be '..'");
        }
        else if (key.StartsWith("..", StringComparison.Ordinal))
        {
            errors.Add("must not start with '..'");
        }

        return errors;
    }

    /// <summary>IsValidPortName (IANA_SVC_NAME).</summary>
    public static List<string> PortNameErrors(string name)
    {
        var errors = new List<string>();
        if (name.Length > 15)
        {
            errors.Add("must be no more than 15 characters");
        }

        if (!PortNameChars().IsMatch(name))
        {
            errors.Add("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
        }

        if (!name.Any(char.IsAsciiLetterLower))
        {
            errors.Add("must contain at least one letter (a-z)");
        }

        if (name.Contains("--", StringComparison.Ordinal))
        {
            errors.Add("must not contain consecutive hyphens");
        }

        if (name.Length > 0 && (name[0] == '-' || name[^1] == '-'))
        {
            errors.Add("must not begin or end with a hyphen");
        }

        return errors;
    }

    public const string PortRangeMessage = "must be between 1 and 65535, inclusive";

    public static bool IsValidPort(long port) => port is >= 1 and <= 65535;

    public static void NonNegative(JsonObject? obj, string key, string path, List<StatusCause> causes)
    {
        if (JsonFields.Long(obj, key) is < 0 and long v)
        {
            causes.Add(FieldErrors.Invalid(path, v, "must be greater than or equal to 0"));
        }
    }
}
