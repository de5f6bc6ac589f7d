using Korvet.Controllers.CronJob;

namespace Korvet.Controllers.Tests.CronJob;

public sealed class CronScheduleTests
{
    private static readonly TimeZoneInfo Utc = TimeZoneInfo.Utc;

    private static DateTimeOffset At(string text) => DateTimeOffset.Parse(text, System.Globalization.CultureInfo.InvariantCulture);

    [Theory]
    [InlineData("* * * * *", "2024-05-01T10:00:30Z", "2024-05-01T10:01:00Z")]
    [InlineData("* * * * *", "2024-05-01T10:00:00Z", "2024-05-01T10:01:00Z")]
    [InlineData("*/1 * * * *", "2024-05-01T10:00:00Z", "2024-05-01T10:01:00Z")]
    [InlineData("*/15 * * * *", "2024-05-01T10:16:00Z", "2024-05-01T10:30:00Z")]
    [InlineData("5/20 * * * *", "2024-05-01T10:26:00Z", "2024-05-01T10:45:00Z")]
    [InlineData("0 9-17/4 * * *", "2024-05-01T13:00:00Z", "2024-05-01T17:00:00Z")]
    [InlineData("0,30 8 * * *", "2024-05-01T08:00:00Z", "2024-05-01T08:30:00Z")]
    [InlineData("0 0 * * mon-fri", "2024-05-03T12:00:00Z", "2024-05-06T00:00:00Z")] // Fri noon -> Mon
    [InlineData("0 0 1 jan *", "2024-05-01T00:00:00Z", "2025-01-01T00:00:00Z")]
    [InlineData("0 0 1 JAN,Jul *", "2024-05-01T00:00:00Z", "2024-07-01T00:00:00Z")]
    [InlineData("@hourly", "2024-05-01T10:59:59Z", "2024-05-01T11:00:00Z")]
    [InlineData("@daily", "2024-05-01T10:00:00Z", "2024-05-02T00:00:00Z")]
    [InlineData("@midnight", "2024-05-01T10:00:00Z", "2024-05-02T00:00:00Z")]
    [InlineData("@weekly", "2024-05-01T10:00:00Z", "2024-05-05T00:00:00Z")] // next Sunday
    [InlineData("@monthly", "2024-05-01T10:00:00Z", "2024-06-01T00:00:00Z")]
    [InlineData("@yearly", "2024-05-01T10:00:00Z", "2025-01-01T00:00:00Z")]
    [InlineData("@annually", "2024-05-01T10:00:00Z", "2025-01-01T00:00:00Z")]
    [InlineData("@every 5m", "2024-05-01T10:00:30.750Z", "2024-05-01T10:05:30Z")] // constant delay from the whole second
    [InlineData("@every 1h30m", "2024-05-01T10:00:00Z", "2024-05-01T11:30:00Z")]
    [InlineData("@every 300ms", "2024-05-01T10:00:00Z", "2024-05-01T10:00:01Z")] // under a second becomes one
    [InlineData("@EVERY 90s", "2024-05-01T10:00:00Z", "2024-05-01T10:01:30Z")]
    [InlineData("0 0 29 2 *", "2024-03-01T00:00:00Z", "2028-02-29T00:00:00Z")]
    [InlineData("0 0 13 * 5", "2024-05-01T00:00:00Z", "2024-05-03T00:00:00Z")] // day 13 OR Friday: Fri 3 May
    [InlineData("0 0 13 * *", "2024-05-01T00:00:00Z", "2024-05-13T00:00:00Z")]
    [InlineData("0 0 */2 * 1", "2024-05-01T00:00:00Z", "2024-05-03T00:00:00Z")] // */2 is not a star: OR semantics
    [InlineData("0 0 * * 0", "2024-05-01T00:00:00Z", "2024-05-05T00:00:00Z")]
    [InlineData("0 0 ? * 6", "2024-05-01T00:00:00Z", "2024-05-04T00:00:00Z")]
    [InlineData("59 23 31 12 *", "2024-05-01T00:00:00Z", "2024-12-31T23:59:00Z")]
    public void NextInUtc(string spec, string after, string expected) =>
        Assert.Equal(At(expected), CronSchedule.Parse(spec).Next(At(after), Utc));

    [Theory]
    [InlineData("* * * *", "expected exactly 5 fields, found 4: * * * *")]
    [InlineData("* * * * * *", "expected exactly 5 fields, found 6: * * * * * *")]
    [InlineData("60 * * * *", "end of range (60) above maximum (59): 60")]
    [InlineData("* 24 * * *", "end of range (24) above maximum (23): 24")]
    [InlineData("* * 0 * *", "beginning of range (0) below minimum (1): 0")]
    [InlineData("* * * 13 *", "end of range (13) above maximum (12): 13")]
    [InlineData("* * * * 7", "end of range (7) above maximum (6): 7")]
    [InlineData("5-1 * * * *", "beginning of range (5) beyond end of range (1): 5-1")]
    [InlineData("*/0 * * * *", "step of range should be a positive number: */0")]
    [InlineData("1-2-3 * * * *", "too many hyphens: 1-2-3")]
    [InlineData("*/2/3 * * * *", "too many slashes: */2/3")]
    [InlineData("x * * * *", "failed to parse int from x: invalid syntax")]
    [InlineData("* * * foo *", "failed to parse int from foo: invalid syntax")]
    [InlineData("@every", "unrecognized descriptor: @every")]
    [InlineData("@every 5x", "failed to parse duration @every 5x: time: invalid duration \"5x\"")]
    public void RejectsWithUpstreamMessage(string spec, string message)
    {
        Assert.False(CronSchedule.TryParse(spec, out _, out string? error));
        Assert.Equal(message, error);
        Assert.Throws<FormatException>(() => CronSchedule.Parse(spec));
    }

    [Fact]
    public void NeverMatchingScheduleHasNoNext() =>
        Assert.Null(CronSchedule.Parse("0 0 30 2 *").Next(At("2024-01-01T00:00:00Z"), Utc));

    [Fact]
    public void TimeZonePrefixIsReported()
    {
        CronSchedule schedule = CronSchedule.Parse("CRON_TZ=Europe/Berlin 0 9 * * *");
        Assert.Equal("Europe/Berlin", schedule.TimeZoneId);
        Assert.Null(CronSchedule.Parse("0 9 * * *").TimeZoneId);
    }

    [Fact]
    public void EvaluatesOnTheWallClockOfTheZone()
    {
        TimeZoneInfo berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
        CronSchedule nine = CronSchedule.Parse("0 9 * * *");
        Assert.Equal(At("2024-01-15T08:00:00Z"), nine.Next(At("2024-01-15T00:00:00Z"), berlin)); // CET = UTC+1
        Assert.Equal(At("2024-07-15T07:00:00Z"), nine.Next(At("2024-07-15T00:00:00Z"), berlin)); // CEST = UTC+2
        TimeZoneInfo tokyo = TimeZoneInfo.FindSystemTimeZoneById("Asia/Tokyo");
        Assert.Equal(At("2024-07-15T15:00:00Z"), CronSchedule.Parse("@daily").Next(At("2024-07-15T00:00:00Z"), tokyo));
    }

    [Fact]
    public void DaylightSavingGapIsSkippedAndRepeatFiresOnce()
    {
        TimeZoneInfo berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
        // 2024-03-31 02:00-03:00 does not exist in Berlin: 02:30 fires next on April 1st (00:30Z, CEST).
        Assert.Equal(At("2024-04-01T00:30:00Z"), CronSchedule.Parse("30 2 * * *").Next(At("2024-03-30T12:00:00Z"), berlin));

        // 2024-10-27 02:00-03:00 happens twice: 02:30 fires at the first (00:30Z), then tomorrow, not at 01:30Z.
        CronSchedule half = CronSchedule.Parse("30 2 * * *");
        DateTimeOffset first = half.Next(At("2024-10-26T12:00:00Z"), berlin)!.Value;
        Assert.Equal(At("2024-10-27T00:30:00Z"), first);
        Assert.Equal(At("2024-10-28T01:30:00Z"), half.Next(first, berlin));
    }
}
