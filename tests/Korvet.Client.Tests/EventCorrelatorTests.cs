using Korvet.Client.Events;

namespace Korvet.Client.Tests;

public sealed class EventCorrelatorTests
{
    private sealed class Clock : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }

    [Fact]
    public void RepeatsShareAKeyAndSimilarMessagesFoldFromTheTenthOn()
    {
        var correlator = new EventCorrelator(new Clock());
        EventCorrelator.Decision first = correlator.Correlate("rs-controller", "rs/a", "Normal", "SuccessfulCreate", "Created pod: a-1");
        EventCorrelator.Decision again = correlator.Correlate("rs-controller", "rs/a", "Normal", "SuccessfulCreate", "Created pod: a-1");
        Assert.Equal(first.Key, again.Key);
        Assert.Equal("Created pod: a-1", again.Message);

        var decisions = Enumerable.Range(2, 9).Select(i => correlator.Correlate("rs-controller", "rs/a", "Normal", "SuccessfulCreate", $"Created pod: a-{i}")).ToList();
        Assert.All(decisions.Take(8), d => Assert.DoesNotContain("combined", d.Message, StringComparison.Ordinal));
        Assert.Equal(8, decisions.Take(8).Select(d => d.Key).Distinct().Count());
        Assert.Equal(EventCorrelator.CombinedPrefix + "Created pod: a-10", decisions[^1].Message);

        EventCorrelator.Decision later = correlator.Correlate("rs-controller", "rs/a", "Normal", "SuccessfulCreate", "Created pod: a-11");
        Assert.Equal(decisions[^1].Key, later.Key);
        Assert.Equal(EventCorrelator.CombinedPrefix + "Created pod: a-11", later.Message);

        // Another reason or another object is not similar.
        Assert.DoesNotContain("combined", correlator.Correlate("rs-controller", "rs/a", "Normal", "SuccessfulDelete", "Deleted pod: a-1").Message, StringComparison.Ordinal);
        Assert.DoesNotContain("combined", correlator.Correlate("rs-controller", "rs/b", "Normal", "SuccessfulCreate", "Created pod: b-1").Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnObjectGetsABurstOf25ThenOneEventPerFiveMinutes()
    {
        var clock = new Clock();
        var correlator = new EventCorrelator(clock);
        int allowed = Enumerable.Range(0, 40).Count(i => !correlator.Correlate("scheduler", "pod/x", "Warning", "FailedScheduling", $"attempt {i}").Skip);
        Assert.Equal(EventCorrelator.SpamBurst, allowed);
        Assert.False(correlator.Correlate("scheduler", "pod/y", "Warning", "FailedScheduling", "other object").Skip);

        clock.Advance(TimeSpan.FromMinutes(4));
        Assert.True(correlator.Correlate("scheduler", "pod/x", "Warning", "FailedScheduling", "still nothing").Skip);
        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.False(correlator.Correlate("scheduler", "pod/x", "Warning", "FailedScheduling", "a token came back").Skip);
        Assert.True(correlator.Correlate("scheduler", "pod/x", "Warning", "FailedScheduling", "and was spent").Skip);
    }

    [Fact]
    public void SimilarityResetsAfterTenQuietMinutes()
    {
        var clock = new Clock();
        var correlator = new EventCorrelator(clock);
        for (int i = 0; i < 12; i++)
        {
            correlator.Correlate("c", "o", "Normal", "R", $"m{i}");
        }

        clock.Advance(TimeSpan.FromMinutes(11));
        Assert.Equal("fresh", correlator.Correlate("c", "o", "Normal", "R", "fresh").Message);
    }
}
