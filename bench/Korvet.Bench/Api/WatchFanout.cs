using System.Buffers.Text;
using System.Diagnostics;
using System.Net;
using System.Text;
using Korvet.Bench.Support;

namespace Korvet.Bench.Api;

/// <summary>Outcome of the watch fan-out: how many watchers saw every event, and the delivery delays.</summary>
public sealed record WatchResult(int Watchers, int CompleteWatchers, long Events, LatencySummary Delay, double ConnectSeconds);

/// <summary>
/// <c>watchers</c> HTTP/1.1 watches (one TLS connection each, like separate informers) on one namespace's ConfigMaps,
/// then a paced writer creates ConfigMaps at <c>rate</c> per second. Each ConfigMap carries the Stopwatch timestamp
/// taken just before its create was sent, so a delay includes the write. The first second is warm-up and not recorded;
/// every watcher must still receive every event.
/// </summary>
public static class WatchFanout
{
    private static readonly byte[] StampKey = "\"t\":\""u8.ToArray();
    private static readonly byte[] AddedType = "{\"type\":\"ADDED\""u8.ToArray();

    public static async Task<WatchResult> RunAsync(HttpClient writer, Func<HttpClient> watcherClient, string ns, int watchers, int rate,
        TimeSpan duration)
    {
        using HttpClient watchClient = watcherClient();
        string rv = await CurrentRevisionAsync(writer, ns);
        using var stop = new CancellationTokenSource();
        var latencies = new LatencyRecorder();
        var counts = new long[watchers];
        long connectStart = Stopwatch.GetTimestamp();
        var connected = new TaskCompletionSource[watchers];
        var tasks = new Task[watchers];
        using var connectLimit = new SemaphoreSlim(32);
        for (int w = 0; w < watchers; w++)
        {
            int index = w;
            connected[w] = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            tasks[w] = Task.Run(() => WatchAsync(watchClient, $"/api/v1/namespaces/{ns}/configmaps?watch=1&resourceVersion={rv}", index, counts,
                latencies, connected[index], connectLimit, stop.Token));
        }

        await Task.WhenAll(connected.Select(c => c.Task));
        double connectSeconds = Stopwatch.GetElapsedTime(connectStart).TotalSeconds;

        // Paced writes: the first second is warm-up.
        long warmEnd = Stopwatch.GetTimestamp() + Stopwatch.Frequency;
        int total = (int)(rate * (duration.TotalSeconds + 1));
        long start = Stopwatch.GetTimestamp();
        var writes = new List<Task>(total);
        for (int i = 0; i < total; i++)
        {
            long due = start + (long)(i * (double)Stopwatch.Frequency / rate);
            long wait = due - Stopwatch.GetTimestamp();
            if (wait > 0)
            {
                await Task.Delay(TimeSpan.FromSeconds((double)wait / Stopwatch.Frequency));
            }

            bool warm = Stopwatch.GetTimestamp() < warmEnd;
            writes.Add(CreateStampedAsync(writer, ns, $"w-{i}", warm));
        }

        await Task.WhenAll(writes);
        long deadline = Stopwatch.GetTimestamp() + 30 * Stopwatch.Frequency;
        while (Enumerable.Range(0, watchers).Any(i => Volatile.Read(ref counts[i]) < total) && Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(50);
        }

        await stop.CancelAsync();
        await Task.WhenAll(tasks);
        int complete = counts.Count(c => c == total);
        return new WatchResult(watchers, complete, total, latencies.Summarize(), connectSeconds);
    }

    private static async Task<string> CurrentRevisionAsync(HttpClient client, string ns)
    {
        using HttpResponseMessage response = await client.GetAsync($"/api/v1/namespaces/{ns}/configmaps");
        response.EnsureSuccessStatusCode();
        using var doc = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync());
        return doc.RootElement.GetProperty("metadata").GetProperty("resourceVersion").GetString()!;
    }

    private static async Task CreateStampedAsync(HttpClient client, string ns, string name, bool warm)
    {
        long stamp = warm ? 0 : Stopwatch.GetTimestamp();
        string json = "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"" + name + "\"},\"data\":{\"t\":\"" + stamp + "\"}}";
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using HttpResponseMessage response = await client.PostAsync($"/api/v1/namespaces/{ns}/configmaps", content);
        if (response.StatusCode != HttpStatusCode.Created)
        {
            throw new InvalidOperationException($"watch writer: create answered {(int)response.StatusCode}");
        }
    }

    private static async Task WatchAsync(HttpClient client, string path, int index, long[] counts, LatencyRecorder latencies,
        TaskCompletionSource connected, SemaphoreSlim connectLimit, CancellationToken stop)
    {
        LatencyRecorder.Buffer buffer = latencies.CreateBuffer();
        try
        {
            HttpResponseMessage response;
            await connectLimit.WaitAsync(stop);
            try
            {
                response = await client.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, stop);
                response.EnsureSuccessStatusCode();
            }
            finally
            {
                connectLimit.Release();
            }

            connected.TrySetResult();
            using (response)
            {
                await using Stream stream = await response.Content.ReadAsStreamAsync(stop);
                byte[] data = new byte[64 * 1024];
                int filled = 0;
                while (true)
                {
                    int read = await stream.ReadAsync(data.AsMemory(filled), stop);
                    if (read == 0)
                    {
                        return;
                    }

                    filled += read;
                    int start = 0;
                    int newline;
                    while ((newline = data.AsSpan(start, filled - start).IndexOf((byte)'\n')) >= 0)
                    {
                        Observe(data.AsSpan(start, newline), index, counts, buffer);
                        start += newline + 1;
                    }

                    data.AsSpan(start, filled - start).CopyTo(data);
                    filled -= start;
                    if (filled == data.Length)
                    {
                        Array.Resize(ref data, data.Length * 2);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Done.
        }
        catch (Exception e)
        {
            connected.TrySetException(e);
        }
        finally
        {
            buffer.Flush();
        }
    }

    private static void Observe(ReadOnlySpan<byte> line, int index, long[] counts, LatencyRecorder.Buffer buffer)
    {
        long now = Stopwatch.GetTimestamp();
        if (!line.StartsWith(AddedType))
        {
            return;
        }

        counts[index]++;
        int at = line.IndexOf(StampKey);
        if (at >= 0 && Utf8Parser.TryParse(line[(at + StampKey.Length)..], out long stamp, out _) && stamp > 0)
        {
            buffer.Add(now - stamp);
        }
    }
}
