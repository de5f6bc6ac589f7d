using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Korvet.ApiServer.Errors;

namespace Korvet.ApiServer.Strategies;

/// <summary>
/// Upstream's field.Error constructors (apimachinery util/validation/field) rendered as <see cref="StatusCause"/>: the
/// cause reason is the error type, the message is upstream's ErrorBody (type text, Go-formatted bad value, detail).
/// </summary>
internal static class FieldErrors
{
    public static StatusCause Required(string field, string detail = "") =>
        new("FieldValueRequired", Body("Required value", detail), field);

    public static StatusCause Forbidden(string field, string detail) =>
        new("FieldValueForbidden", Body("Forbidden", detail), field);

    public static StatusCause NotFound(string field, string value) =>
        new("FieldValueNotFound", "Not found: " + Quote(value), field);

    public static StatusCause Duplicate(string field, string value) =>
        new("FieldValueDuplicate", "Duplicate value: " + Quote(value), field);

    public static StatusCause DuplicateRaw(string field, string goValue) =>
        new("FieldValueDuplicate", "Duplicate value: " + goValue, field);

    public static StatusCause Invalid(string field, string value, string detail) =>
        new("FieldValueInvalid", Body("Invalid value: " + Quote(value), detail), field);

    public static StatusCause Invalid(string field, long value, string detail) =>
        new("FieldValueInvalid", Body("Invalid value: " + value.ToString(CultureInfo.InvariantCulture), detail), field);

    /// <summary>An Invalid error whose bad value is already rendered the way Go's %#v would print it.</summary>
    public static StatusCause InvalidRaw(string field, string goValue, string detail) =>
        new("FieldValueInvalid", Body("Invalid value: " + goValue, detail), field);

    public static StatusCause NotSupported(string field, string value, params string[] supported) =>
        new("FieldValueNotSupported",
            "Unsupported value: " + Quote(value) + (supported.Length == 0 ? "" : ": supported values: " + string.Join(", ", supported.Select(Quote))),
            field);

    public static StatusCause TooLong(string field, long maxBytes) =>
        new("FieldValueTooLong", $"Too long: must have at most {maxBytes} bytes", field);

    public static StatusCause TooMany(string field, int actual, int max) =>
        new("FieldValueTooMany", $"Too many: {actual}: must have at most {max} items", field);

    private static string Body(string head, string detail) => detail.Length == 0 ? head : head + ": " + detail;

    /// <summary>Go's %q of a string (ASCII-printable output as strconv.Quote gives for common input).</summary>
    public static string Quote(string s)
    {
        var b = new StringBuilder(s.Length + 2).Append('"');
        foreach (char c in s)
        {
            switch (c)
            {
                case '"': b.Append("\\\""); break;
                case '\\': b.Append("\\\\"); break;
                case '\n': b.Append("\\n"); break;
                case '\t': b.Append("\\t"); break;
                case '\r': b.Append("\\r"); break;
                default:
                    if (c < 0x20 || c == 0x7f)
                    {
                        b.Append("\\x").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        b.Append(c);
                    }

                    break;
            }
        }

        return b.Append('"').ToString();
    }

    /// <summary>Go's %#v of a map[string]string: keys sorted, e.g. <c>map[string]string{"app":"web"}</c>.</summary>
    public static string GoStringMap(JsonObject? map)
    {
        if (map is null)
        {
            return "map[string]string(nil)";
        }

        var keys = map.Select(p => p.Key).Order(StringComparer.Ordinal);
        return "map[string]string{" + string.Join(", ", keys.Select(k => Quote(k) + ":" + Quote((string?)map[k] ?? ""))) + "}";
    }

    /// <summary>Go's %#v of a v1.LabelSelector (as immutable-selector errors print it).</summary>
    public static string GoLabelSelector(JsonObject? selector)
    {
        var labels = selector?["matchLabels"] as JsonObject;
        var exprs = selector?["matchExpressions"] as JsonArray;
        string exprText = exprs is null or { Count: 0 }
            ? "[]v1.LabelSelectorRequirement(nil)"
            : "[]v1.LabelSelectorRequirement{" + string.Join(", ", exprs.OfType<JsonObject>().Select(e =>
                "v1.LabelSelectorRequirement{Key:" + Quote((string?)e["key"] ?? "") + ", Operator:" + Quote((string?)e["operator"] ?? "") +
                ", Values:" + (e["values"] is JsonArray { Count: > 0 } v ? "[]string{" + string.Join(", ", v.Select(x => Quote((string?)x ?? ""))) + "}" : "[]string(nil)") + "}")) + "}";
        return "v1.LabelSelector{MatchLabels:" + GoStringMap(labels) + ", MatchExpressions:" + exprText + "}";
    }
}
