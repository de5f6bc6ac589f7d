namespace Korvet.Controllers.CronJob;

/// <summary>The most recent unmet activation of a CronJob and how many were missed (upstream's mostRecentScheduleTime).</summary>
/// <param name="Scheduled">The latest activation in (earliest, now], or null if none is due.</param>
/// <param name="Missed">How many activations fell in (earliest, now] (more than 100 = upstream's "too many missed").</param>
/// <param name="Next">The first activation after <c>now</c> (when to look again), or null if there is none.</param>
public readonly record struct ScheduleDecision(DateTimeOffset? Scheduled, long Missed, DateTimeOffset? Next);

/// <summary>Pure scheduling math of the CronJob controller, separate so it is table-tested without a server or clock.</summary>
public static class ScheduleMath
{
    private const int ExactSteps = 1000;

    /// <summary>
    /// The activation to run now: the last one after <paramref name="lastScheduleTime"/> (else the creation time), not
    /// earlier than <c>now - startingDeadlineSeconds</c> when that is set, and not after <paramref name="now"/>.
    /// </summary>
    public static ScheduleDecision MostRecent(CronSchedule schedule, TimeZoneInfo zone, DateTimeOffset created,
        DateTimeOffset? lastScheduleTime, long? startingDeadlineSeconds, DateTimeOffset now)
    {
        DateTimeOffset earliest = lastScheduleTime ?? created;
        if (startingDeadlineSeconds is long deadline && now.AddSeconds(-deadline) > earliest)
        {
            earliest = now.AddSeconds(-deadline);
        }

        DateTimeOffset? t = schedule.Next(earliest, zone);
        if (t is null || t > now)
        {
            return new ScheduleDecision(null, 0, t ?? schedule.Next(now, zone));
        }

        DateTimeOffset recent = t.Value;
        long missed = 1;
        for (int i = 0; i < ExactSteps; i++)
        {
            DateTimeOffset? next = schedule.Next(recent, zone);
            if (next is null || next > now)
            {
                return new ScheduleDecision(recent, missed, next);
            }

            recent = next.Value;
            missed++;
        }

        // Far behind (a frequent schedule missed for days): jump by the observed period, then walk exactly.
        DateTimeOffset? after = schedule.Next(recent, zone);
        TimeSpan period = (after ?? recent.AddMinutes(1)) - recent;
        long skip = Math.Max(0, (long)((now - recent) / period) - 2);
        recent = recent + (period * skip);
        missed += skip;
        while (schedule.Next(recent, zone) is DateTimeOffset n && n <= now)
        {
            recent = n;
            missed++;
        }

        return new ScheduleDecision(recent, missed, schedule.Next(recent, zone));
    }

    /// <summary>Upstream's job name: <c>&lt;cronjob&gt;-&lt;scheduled time in unix minutes&gt;</c>.</summary>
    public static string JobName(string cronJobName, DateTimeOffset scheduled) =>
        $"{cronJobName}-{scheduled.ToUnixTimeSeconds() / 60}";
}
