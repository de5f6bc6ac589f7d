using System.Diagnostics;

namespace Korvet.Bench.Support;

/// <summary>Collects latency samples (in Stopwatch ticks) from many threads; percentiles are computed once at the end.</summary>
public sealed class LatencyRecorder
{
    private readonly Lock _gate = new();
    private readonly List<long[]> _chunks = [];

    /// <summary>A per-thread buffer; call <see cref="Flush"/> when the thread is done so its samples are counted.</summary>
    public sealed class Buffer(LatencyRecorder owner)
    {
        private readonly List<long> _samples = new(4096);

        public void Add(long ticks) => _samples.Add(ticks);

        public void Flush() => owner.AddRange(_samples);
    }

    public Buffer CreateBuffer() => new(this);

    private void AddRange(List<long> samples)
    {
        long[] copy = [.. samples];
        lock (_gate)
        {
            _chunks.Add(copy);
        }
    }

    public LatencySummary Summarize()
    {
        long[] all;
        lock (_gate)
        {
            all = [.. _chunks.SelectMany(c => c)];
        }

        Array.Sort(all);
        return new LatencySummary(all.Length, Percentile(all, 0.50), Percentile(all, 0.99), all.Length == 0 ? 0 : ToMs(all[^1]));
    }

    private static double Percentile(long[] sorted, double p) =>
        sorted.Length == 0 ? 0 : ToMs(sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)]);

    public static double ToMs(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;
}

/// <summary>Count and latency percentiles in milliseconds.</summary>
public sealed record LatencySummary(long Count, double P50Ms, double P99Ms, double MaxMs);
