namespace Korvet.Controllers.Tests.ReplicaSets;

/// <summary>A TimeProvider whose clock only moves when the test says so.</summary>
internal sealed class ManualTime(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}
