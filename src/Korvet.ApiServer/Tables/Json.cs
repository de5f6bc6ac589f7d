using System.Globalization;
using System.Text.Json;
using Korvet.ApiServer.Storage;

namespace Korvet.ApiServer.Tables;

/// <summary>Small read helpers over JsonElement for printers: missing fields read as empty/zero.</summary>
internal static class Json
{
    public static JsonElement At(this JsonElement e, params string[] path)
    {
        foreach (string p in path)
        {
            if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty(p, out e))
            {
                return default;
            }
        }

        return e;
    }

    public static string Str(this JsonElement e, params string[] path)
    {
        JsonElement v = e.At(path);
        return v.ValueKind switch
        {
            JsonValueKind.String => v.GetString() ?? "",
            JsonValueKind.Number => v.GetRawText(),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            _ => "",
        };
    }

    public static long Long(this JsonElement e, params string[] path)
    {
        JsonElement v = e.At(path);
        return v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out long n) ? n : 0;
    }

    public static bool Has(this JsonElement e, params string[] path) => e.At(path).ValueKind is not (JsonValueKind.Undefined or JsonValueKind.Null);

    public static IEnumerable<JsonElement> Items(this JsonElement e, params string[] path)
    {
        JsonElement v = e.At(path);
        return v.ValueKind == JsonValueKind.Array ? v.EnumerateArray() : [];
    }

    public static int Count(this JsonElement e, params string[] path)
    {
        JsonElement v = e.At(path);
        return v.ValueKind switch
        {
            JsonValueKind.Array => v.GetArrayLength(),
            JsonValueKind.Object => v.EnumerateObject().Count(),
            _ => 0,
        };
    }

    public static string OrNone(string s) => s.Length == 0 ? "<none>" : s;

    /// <summary>Age of a timestamp field as upstream's translateTimestampSince ("&lt;unknown&gt;" when unset).</summary>
    public static string Age(this JsonElement e, DateTimeOffset now, params string[] path)
    {
        string text = e.Str(path);
        return text.Length == 0 || !Timestamps.TryParse(text, out DateTimeOffset t) ? "<unknown>" : HumanDuration(now - t);
    }

    /// <summary>apimachinery's duration.HumanDuration.</summary>
    public static string HumanDuration(TimeSpan d)
    {
        long seconds = (long)Math.Floor(d.TotalSeconds);
        if (seconds < -1)
        {
            return "<invalid>";
        }

        if (seconds < 0)
        {
            return "0s";
        }

        if (seconds < 120)
        {
            return seconds.ToString(CultureInfo.InvariantCulture) + "s";
        }

        long minutes = seconds / 60;
        if (minutes < 10)
        {
            long s = seconds % 60;
            return s == 0 ? $"{minutes}m" : $"{minutes}m{s}s";
        }

        if (minutes < 180)
        {
            return $"{minutes}m";
        }

        long hours = minutes / 60;
        if (hours < 8)
        {
            long m = minutes % 60;
            return m == 0 ? $"{hours}h" : $"{hours}h{m}m";
        }

        if (hours < 48)
        {
            return $"{hours}h";
        }

        if (hours < 24 * 8)
        {
            long h = hours % 24;
            return h == 0 ? $"{hours / 24}d" : $"{hours / 24}d{h}h";
        }

        if (hours < 24 * 365 * 2)
        {
            return $"{hours / 24}d";
        }

        if (hours < 24 * 365 * 8)
        {
            long dy = hours / 24 % 365;
            return dy == 0 ? $"{hours / 24 / 365}y" : $"{hours / 24 / 365}y{dy}d";
        }

        return $"{hours / 24 / 365}y";
    }

    /// <summary>A LabelSelector as upstream's metav1.FormatLabelSelector renders it.</summary>
    public static string FormatSelector(JsonElement selector)
    {
        if (selector.ValueKind != JsonValueKind.Object)
        {
            return "<none>";
        }

        var parts = new List<string>();
        JsonElement labels = selector.At("matchLabels");
        if (labels.ValueKind == JsonValueKind.Object)
        {
            parts.AddRange(labels.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal).Select(p => $"{p.Name}={p.Value.GetString()}"));
        }

        foreach (JsonElement expr in selector.Items("matchExpressions"))
        {
            string key = expr.Str("key");
            string[] values = expr.Items("values").Select(v => v.GetString() ?? "").ToArray();
            parts.Add(expr.Str("operator") switch
            {
                "In" => $"{key} in ({string.Join(",", values)})",
                "NotIn" => $"{key} notin ({string.Join(",", values)})",
                "Exists" => key,
                "DoesNotExist" => "!" + key,
                _ => key,
            });
        }

        return parts.Count == 0 ? "<none>" : string.Join(",", parts);
    }

    /// <summary>A map of labels as upstream's labels.FormatLabels renders it (sorted k=v, "&lt;none&gt;" when empty).</summary>
    public static string FormatLabels(JsonElement map)
    {
        if (map.ValueKind != JsonValueKind.Object)
        {
            return "<none>";
        }

        var parts = map.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal).Select(p => $"{p.Name}={p.Value.GetString()}").ToList();
        return parts.Count == 0 ? "<none>" : string.Join(",", parts);
    }

    public static string Containers(JsonElement podSpec, string field) =>
        string.Join(",", podSpec.Items("containers").Select(c => c.Str(field)));
}
