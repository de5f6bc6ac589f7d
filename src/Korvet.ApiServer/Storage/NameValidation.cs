using System.Text.RegularExpressions;
using Korvet.ApiServer.Errors;

namespace Korvet.ApiServer.Storage;

/// <summary>Upstream's object-name validation with its exact messages (apimachinery validation.IsDNS1123*).</summary>
public static partial class NameValidation
{
    private const string SubdomainMessage =
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

    private const string LabelMessage =
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex Subdomain();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex Label();

    /// <summary>Causes for an invalid <paramref name="name"/> in field <paramref name="field"/>; empty when valid.</summary>
    public static List<StatusCause> Validate(string name, NameRule rule, string field = "metadata.name")
    {
        var causes = new List<StatusCause>();
        switch (rule)
        {
            case NameRule.Dns1123Label:
                if (name.Length > 63)
                {
                    causes.Add(Invalid(field, name, "must be no more than 63 characters"));
                }

                if (!Label().IsMatch(name))
                {
                    causes.Add(Invalid(field, name, LabelMessage));
                }

                break;
            case NameRule.Dns1123Subdomain:
                if (name.Length > 253)
                {
                    causes.Add(Invalid(field, name, "must be no more than 253 characters"));
                }

                if (!Subdomain().IsMatch(name))
                {
                    causes.Add(Invalid(field, name, SubdomainMessage));
                }

                break;
            default:
                if (name is "." or "..")
                {
                    causes.Add(Invalid(field, name, $"may not be '{name}'"));
                }

                foreach (string bad in new[] { "/", "%" })
                {
                    if (name.Contains(bad, StringComparison.Ordinal))
                    {
                        causes.Add(Invalid(field, name, $"may not contain '{bad}'"));
                    }
                }

                break;
        }

        return causes;
    }

    /// <summary>Namespace names used in a path (a DNS-1123 label); the message names the namespace field.</summary>
    public static List<StatusCause> ValidateNamespace(string ns) => Validate(ns, NameRule.Dns1123Label, "metadata.namespace");

    public static StatusCause Invalid(string field, string value, string detail) =>
        new("FieldValueInvalid", $"Invalid value: \"{value}\": {detail}", field);

    public static StatusCause Required(string field, string detail) =>
        new("FieldValueRequired", $"Required value: {detail}", field);
}
