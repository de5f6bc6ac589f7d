using System.Diagnostics;
using Korvet.Bench.Support;

namespace Korvet.Bench.Api;

/// <summary>Throughput and latency of a closed-loop run.</summary>
public sealed record LoadResult(double PerSecond, LatencySummary Latency, long Errors);

/// <summary>
/// Closed-loop load: <c>clients</c> tasks each send one request, wait for the whole answer, and send the next, until
/// the duration has passed. A short warm-up (JIT, connection setup, thread-pool growth) runs first and is not recorded.
/// </summary>
public static class ClosedLoop
{
    /// <param name="send">Sends request number <c>i</c> of client <c>c</c>; returns false for an unexpected answer.</param>
    public static async Task<LoadResult> RunAsync(int clients, TimeSpan duration, TimeSpan warmup, Func<int, long, Task<bool>> send)
    {
        var latencies = new LatencyRecorder();
        long total = 0;
        long errors = 0;
        long warmEnd = Stopwatch.GetTimestamp() + (long)(warmup.TotalSeconds * Stopwatch.Frequency);
        long stopAt = warmEnd + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        await Task.WhenAll(Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
        {
            LatencyRecorder.Buffer buffer = latencies.CreateBuffer();
            long i = 0;
            long counted = 0;
            long failed = 0;
            while (true)
            {
                long t0 = Stopwatch.GetTimestamp();
                if (t0 >= stopAt)
                {
                    break;
                }

                bool ok = await send(c, i++);
                if (t0 >= warmEnd)
                {
                    buffer.Add(Stopwatch.GetTimestamp() - t0);
                    counted++;
                    failed += ok ? 0 : 1;
                }
            }

            buffer.Flush();
            Interlocked.Add(ref total, counted);
            Interlocked.Add(ref errors, failed);
        })));
        return new LoadResult(total / duration.TotalSeconds, latencies.Summarize(), errors);
    }
}
