using Korvet.Controllers.ReplicaSets;

namespace Korvet.Controllers.Tests.ReplicaSets;

public sealed class ControllerExpectationsTests
{
    private readonly ManualTime _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Creations_are_satisfied_only_when_all_were_observed()
    {
        var e = new ControllerExpectations(_time);
        Assert.True(e.Satisfied("ns/rs"));
        e.ExpectCreations("ns/rs", 2);
        Assert.False(e.Satisfied("ns/rs"));
        e.CreationObserved("ns/rs");
        Assert.False(e.Satisfied("ns/rs"));
        e.CreationObserved("ns/rs");
        Assert.True(e.Satisfied("ns/rs"));
    }

    [Fact]
    public void Deletions_count_each_expected_pod_once()
    {
        var e = new ControllerExpectations(_time);
        e.ExpectDeletions("ns/rs", ["ns/a", "ns/b"]);
        e.DeletionObserved("ns/rs", "ns/a");
        e.DeletionObserved("ns/rs", "ns/a");
        e.DeletionObserved("ns/rs", "ns/other");
        Assert.Equal((0, 1), e.Pending("ns/rs"));
        Assert.False(e.Satisfied("ns/rs"));
        e.DeletionObserved("ns/rs", "ns/b");
        Assert.True(e.Satisfied("ns/rs"));
    }

    [Fact]
    public void Expectations_expire_after_five_minutes()
    {
        var e = new ControllerExpectations(_time);
        e.ExpectCreations("ns/rs", 3);
        _time.Advance(TimeSpan.FromMinutes(5));
        Assert.False(e.Satisfied("ns/rs"));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(e.Satisfied("ns/rs"));
    }

    [Fact]
    public void Delete_forgets_the_key()
    {
        var e = new ControllerExpectations(_time);
        e.ExpectCreations("ns/rs", 3);
        e.Delete("ns/rs");
        Assert.True(e.Satisfied("ns/rs"));
        e.CreationObserved("ns/rs");
        Assert.Equal((0, 0), e.Pending("ns/rs"));
    }
}
