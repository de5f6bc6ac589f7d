using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace Korvet.Bench.Api;

/// <summary>
/// The API server workloads of issue #3, sent over HTTPS with the admin token by <see cref="HttpClient"/>: single
/// object GETs, pod creates, a LIST of many pods as a Table, and watch fan-out to many clients.
/// </summary>
public sealed class ApiWorkloads(HttpClient client, BenchOptions options)
{
    public const string TableAccept = "application/json;as=Table;v=v1;g=meta.k8s.io";

    private static readonly TimeSpan Warmup = TimeSpan.FromSeconds(1);

    public static string PodJson(string name) =>
        "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"" + name + "\",\"labels\":{\"app\":\"bench\",\"tier\":\"web\"}},"
        + "\"spec\":{\"containers\":[{\"name\":\"web\",\"image\":\"nginx:1.27\",\"ports\":[{\"containerPort\":80}],"
        + "\"resources\":{\"requests\":{\"cpu\":\"10m\",\"memory\":\"16Mi\"}}}]}}";

    public async Task CreateNamespaceAsync(string name)
    {
        using var content = new StringContent("{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"" + name + "\"}}",
            Encoding.UTF8, "application/json");
        using HttpResponseMessage response = await client.PostAsync("/api/v1/namespaces", content);
        if (response.StatusCode is not (HttpStatusCode.Created or HttpStatusCode.Conflict))
        {
            throw new InvalidOperationException($"creating namespace {name}: {(int)response.StatusCode}");
        }
    }

    public async Task<bool> CreatePodAsync(string ns, string name)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/namespaces/{ns}/pods")
        {
            Content = new StringContent(PodJson(name), Encoding.UTF8, "application/json"),
        };
        using HttpResponseMessage response = await client.SendAsync(request);
        await response.Content.ReadAsByteArrayAsync();
        return response.StatusCode == HttpStatusCode.Created;
    }

    /// <summary>GETs one path from <paramref name="target"/> as fast as <see cref="BenchOptions.Clients"/> clients can, for
    /// half the duration (the GET comparison runs two rounds).</summary>
    public Task<LoadResult> GetsAsync(HttpClient target, string path, int expectedLength) =>
        ClosedLoop.RunAsync(options.Clients, options.Duration / 2, Warmup, async (_, _) =>
        {
            using HttpResponseMessage response = await target.GetAsync(path);
            byte[] body = await response.Content.ReadAsByteArrayAsync();
            return response.StatusCode == HttpStatusCode.OK && body.Length == expectedLength;
        });

    /// <summary>Creates distinct pods in <paramref name="ns"/>; returns the rate and how many were created.</summary>
    public async Task<(LoadResult Result, long Created)> CreatesAsync(string ns)
    {
        long created = 0;
        LoadResult result = await ClosedLoop.RunAsync(options.Clients, options.Duration, Warmup, async (c, i) =>
        {
            bool ok = await CreatePodAsync(ns, $"bench-{c}-{i}");
            if (ok)
            {
                Interlocked.Increment(ref created);
            }

            return ok;
        });
        return (result, created);
    }

    /// <summary>Creates pods in <paramref name="ns"/> until it holds <paramref name="count"/> (not timed).</summary>
    public async Task FillAsync(string ns, long existing, int count)
    {
        long missing = count - existing;
        if (missing <= 0)
        {
            return;
        }

        await Parallel.ForAsync(0L, missing, new ParallelOptions { MaxDegreeOfParallelism = options.Clients }, async (i, _) =>
        {
            if (!await CreatePodAsync(ns, $"fill-{i}"))
            {
                throw new InvalidOperationException("a fill create failed");
            }
        });
    }

    /// <summary>Times LISTs of <paramref name="ns"/>'s pods as a Table: whole lists, and kubectl's 500-item chunks.</summary>
    public async Task<ListResult> TableListsAsync(string ns, int repetitions)
    {
        var whole = new List<double>();
        var chunked = new List<double>();
        int rows = 0;
        long bytes = 0;
        for (int r = 0; r < repetitions + 1; r++)
        {
            long t0 = Stopwatch.GetTimestamp();
            (int n, long size) = await ListPageAsync($"/api/v1/namespaces/{ns}/pods", "");
            double ms = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            long t1 = Stopwatch.GetTimestamp();
            string next = "";
            int chunkedRows = 0;
            do
            {
                (int pageRows, _, next) = await ListChunkAsync($"/api/v1/namespaces/{ns}/pods?limit=500", next);
                chunkedRows += pageRows;
            }
            while (next.Length > 0);
            double chunkMs = Stopwatch.GetElapsedTime(t1).TotalMilliseconds;
            if (chunkedRows != n)
            {
                throw new InvalidOperationException($"chunked list saw {chunkedRows} rows, whole list {n}");
            }

            if (r > 0)
            {
                // The first round warms up (JIT of the Table printers).
                whole.Add(ms);
                chunked.Add(chunkMs);
            }

            (rows, bytes) = (n, size);
        }

        whole.Sort();
        chunked.Sort();
        return new ListResult(rows, bytes, whole[whole.Count / 2], whole[^1], chunked[chunked.Count / 2], chunked[^1]);
    }

    private async Task<(int Rows, long Bytes)> ListPageAsync(string path, string continueToken)
    {
        (int rows, long bytes, _) = await ListChunkAsync(path, continueToken);
        return (rows, bytes);
    }

    private async Task<(int Rows, long Bytes, string Continue)> ListChunkAsync(string path, string continueToken)
    {
        string uri = continueToken.Length == 0 ? path : $"{path}{(path.Contains('?', StringComparison.Ordinal) ? '&' : '?')}continue={Uri.EscapeDataString(continueToken)}";
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.Headers.Accept.Add(MediaTypeWithQualityHeaderValue.Parse(TableAccept));
        using HttpResponseMessage response = await client.SendAsync(request);
        byte[] body = await response.Content.ReadAsByteArrayAsync();
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"table list answered {(int)response.StatusCode}: {Encoding.UTF8.GetString(body)}");
        }

        using var doc = System.Text.Json.JsonDocument.Parse(body);
        int rows = doc.RootElement.GetProperty("rows").GetArrayLength();
        string next = doc.RootElement.GetProperty("metadata").TryGetProperty("continue", out var c) ? c.GetString() ?? "" : "";
        return (rows, body.Length, next);
    }
}

/// <summary>LIST-as-Table timings in milliseconds (median and max over the repetitions).</summary>
public sealed record ListResult(int Rows, long Bytes, double WholeMedianMs, double WholeMaxMs, double ChunkedMedianMs, double ChunkedMaxMs);
