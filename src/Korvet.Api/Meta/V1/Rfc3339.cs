using System.Globalization;

namespace Korvet.Api.Meta.V1;

/// <summary>RFC 3339 timestamps as Go's <c>time</c> package reads and writes them, with nanosecond precision.</summary>
public static class Rfc3339
{
    /// <summary>Unix seconds of Go's zero <c>time.Time</c> (0001-01-01T00:00:00Z), which protobuf carries for an unset Time.</summary>
    public const long GoZeroUnixSeconds = -62135596800;

    /// <summary>Parses "2006-01-02T15:04:05[.frac](Z|±hh:mm)" into Unix seconds and nanoseconds (UTC).</summary>
    public static bool TryParse(string text, out long seconds, out int nanos)
    {
        seconds = 0;
        nanos = 0;
        ReadOnlySpan<char> s = text;
        if (s.Length < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') || s[13] != ':' || s[16] != ':')
        {
            return false;
        }

        if (!Digits(s[..4], out int year) || !Digits(s.Slice(5, 2), out int month) || !Digits(s.Slice(8, 2), out int day)
            || !Digits(s.Slice(11, 2), out int hour) || !Digits(s.Slice(14, 2), out int minute) || !Digits(s.Slice(17, 2), out int second))
        {
            return false;
        }

        int i = 19;
        if (i < s.Length && s[i] == '.')
        {
            int start = ++i;
            while (i < s.Length && char.IsAsciiDigit(s[i]))
            {
                i++;
            }

            if (i == start || i - start > 9)
            {
                return false;
            }

            nanos = int.Parse(s[start..i].ToString().PadRight(9, '0'), CultureInfo.InvariantCulture);
        }

        int offsetMinutes;
        ReadOnlySpan<char> zone = s[i..];
        if (zone is "Z" or "z")
        {
            offsetMinutes = 0;
        }
        else if (zone.Length == 6 && (zone[0] == '+' || zone[0] == '-') && zone[3] == ':'
            && Digits(zone.Slice(1, 2), out int oh) && Digits(zone.Slice(4, 2), out int om) && oh < 24 && om < 60)
        {
            offsetMinutes = (zone[0] == '-' ? -1 : 1) * ((oh * 60) + om);
        }
        else
        {
            return false;
        }

        if (month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(Math.Max(year, 1), month) || hour > 23 || minute > 59 || second > 59 || year < 1)
        {
            return false;
        }

        var local = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Unspecified);
        seconds = ((local.Ticks - DateTime.UnixEpoch.Ticks) / TimeSpan.TicksPerSecond) - (offsetMinutes * 60L);
        return true;
    }

    /// <summary>Formats Unix seconds (+ nanoseconds when <paramref name="fractionDigits"/> &gt; 0, truncated) as UTC RFC 3339.</summary>
    public static string Format(long seconds, int nanos, int fractionDigits)
    {
        DateTime t = DateTime.UnixEpoch.AddSeconds(seconds);
        string basic = t.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);
        if (fractionDigits == 0)
        {
            return basic + "Z";
        }

        string frac = nanos.ToString("D9", CultureInfo.InvariantCulture)[..fractionDigits];
        return $"{basic}.{frac}Z";
    }

    /// <summary>Unix seconds and nanoseconds of a DateTimeOffset (100 ns precision).</summary>
    public static (long Seconds, int Nanos) ToUnix(DateTimeOffset value)
    {
        long ticks = value.UtcTicks - DateTime.UnixEpoch.Ticks;
        long seconds = Math.DivRem(ticks, TimeSpan.TicksPerSecond, out long rem);
        if (rem < 0)
        {
            seconds--;
            rem += TimeSpan.TicksPerSecond;
        }

        return (seconds, (int)(rem * 100));
    }

    public static DateTimeOffset FromUnix(long seconds, int nanos) =>
        new(DateTime.UnixEpoch.Ticks + (seconds * TimeSpan.TicksPerSecond) + (nanos / 100), TimeSpan.Zero);

    private static bool Digits(ReadOnlySpan<char> s, out int value)
    {
        value = 0;
        foreach (char c in s)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }

            value = (value * 10) + (c - '0');
        }

        return true;
    }
}
