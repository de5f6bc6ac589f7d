using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Korvet.Api.Meta.V1;

/// <summary>meta/v1 Duration: nanoseconds, written as a Go duration string ("1h2m3.5s", "300ms", "0s").</summary>
[JsonConverter(typeof(DurationJsonConverter))]
public sealed record Duration(long Nanoseconds)
{
    private static readonly (string Unit, long Nanos)[] Units =
    [
        ("ns", 1), ("us", 1_000), ("µs", 1_000), ("μs", 1_000), ("ms", 1_000_000), ("s", 1_000_000_000),
        ("m", 60_000_000_000), ("h", 3_600_000_000_000),
    ];

    /// <summary>Parses a Go duration string: an optional sign and a sequence of decimal numbers with units.</summary>
    public static bool TryParse(string text, out Duration duration)
    {
        duration = new Duration(0);
        ReadOnlySpan<char> s = text;
        bool negative = false;
        if (s.Length > 0 && (s[0] == '-' || s[0] == '+'))
        {
            negative = s[0] == '-';
            s = s[1..];
        }

        if (s is "0")
        {
            return true;
        }

        if (s.IsEmpty)
        {
            return false;
        }

        decimal total = 0;
        while (!s.IsEmpty)
        {
            int i = 0;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.'))
            {
                i++;
            }

            if (i == 0 || !decimal.TryParse(s[..i], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out decimal number))
            {
                return false;
            }

            s = s[i..];
            int j = 0;
            while (j < s.Length && !char.IsAsciiDigit(s[j]) && s[j] != '.')
            {
                j++;
            }

            string unit = s[..j].ToString();
            (string Unit, long Nanos) match = Array.Find(Units, u => u.Unit == unit);
            if (match.Unit is null)
            {
                return false;
            }

            total += number * match.Nanos;
            if (total > long.MaxValue)
            {
                return false;
            }

            s = s[j..];
        }

        duration = new Duration((long)(negative ? -total : total));
        return true;
    }

    /// <summary>Go's <c>time.Duration.String()</c>.</summary>
    public override string ToString()
    {
        if (Nanoseconds == 0)
        {
            return "0s";
        }

        bool negative = Nanoseconds < 0;
        ulong u = negative ? (ulong)(-(Nanoseconds + 1)) + 1 : (ulong)Nanoseconds;
        var sb = new StringBuilder();
        if (u < 1_000_000_000)
        {
            (ulong div, string unit) = u < 1_000 ? (1UL, "ns") : u < 1_000_000 ? (1_000UL, "µs") : (1_000_000UL, "ms");
            sb.Append(Fraction(u, div)).Append(unit);
        }
        else
        {
            ulong hours = u / 3_600_000_000_000;
            ulong minutes = u / 60_000_000_000 % 60;
            ulong rest = u % 60_000_000_000;
            if (hours > 0)
            {
                sb.Append(hours).Append('h');
            }

            if (hours > 0 || minutes > 0)
            {
                sb.Append(minutes).Append('m');
            }

            sb.Append(Fraction(rest, 1_000_000_000)).Append('s');
        }

        return negative ? "-" + sb : sb.ToString();
    }

    private static string Fraction(ulong value, ulong div)
    {
        ulong whole = value / div;
        ulong frac = value % div;
        if (frac == 0)
        {
            return whole.ToString(CultureInfo.InvariantCulture);
        }

        int digits = (int)Math.Log10(div);
        return whole.ToString(CultureInfo.InvariantCulture) + "." + frac.ToString(CultureInfo.InvariantCulture).PadLeft(digits, '0').TrimEnd('0');
    }
}

public sealed class DurationJsonConverter : JsonConverter<Duration>
{
    public override Duration? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        string? s = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
        return s is not null && Duration.TryParse(s, out Duration d) ? d : throw new JsonException($"invalid duration {s}");
    }

    public override void Write(Utf8JsonWriter writer, Duration value, JsonSerializerOptions options) => writer.WriteStringValue(value.ToString());
}
