using Microsoft.Extensions.Logging;

namespace Korvet.Cli;

/// <summary>
/// Gives back memory the garbage collector keeps after a burst (thousands of pods created at once), as Go's background
/// scavenger does for k3s. The collector decommits its surplus free regions only gradually, and only when collections
/// happen, so an idle server could hold hundreds of MB more than it uses for minutes. Every
/// <see cref="CheckInterval"/> this looks at the last collection's figures and runs one aggressive full collection,
/// which compacts and decommits, when the surplus (committed minus heap) is large: over a quarter of the heap (at least
/// 64 MiB) once the process has gone quiet (allocating under <see cref="QuietAllocation"/> since the last check), at
/// most once per <see cref="MinimumSpacing"/>; or, while busy, over half the heap (at least 128 MiB), at most once per
/// <see cref="BusySpacing"/> — a pause of a few hundred ms every few minutes at worst, against hundreds of MB held
/// through a long burst. One per process (it acts on the process's heap).
/// </summary>
internal sealed class MemoryTrimmer(ILogger logger, TimeProvider time)
{
    public static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan MinimumSpacing = TimeSpan.FromMinutes(1);
    public static readonly TimeSpan BusySpacing = TimeSpan.FromMinutes(2);
    public const long QuietAllocation = 64L << 20;
    public const long MinimumSurplus = 64L << 20;

    public async Task RunAsync(CancellationToken ct)
    {
        long lastAllocated = GC.GetTotalAllocatedBytes();
        DateTimeOffset lastTrim = DateTimeOffset.MinValue;
        using var timer = new PeriodicTimer(CheckInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
            {
                long allocated = GC.GetTotalAllocatedBytes();
                bool quiet = allocated - lastAllocated < QuietAllocation;
                lastAllocated = allocated;
                GCMemoryInfo info = GC.GetGCMemoryInfo();
                long surplus = info.TotalCommittedBytes - info.HeapSizeBytes;
                DateTimeOffset now = time.GetUtcNow();
                if (!ShouldTrim(quiet, surplus, info.HeapSizeBytes, now - lastTrim))
                {
                    continue;
                }

                lastTrim = now;
                long started = time.GetTimestamp();
                GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
                if (logger.IsEnabled(LogLevel.Debug))
                {
                    logger.LogDebug("returned idle GC memory: committed {Before} MB -> {After} MB in {Ms:F0} ms",
                        info.TotalCommittedBytes >> 20, GC.GetGCMemoryInfo().TotalCommittedBytes >> 20, time.GetElapsedTime(started).TotalMilliseconds);
                }

                lastAllocated = GC.GetTotalAllocatedBytes();
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    /// <summary>The rule above, on the last collection's surplus and heap size and the time since the last trim.</summary>
    internal static bool ShouldTrim(bool quiet, long surplus, long heap, TimeSpan sinceLastTrim) =>
        quiet
            ? surplus >= Math.Max(MinimumSurplus, heap / 4) && sinceLastTrim >= MinimumSpacing
            : surplus >= Math.Max(2 * MinimumSurplus, heap / 2) && sinceLastTrim >= BusySpacing;
}
