using System.Globalization;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Korvet.Api.Resource;

/// <summary>How a quantity is written: binary suffixes (Ki..Ei), decimal SI suffixes (n..E) or e-notation.</summary>
public enum QuantityFormat
{
    DecimalSI,
    BinarySI,
    DecimalExponent,
}

/// <summary>
/// resource.Quantity: an exact decimal with the format of the suffix it was written with. Values are exact
/// (arbitrary precision) down to 1n; finer values are rounded away from zero to 1n, as upstream does.
/// <see cref="ToString"/> gives upstream's canonical form: the largest exponent (suffix) that loses no precision
/// and needs no fraction ("1.5" → "1500m", "1000m" → "1", "1.5Gi" → "1536Mi", "1024Mi" → "1Gi", "2000" → "2k").
/// Equality compares values, not spellings.
/// </summary>
[JsonConverter(typeof(QuantityJsonConverter))]
public sealed class Quantity : IEquatable<Quantity>, IComparable<Quantity>
{
    private static readonly string[] BinarySuffixes = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"];

    private static readonly (string Suffix, int Exponent)[] DecimalSuffixes =
    [
        ("n", -9), ("u", -6), ("m", -3), ("", 0), ("k", 3), ("M", 6), ("G", 9), ("T", 12), ("P", 15), ("E", 18),
    ];

    // value = _mantissa * 10^_exponent, normalised so _mantissa has no trailing decimal zeros (or is zero with exponent 0).
    private readonly BigInteger _mantissa;
    private readonly int _exponent;

    private Quantity(BigInteger mantissa, int exponent, QuantityFormat format)
    {
        if (exponent < -9)
        {
            // Upstream keeps nano precision at most and rounds finer values up (away from zero).
            BigInteger div = BigInteger.Pow(10, -9 - exponent);
            BigInteger q = BigInteger.DivRem(mantissa, div, out BigInteger rem);
            mantissa = rem.IsZero ? q : q + mantissa.Sign;
            exponent = -9;
        }

        if (mantissa.IsZero)
        {
            exponent = 0;
        }
        else
        {
            while (mantissa % 10 == 0)
            {
                mantissa /= 10;
                exponent++;
            }
        }

        _mantissa = mantissa;
        _exponent = exponent;
        Format = format;
    }

    public static Quantity Zero { get; } = new(BigInteger.Zero, 0, QuantityFormat.DecimalSI);

    public QuantityFormat Format { get; }

    public bool IsZero => _mantissa.IsZero;

    public int Sign => _mantissa.Sign;

    public static Quantity FromInt64(long value, QuantityFormat format = QuantityFormat.DecimalSI) => new(value, 0, format);

    /// <summary>Quantity of <paramref name="value"/> × 10^<paramref name="scale"/> (e.g. (1500, -3) = 1.5).</summary>
    public static Quantity FromScaled(long value, int scale, QuantityFormat format = QuantityFormat.DecimalSI) => new(value, scale, format);

    public static Quantity Parse(string text) =>
        TryParse(text, out Quantity? q, out string? error) ? q : throw new FormatException(error);

    public static bool TryParse(string? text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Quantity? quantity) =>
        TryParse(text, out quantity, out _);

    /// <summary>Parses <c>[+-]digits[.digits][suffix]</c> where suffix is a binary SI suffix, a decimal SI suffix or
    /// <c>e</c>/<c>E</c> followed by a signed integer. <paramref name="error"/> uses upstream's wording.</summary>
    public static bool TryParse(string? text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Quantity? quantity,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? error)
    {
        quantity = null;
        error = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
        if (string.IsNullOrEmpty(text) || text.Length > 1000)
        {
            return false;
        }

        int i = 0;
        bool negative = false;
        if (text[0] is '+' or '-')
        {
            negative = text[0] == '-';
            i++;
        }

        int intStart = i;
        while (i < text.Length && char.IsAsciiDigit(text[i]))
        {
            i++;
        }

        string whole = text[intStart..i];
        string fraction = "";
        if (i < text.Length && text[i] == '.')
        {
            int fracStart = ++i;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                i++;
            }

            fraction = text[fracStart..i];
        }

        if (whole.Length + fraction.Length == 0)
        {
            return false;
        }

        string suffix = text[i..];
        BigInteger mantissa = BigInteger.Parse("0" + whole + fraction, CultureInfo.InvariantCulture);
        if (negative)
        {
            mantissa = -mantissa;
        }

        int exponent = -fraction.Length;
        QuantityFormat format;
        int binaryPower = Array.IndexOf(BinarySuffixes, suffix);
        if (binaryPower > 0)
        {
            format = QuantityFormat.BinarySI;
            mantissa *= BigInteger.Pow(1024, binaryPower);
        }
        else if (Array.FindIndex(DecimalSuffixes, d => d.Suffix == suffix) is >= 0 and int di)
        {
            format = QuantityFormat.DecimalSI;
            exponent += DecimalSuffixes[di].Exponent;
        }
        else if (suffix.Length >= 2 && suffix[0] is 'e' or 'E'
            && int.TryParse(suffix.AsSpan(1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int e)
            && char.IsAsciiDigit(suffix[^1]) && Math.Abs(e) <= 10_000)
        {
            format = QuantityFormat.DecimalExponent;
            exponent += e;
        }
        else
        {
            error = "unable to parse quantity's suffix";
            return false;
        }

        quantity = new Quantity(mantissa, exponent, format);
        error = null;
        return true;
    }

    /// <summary>The canonical string form (see the class remarks).</summary>
    public override string ToString()
    {
        if (_mantissa.IsZero)
        {
            return "0";
        }

        QuantityFormat format = Format;
        if (format == QuantityFormat.BinarySI)
        {
            bool small = BigInteger.Abs(_mantissa) * BigInteger.Pow(10, Math.Max(_exponent, 0)) < 1024 * BigInteger.Pow(10, Math.Max(-_exponent, 0));
            if (small || _exponent < 0)
            {
                format = QuantityFormat.DecimalSI; // below 1024 or fractional: binary suffixes would lose precision
            }
            else
            {
                BigInteger value = _mantissa * BigInteger.Pow(10, _exponent);
                int power = 0;
                while (power < BinarySuffixes.Length - 1 && value % 1024 == 0)
                {
                    value /= 1024;
                    power++;
                }

                return value.ToString(CultureInfo.InvariantCulture) + BinarySuffixes[power];
            }
        }

        // Largest multiple of three not above the exponent keeps the mantissa integral.
        int exp3 = _exponent >= 0 ? _exponent / 3 * 3 : -((-_exponent + 2) / 3 * 3);
        BigInteger m = _mantissa * BigInteger.Pow(10, _exponent - exp3);
        string number = m.ToString(CultureInfo.InvariantCulture);
        if (exp3 == 0)
        {
            return number;
        }

        if (format == QuantityFormat.DecimalSI && Array.FindIndex(DecimalSuffixes, d => d.Exponent == exp3) is >= 0 and int idx)
        {
            return number + DecimalSuffixes[idx].Suffix;
        }

        return number + "e" + exp3.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>The value rounded up to an integer (upstream <c>Value()</c>); saturates at the Int64 range.</summary>
    public long Value() => Scaled(0);

    /// <summary>The value in thousandths rounded up (upstream <c>MilliValue()</c>).</summary>
    public long MilliValue() => Scaled(-3);

    /// <summary>The value in units of 10^<paramref name="scale"/>, rounded up (toward +∞), saturating.</summary>
    public long Scaled(int scale)
    {
        BigInteger result;
        if (_exponent >= scale)
        {
            result = _mantissa * BigInteger.Pow(10, _exponent - scale);
        }
        else
        {
            BigInteger div = BigInteger.Pow(10, scale - _exponent);
            result = BigInteger.DivRem(_mantissa, div, out BigInteger rem);
            if (rem.Sign > 0)
            {
                result += 1;
            }
        }

        return result > long.MaxValue ? long.MaxValue : result < long.MinValue ? long.MinValue : (long)result;
    }

    /// <summary>The value as a double (approximate).</summary>
    public double ToDouble() => (double)_mantissa * Math.Pow(10, _exponent);

    public int CompareTo(Quantity? other)
    {
        if (other is null)
        {
            return 1;
        }

        int common = Math.Min(_exponent, other._exponent);
        BigInteger a = _mantissa * BigInteger.Pow(10, _exponent - common);
        BigInteger b = other._mantissa * BigInteger.Pow(10, other._exponent - common);
        return a.CompareTo(b);
    }

    public bool Equals(Quantity? other) => other is not null && _mantissa == other._mantissa && _exponent == other._exponent;

    public override bool Equals(object? obj) => obj is Quantity q && Equals(q);

    public override int GetHashCode() => HashCode.Combine(_mantissa, _exponent);

    public static bool operator ==(Quantity? a, Quantity? b) => a is null ? b is null : a.Equals(b);

    public static bool operator !=(Quantity? a, Quantity? b) => !(a == b);

    public static bool operator <(Quantity a, Quantity b) => a.CompareTo(b) < 0;

    public static bool operator <=(Quantity a, Quantity b) => a.CompareTo(b) <= 0;

    public static bool operator >(Quantity a, Quantity b) => a.CompareTo(b) > 0;

    public static bool operator >=(Quantity a, Quantity b) => a.CompareTo(b) >= 0;
}

/// <summary>Reads a quantity from a JSON string or number (as upstream does) and writes its canonical string.</summary>
public sealed class QuantityJsonConverter : JsonConverter<Quantity>
{
    public override Quantity? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        string text = reader.TokenType switch
        {
            JsonTokenType.Null => "",
            JsonTokenType.String => reader.GetString()!,
            JsonTokenType.Number => System.Text.Encoding.UTF8.GetString(reader.HasValueSequence ? System.Buffers.BuffersExtensions.ToArray(reader.ValueSequence) : reader.ValueSpan),
            _ => throw new JsonException("a quantity must be a string or a number"),
        };
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        return Quantity.TryParse(text, out Quantity? q, out string? error) ? q : throw new JsonException(error);
    }

    public override void Write(Utf8JsonWriter writer, Quantity value, JsonSerializerOptions options) => writer.WriteStringValue(value.ToString());
}
