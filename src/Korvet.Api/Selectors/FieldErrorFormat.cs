using System.Globalization;
using System.Text;

namespace Korvet.Api.Selectors;

/// <summary>Formats validation problems the way upstream's <c>field.Error</c> and aggregates print them.</summary>
internal static class FieldErrorFormat
{
    /// <summary><c>path: Invalid value: "value": detail</c> (Go <c>%q</c> quoting of the value).</summary>
    public static string Invalid(string path, string value, string detail) =>
        $"{path}: Invalid value: {Quote(value)}: {detail}";

    /// <summary><c>path: Invalid value: []string{"a", "b"}: detail</c> (Go <c>%#v</c> of a string slice).</summary>
    public static string Invalid(string path, IReadOnlyList<string> values, string detail)
    {
        var sb = new StringBuilder(path).Append(": Invalid value: []string{");
        for (int i = 0; i < values.Count; i++)
        {
            if (i > 0)
            {
                sb.Append(", ");
            }

            sb.Append(Quote(values[i]));
        }

        return sb.Append("}: ").Append(detail).ToString();
    }

    /// <summary>One error prints as itself, several as <c>[e1, e2]</c> (upstream <c>utilerrors.Aggregate</c>).</summary>
    public static string Aggregate(IReadOnlyList<string> errors) =>
        errors.Count == 1 ? errors[0] : "[" + string.Join(", ", errors) + "]";

    /// <summary>Go <c>%q</c>: double quotes with backslash escapes.</summary>
    public static string Quote(string s)
    {
        var sb = new StringBuilder(s.Length + 2).Append('"');
        foreach (char c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (c < 0x20 || c == 0x7f)
                    {
                        sb.Append("\\x").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        return sb.Append('"').ToString();
    }
}
