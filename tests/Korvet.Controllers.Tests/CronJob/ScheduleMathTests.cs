using Korvet.Controllers.CronJob;

namespace Korvet.Controllers.Tests.CronJob;

public sealed class ScheduleMathTests
{
    private static readonly CronSchedule EveryMinute = CronSchedule.Parse("*/1 * * * *");

    private static DateTimeOffset At(string text) => DateTimeOffset.Parse(text, System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void NothingDueBeforeTheFirstActivation()
    {
        ScheduleDecision d = ScheduleMath.MostRecent(EveryMinute, TimeZoneInfo.Utc, At("2024-05-01T10:00:10Z"), null, null, At("2024-05-01T10:00:50Z"));
        Assert.Null(d.Scheduled);
        Assert.Equal(At("2024-05-01T10:01:00Z"), d.Next);
    }

    [Fact]
    public void FirstActivationAfterCreation()
    {
        ScheduleDecision d = ScheduleMath.MostRecent(EveryMinute, TimeZoneInfo.Utc, At("2024-05-01T10:00:10Z"), null, null, At("2024-05-01T10:01:02Z"));
        Assert.Equal(At("2024-05-01T10:01:00Z"), d.Scheduled);
        Assert.Equal(1, d.Missed);
        Assert.Equal(At("2024-05-01T10:02:00Z"), d.Next);
    }

    [Fact]
    public void LastScheduleTimeWinsAndOnlyTheNewestMissedRuns()
    {
        ScheduleDecision d = ScheduleMath.MostRecent(EveryMinute, TimeZoneInfo.Utc, At("2024-05-01T00:00:00Z"), At("2024-05-01T10:01:00Z"), null,
            At("2024-05-01T10:05:30Z"));
        Assert.Equal(At("2024-05-01T10:05:00Z"), d.Scheduled);
        Assert.Equal(4, d.Missed);
    }

    [Fact]
    public void StartingDeadlineLimitsHowFarBackToLook()
    {
        CronSchedule hourly = CronSchedule.Parse("@hourly");
        // Last run 10:00, now 12:30: 11:00 and 12:00 are missed; a 10-minute deadline looks back to 12:20 only.
        ScheduleDecision d = ScheduleMath.MostRecent(hourly, TimeZoneInfo.Utc, At("2024-05-01T00:00:00Z"), At("2024-05-01T10:00:00Z"), 600,
            At("2024-05-01T12:30:00Z"));
        Assert.Null(d.Scheduled);
        Assert.Equal(At("2024-05-01T13:00:00Z"), d.Next);
        d = ScheduleMath.MostRecent(hourly, TimeZoneInfo.Utc, At("2024-05-01T00:00:00Z"), At("2024-05-01T10:00:00Z"), 3600,
            At("2024-05-01T12:30:00Z"));
        Assert.Equal(At("2024-05-01T12:00:00Z"), d.Scheduled);
    }

    [Fact]
    public void ManyMissedActivationsAreCountedWithoutWalkingEachOne()
    {
        ScheduleDecision d = ScheduleMath.MostRecent(EveryMinute, TimeZoneInfo.Utc, At("2024-01-01T00:00:00Z"), null, null, At("2024-03-01T00:00:30Z"));
        Assert.Equal(At("2024-03-01T00:00:00Z"), d.Scheduled);
        Assert.True(d.Missed > 100);
        Assert.Equal(At("2024-03-01T00:01:00Z"), d.Next);
    }

    [Fact]
    public void JobNameUsesUnixMinutes() =>
        Assert.Equal("backup-28575960", ScheduleMath.JobName("backup", At("2024-05-01T10:00:00Z")));
}
