namespace Korvet.Controllers.CronJob;

/// <summary>
/// A standard 5-field cron schedule (minute hour day-of-month month day-of-week) as upstream's CronJob controller parses
/// it (robfig/cron ParseStandard): lists <c>a,b</c>, ranges <c>a-b</c>, steps <c>*/n</c>, <c>a-b/n</c> and <c>a/n</c>
/// (= a-max/n), <c>*</c> and <c>?</c>, month and weekday names (jan..dec, sun..sat, any case), weekdays 0-6 (0 = Sunday),
/// the descriptors @yearly @annually @monthly @weekly @daily @midnight @hourly, and <c>@every &lt;Go duration&gt;</c>
/// (a constant delay, at least one second, rounded down to whole seconds, from the previous time). A <c>TZ=zone</c> or
/// <c>CRON_TZ=zone</c> prefix is returned as <see cref="TimeZoneId"/>. As in cron, when day-of-month and day-of-week are
/// both restricted a day matching either fires; if either is <c>*</c> (without a step) both must match.
/// Immutable and thread-safe.
/// </summary>
public sealed class CronSchedule
{
    private static readonly string[] MonthNames = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
    private static readonly string[] DayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

    private readonly ulong _minutes;
    private readonly ulong _hours;
    private readonly ulong _days;
    private readonly ulong _months;
    private readonly ulong _weekdays;
    private readonly bool _dayStar;
    private readonly bool _weekdayStar;
    private readonly TimeSpan? _every;

    private CronSchedule(ulong minutes, ulong hours, ulong days, ulong months, ulong weekdays, bool dayStar, bool weekdayStar, string? zone)
    {
        _minutes = minutes;
        _hours = hours;
        _days = days;
        _months = months;
        _weekdays = weekdays;
        _dayStar = dayStar;
        _weekdayStar = weekdayStar;
        TimeZoneId = zone;
    }

    private CronSchedule(TimeSpan every, string? zone)
    {
        _every = every;
        TimeZoneId = zone;
    }

    /// <summary>The zone named by a <c>TZ=</c>/<c>CRON_TZ=</c> prefix, or null.</summary>
    public string? TimeZoneId { get; }

    /// <summary>Parses <paramref name="text"/>; throws <see cref="FormatException"/> with robfig/cron's message shape.</summary>
    public static CronSchedule Parse(string text) =>
        TryParse(text, out CronSchedule? schedule, out string? error) ? schedule : throw new FormatException(error);

    public static bool TryParse(string text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out CronSchedule? schedule,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? error)
    {
        schedule = null;
        string spec = text.Trim();
        string? zone = null;
        if (spec.StartsWith("TZ=", StringComparison.Ordinal) || spec.StartsWith("CRON_TZ=", StringComparison.Ordinal))
        {
            int space = spec.IndexOf(' ', StringComparison.Ordinal);
            if (space < 0)
            {
                error = "missing spec after time zone: " + text;
                return false;
            }

            zone = spec[(spec.IndexOf('=', StringComparison.Ordinal) + 1)..space];
            spec = spec[(space + 1)..].Trim();
        }

        if (spec.StartsWith("@every ", StringComparison.OrdinalIgnoreCase))
        {
            string delay = spec["@every ".Length..].Trim();
            if (!Korvet.Api.Meta.V1.Duration.TryParse(delay, out Korvet.Api.Meta.V1.Duration duration))
            {
                error = $"failed to parse duration {spec}: time: invalid duration \"{delay}\"";
                return false;
            }

            // robfig/cron's Every: under a second becomes a second; sub-second parts are dropped.
            long seconds = Math.Max(1, duration.Nanoseconds / 1_000_000_000);
            schedule = new CronSchedule(TimeSpan.FromSeconds(seconds), zone);
            error = null;
            return true;
        }

        if (spec.StartsWith('@'))
        {
            string? expanded = spec.ToLowerInvariant() switch
            {
                "@yearly" or "@annually" => "0 0 1 1 *",
                "@monthly" => "0 0 1 * *",
                "@weekly" => "0 0 * * 0",
                "@daily" or "@midnight" => "0 0 * * *",
                "@hourly" => "0 * * * *",
                _ => null,
            };
            if (expanded is null)
            {
                error = "unrecognized descriptor: " + spec;
                return false;
            }

            spec = expanded;
        }

        string[] fields = spec.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length != 5)
        {
            error = $"expected exactly 5 fields, found {fields.Length}: {text}";
            return false;
        }

        if (!Field(fields[0], 0, 59, null, out ulong minutes, out _, out error) ||
            !Field(fields[1], 0, 23, null, out ulong hours, out _, out error) ||
            !Field(fields[2], 1, 31, null, out ulong days, out bool dayStar, out error) ||
            !Field(fields[3], 1, 12, MonthNames, out ulong months, out _, out error) ||
            !Field(fields[4], 0, 6, DayNames, out ulong weekdays, out bool weekdayStar, out error))
        {
            return false;
        }

        schedule = new CronSchedule(minutes, hours, days, months, weekdays, dayStar, weekdayStar, zone);
        return true;
    }

    /// <summary>
    /// The first activation strictly after <paramref name="after"/>, evaluated on the wall clock of
    /// <paramref name="zone"/>; null when none within five years (e.g. <c>0 0 30 2 *</c>). Wall times skipped by a
    /// daylight-saving jump do not fire; a repeated wall time fires at its first instant after <paramref name="after"/>.
    /// </summary>
    public DateTimeOffset? Next(DateTimeOffset after, TimeZoneInfo zone)
    {
        if (_every is { } every)
        {
            // A constant delay from the previous time, truncated to the second (robfig/cron ConstantDelaySchedule).
            return new DateTimeOffset(after.Ticks - (after.Ticks % TimeSpan.TicksPerSecond), after.Offset) + every;
        }

        DateTime local = TimeZoneInfo.ConvertTime(after, zone).DateTime;
        var t = new DateTime(local.Year, local.Month, local.Day, local.Hour, local.Minute, 0, DateTimeKind.Unspecified).AddMinutes(1);
        int lastYear = t.Year + 5;
        while (t.Year <= lastYear)
        {
            if (!Has(_months, t.Month))
            {
                t = new DateTime(t.Year, t.Month, 1, 0, 0, 0, DateTimeKind.Unspecified).AddMonths(1);
            }
            else if (!DayMatches(t))
            {
                t = t.Date.AddDays(1);
            }
            else if (!Has(_hours, t.Hour))
            {
                t = t.Date.AddHours(t.Hour + 1);
            }
            else if (!Has(_minutes, t.Minute))
            {
                t = t.AddMinutes(1);
            }
            else
            {
                if (!zone.IsInvalidTime(t))
                {
                    foreach (DateTimeOffset instant in Instants(t, zone))
                    {
                        if (instant > after)
                        {
                            return instant;
                        }
                    }
                }

                t = t.AddMinutes(1);
            }
        }

        return null;
    }

    private bool DayMatches(DateTime t)
    {
        bool day = Has(_days, t.Day);
        bool weekday = Has(_weekdays, (int)t.DayOfWeek);
        return _dayStar || _weekdayStar ? day && weekday : day || weekday;
    }

    private static IEnumerable<DateTimeOffset> Instants(DateTime wall, TimeZoneInfo zone)
    {
        if (!zone.IsAmbiguousTime(wall))
        {
            yield return new DateTimeOffset(wall, zone.GetUtcOffset(wall));
            yield break;
        }

        foreach (TimeSpan offset in zone.GetAmbiguousTimeOffsets(wall).OrderByDescending(o => o))
        {
            yield return new DateTimeOffset(wall, offset);
        }
    }

    private static bool Has(ulong bits, int value) => (bits & (1UL << value)) != 0;

    private static bool Field(string field, int min, int max, string[]? names, out ulong bits, out bool star,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? error)
    {
        bits = 0;
        star = false;
        foreach (string part in field.Split(','))
        {
            if (!Range(part, min, max, names, out ulong partBits, out bool partStar, out error))
            {
                return false;
            }

            bits |= partBits;
            star |= partStar;
        }

        error = null;
        return true;
    }

    private static bool Range(string expr, int min, int max, string[]? names, out ulong bits, out bool star,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? error)
    {
        bits = 0;
        star = false;
        string[] rangeAndStep = expr.Split('/');
        string[] lowAndHigh = rangeAndStep[0].Split('-');
        int start;
        int end;
        if (lowAndHigh[0] is "*" or "?")
        {
            if (lowAndHigh.Length > 1)
            {
                error = "too many hyphens: " + expr;
                return false;
            }

            start = min;
            end = max;
            star = true;
        }
        else
        {
            if (!Value(lowAndHigh[0], names, out start, out error))
            {
                return false;
            }

            switch (lowAndHigh.Length)
            {
                case 1:
                    end = start;
                    break;
                case 2:
                    if (!Value(lowAndHigh[1], names, out end, out error))
                    {
                        return false;
                    }

                    break;
                default:
                    error = "too many hyphens: " + expr;
                    return false;
            }
        }

        int step = 1;
        switch (rangeAndStep.Length)
        {
            case 1:
                break;
            case 2:
                if (!int.TryParse(rangeAndStep[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out step))
                {
                    error = $"failed to parse int from {rangeAndStep[1]}: invalid syntax";
                    return false;
                }

                if (lowAndHigh.Length == 1 && !star)
                {
                    end = max;
                }

                if (step > 1)
                {
                    star = false;
                }

                break;
            default:
                error = "too many slashes: " + expr;
                return false;
        }

        if (start < min)
        {
            error = $"beginning of range ({start}) below minimum ({min}): {expr}";
            return false;
        }

        if (end > max)
        {
            error = $"end of range ({end}) above maximum ({max}): {expr}";
            return false;
        }

        if (start > end)
        {
            error = $"beginning of range ({start}) beyond end of range ({end}): {expr}";
            return false;
        }

        if (step == 0)
        {
            error = "step of range should be a positive number: " + expr;
            return false;
        }

        for (int i = start; i <= end; i += step)
        {
            bits |= 1UL << i;
        }

        error = null;
        return true;
    }

    private static bool Value(string text, string[]? names, out int value,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? error)
    {
        if (names is not null)
        {
            int index = Array.IndexOf(names, text.ToLowerInvariant());
            if (index >= 0)
            {
                value = names == MonthNames ? index + 1 : index;
                error = null;
                return true;
            }
        }

        if (!int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out value))
        {
            error = $"failed to parse int from {text}: invalid syntax";
            return false;
        }

        error = null;
        return true;
    }
}
