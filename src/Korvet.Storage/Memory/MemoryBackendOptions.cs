namespace Korvet.Storage.Memory;

/// <summary>Options of <see cref="MemoryBackend"/>.</summary>
/// <param name="WatchBufferCapacity">Events a watcher may lag behind before it is ended.</param>
/// <param name="TtlSweepInterval">How often expired keys are deleted.</param>
public sealed record MemoryBackendOptions(int WatchBufferCapacity = 10_000, TimeSpan TtlSweepInterval = default)
{
    public static MemoryBackendOptions Default { get; } = new();

    internal TimeSpan EffectiveSweepInterval =>
        TtlSweepInterval > TimeSpan.Zero ? TtlSweepInterval : TimeSpan.FromMilliseconds(250);
}
