using System.Buffers.Binary;
using System.Diagnostics;
using Korvet.Bench.Support;
using Korvet.Storage;

namespace Korvet.Bench.Storage;

/// <summary>
/// The storage workloads of issue #2, run through <see cref="IBackend"/> so every backend is measured by the same
/// client code with the same 1 KiB values. Each workload uses its own key prefix, so they can share one store.
/// </summary>
public sealed class StorageWorkloads(IBackend backend, TimeSpan duration)
{
    public const int ValueBytes = 1024;

    /// <summary>A 1 KiB value whose first 8 bytes carry the Stopwatch timestamp of the write's start.</summary>
    private static byte[] StampedValue()
    {
        byte[] value = new byte[ValueBytes];
        value.AsSpan(8).Fill((byte)'k');
        BinaryPrimitives.WriteInt64LittleEndian(value, Stopwatch.GetTimestamp());
        return value;
    }

    /// <summary><paramref name="writers"/> tasks create distinct keys as fast as the store acknowledges them.</summary>
    public async Task<ThroughputResult> CreatesAsync(int writers, string prefix)
    {
        var latencies = new LatencyRecorder();
        long total = 0;
        var stopAt = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        long started = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            LatencyRecorder.Buffer buffer = latencies.CreateBuffer();
            long i = 0;
            while (Stopwatch.GetTimestamp() < stopAt)
            {
                long t0 = Stopwatch.GetTimestamp();
                await backend.CreateAsync($"{prefix}/{w}/{i++}", StampedValue());
                buffer.Add(Stopwatch.GetTimestamp() - t0);
            }

            buffer.Flush();
            Interlocked.Add(ref total, i);
        })));
        double seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        return new ThroughputResult(total / seconds, latencies.Summarize());
    }

    /// <summary>Preloads <paramref name="keys"/> keys, then <paramref name="readers"/> tasks get random ones.</summary>
    public async Task<ThroughputResult> PointReadsAsync(int readers, int keys, string prefix)
    {
        await Parallel.ForAsync(0, keys, new ParallelOptions { MaxDegreeOfParallelism = 64 },
            async (i, ct) => await backend.CreateAsync($"{prefix}/{i}", StampedValue(), cancellationToken: ct));
        var latencies = new LatencyRecorder();
        long total = 0;
        var stopAt = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        long started = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, readers).Select(r => Task.Run(async () =>
        {
            LatencyRecorder.Buffer buffer = latencies.CreateBuffer();
            var random = new Random(r);
            long n = 0;
            while (Stopwatch.GetTimestamp() < stopAt)
            {
                long t0 = Stopwatch.GetTimestamp();
                KeyValue? kv = await backend.GetAsync($"{prefix}/{random.Next(keys)}");
                if (kv is null)
                {
                    throw new InvalidOperationException("a preloaded key was not found");
                }

                buffer.Add(Stopwatch.GetTimestamp() - t0);
                n++;
            }

            buffer.Flush();
            Interlocked.Add(ref total, n);
        })));
        double seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        return new ThroughputResult(total / seconds, latencies.Summarize());
    }

    /// <summary>
    /// <paramref name="watchers"/> watches on one prefix while one paced writer creates <paramref name="ratePerSecond"/>
    /// keys a second. Delay = delivery time minus the timestamp taken just before the write was sent (so it includes the
    /// commit). Every watcher must see every event.
    /// </summary>
    public async Task<FanoutResult> WatchFanoutAsync(int watchers, int ratePerSecond, string prefix)
    {
        long startRevision = await backend.CurrentRevisionAsync() + 1;
        var latencies = new LatencyRecorder();
        using var cancel = new CancellationTokenSource();
        long total = (long)(duration.TotalSeconds * ratePerSecond);
        var received = new long[watchers];
        var watchTasks = Enumerable.Range(0, watchers).Select(w => Task.Run(async () =>
        {
            LatencyRecorder.Buffer buffer = latencies.CreateBuffer();
            try
            {
                await foreach (WatchEvent e in backend.WatchAsync(prefix, startRevision, cancel.Token))
                {
                    long delay = Stopwatch.GetTimestamp() - BinaryPrimitives.ReadInt64LittleEndian(e.Current.Value);
                    buffer.Add(delay);
                    if (++received[w] == total)
                    {
                        break;
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }

            buffer.Flush();
        })).ToArray();

        long interval = Stopwatch.Frequency / ratePerSecond;
        long begin = Stopwatch.GetTimestamp();
        var writes = new List<Task<long>>((int)total);
        for (long i = 0; i < total; i++)
        {
            long due = begin + (i * interval);
            while (Stopwatch.GetTimestamp() < due)
            {
                await Task.Delay(1);
            }

            // Paced, not serialized: a write is sent on schedule even while earlier ones are still committing.
            writes.Add(backend.CreateAsync($"{prefix}/{i}", StampedValue()));
        }

        await Task.WhenAll(writes);

        cancel.CancelAfter(TimeSpan.FromSeconds(30));
        await Task.WhenAll(watchTasks);
        long complete = received.Count(r => r == total);
        return new FanoutResult(total, complete, watchers, latencies.Summarize());
    }

    /// <summary>
    /// <paramref name="writers"/> tasks update a working set of keys (building history) while a compaction to
    /// (current − <paramref name="retain"/>) runs every <paramref name="every"/>; returns the write latencies seen.
    /// </summary>
    public async Task<ThroughputResult> UpdatesUnderCompactionAsync(int writers, int keys, TimeSpan every, long retain, string prefix)
    {
        var revisions = new long[keys];
        for (int i = 0; i < keys; i++)
        {
            revisions[i] = await backend.CreateAsync($"{prefix}/{i}", StampedValue());
        }

        var latencies = new LatencyRecorder();
        long total = 0;
        var stopAt = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        long started = Stopwatch.GetTimestamp();
        Task compactor = Task.Run(async () =>
        {
            while (Stopwatch.GetTimestamp() < stopAt)
            {
                await Task.Delay(every);
                long current = await backend.CurrentRevisionAsync();
                if (current > retain)
                {
                    await backend.CompactAsync(current - retain);
                }
            }
        });
        int perWriter = keys / writers;
        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            LatencyRecorder.Buffer buffer = latencies.CreateBuffer();
            long n = 0;
            while (Stopwatch.GetTimestamp() < stopAt)
            {
                int k = (w * perWriter) + (int)(n % perWriter);
                long t0 = Stopwatch.GetTimestamp();
                revisions[k] = await backend.UpdateAsync($"{prefix}/{k}", StampedValue(), revisions[k]);
                buffer.Add(Stopwatch.GetTimestamp() - t0);
                n++;
            }

            buffer.Flush();
            Interlocked.Add(ref total, n);
        })));
        await compactor;
        double seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        return new ThroughputResult(total / seconds, latencies.Summarize());
    }
}

/// <summary>Operations per second with latency percentiles.</summary>
public sealed record ThroughputResult(double PerSecond, LatencySummary Latency);

/// <summary>Fan-out outcome: events written, watchers that saw all of them, and delivery delays.</summary>
public sealed record FanoutResult(long Events, long CompleteWatchers, int Watchers, LatencySummary Delay);
