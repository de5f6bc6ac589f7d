using System.Globalization;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Korvet.Bench.Support;
using Korvet.Server;

namespace Korvet.Bench.Api;

/// <summary>
/// Issue #3's figures: an in-process <see cref="ServerHost"/> (embedded SQLite, no agent) loaded over HTTPS with the
/// admin token by the same <see cref="HttpClient"/> code that also loads a bare Kestrel endpoint serving the same bytes
/// on the same certificate (the baseline); startup and idle RSS come from the published executable.
/// </summary>
public static class ApiBenchmark
{
    private sealed record Row(string Workload, string Figure, string Latency);

    public static async Task<int> RunAsync(BenchOptions options)
    {
        var rows = new List<Row>();
        var checks = new List<string>();
        if (options.Runs("get") || options.Runs("create") || options.Runs("list") || options.Runs("watch"))
        {
            await RunInProcessAsync(options, rows, checks);
        }

        if (options.Runs("get") && options.KorvetPath is not null)
        {
            await MeasurePublishedGetsAsync(options, rows, checks);
        }

        if (options.Runs("startup"))
        {
            if (options.KorvetPath is null)
            {
                Console.Error.WriteLine("[startup] skipped: pass --korvet PATH (dotnet publish src/Korvet -c Release -o OUT; PATH = OUT/korvet)");
            }
            else
            {
                Console.Error.WriteLine("[startup] published korvet: first start, 3 restarts, idle RSS");
                StartupResult s = await StartupProbe.RunAsync(options.KorvetPath, 3, TimeSpan.FromSeconds(5));
                rows.Add(new Row("`korvet server` start to /readyz, fresh data dir (credentials generated)", $"{s.FirstStartMs:F0} ms", ""));
                rows.Add(new Row($"`korvet server` start to /readyz, restart (median of {s.Restarts})", $"{s.RestartMedianMs:F0} ms", $"max {s.RestartMaxMs:F0} ms"));
                rows.Add(new Row("idle RSS, 5 s after ready", $"{s.IdleRssBytes / (1024.0 * 1024):F0} MB", ""));
                checks.Add(Check("start to /readyz (restart)", "≤ 1 s", $"{s.RestartMedianMs:F0} ms (fresh data dir: {s.FirstStartMs:F0} ms)", s.RestartMedianMs <= 1000));
                checks.Add(Check("idle RSS", "≤ 120 MB", $"{s.IdleRssBytes / (1024.0 * 1024):F0} MB", s.IdleRssBytes <= 120L * 1024 * 1024));
            }
        }

        string report = Render(rows, checks, options);
        Console.WriteLine(report);
        if (options.OutputFile is not null)
        {
            await File.WriteAllTextAsync(options.OutputFile, report);
        }

        return 0;
    }

    private static async Task RunInProcessAsync(BenchOptions options, List<Row> rows, List<string> checks)
    {
        string dir = Directory.CreateTempSubdirectory("korvet-bench-api-").FullName;
        try
        {
            // The API server alone: a scheduler or controllers would rewrite the objects the GETs read.
            await using ServerHost host = await ServerHost.StartAsync(new ServerOptions(dir, IPAddress.Loopback, HttpsPort: 0, DisableAgent: true,
                DisableScheduler: true, DisableControllers: true));
            using X509Certificate2 ca = X509Certificate2.CreateFromPem(host.Credentials.CaPem);
            string token = host.Credentials.AdminToken;
            string proto = options.Protocol == "2" ? "HTTP/2" : "HTTP/1.1";
            using HttpClient api = HttpClients.Create(host.BaseAddress, ca, token, options.Protocol, options.Clients);
            var workloads = new ApiWorkloads(api, options);

            if (options.Runs("get"))
            {
                await MeasureGetsAsync(options, api, host.BaseAddress, ca, token, host.Credentials.Serving, "in-process server (JIT)", rows, checks);
            }

            if (options.Runs("create"))
            {
                await workloads.CreateNamespaceAsync("bench-create");
                Console.Error.WriteLine($"[create] {options.Clients} clients creating pods");
                (LoadResult c, _) = await workloads.CreatesAsync("bench-create");
                rows.Add(new Row($"pod creates, {options.Clients} clients, {proto}, SQLite", Rate(c, "creates/s"), Lat(c)));
                checks.Add(Check("creates/s, 64 clients, SQLite", "≥ 3,000/s", Rate(c, "creates/s"), c.PerSecond >= 3000));
                checks.Add(Check("create p99", "≤ 50 ms", $"{c.Latency.P99Ms:F2} ms", c.Latency.P99Ms <= 50));
            }

            if (options.Runs("list"))
            {
                // Its own namespace, so the list holds exactly --list-size pods whatever the creates workload made.
                await workloads.CreateNamespaceAsync("bench-list");
                Console.Error.WriteLine($"[list] filling to {options.ListSize} pods");
                await workloads.FillAsync("bench-list", 0, options.ListSize);
                Console.Error.WriteLine("[list] LIST as Table");
                ListResult l = await workloads.TableListsAsync("bench-list", 5);
                rows.Add(new Row($"LIST {l.Rows:N0} pods as Table, one request ({l.Bytes / 1024.0 / 1024:F1} MiB)", $"{l.WholeMedianMs:F0} ms (median of 5)", $"max {l.WholeMaxMs:F0} ms"));
                rows.Add(new Row($"LIST {l.Rows:N0} pods as Table, kubectl's 500-row chunks", $"{l.ChunkedMedianMs:F0} ms (median of 5)", $"max {l.ChunkedMaxMs:F0} ms"));
                checks.Add(Check($"LIST {l.Rows:N0} pods as Table", "≤ 300 ms", $"{l.WholeMedianMs:F0} ms (chunked {l.ChunkedMedianMs:F0} ms)", l.WholeMedianMs <= 300));
            }

            if (options.Runs("watch"))
            {
                await workloads.CreateNamespaceAsync("bench-watch");
                Console.Error.WriteLine($"[watch] {options.Watchers} watchers, {options.WatchRate} writes/s");
                WatchResult w = await WatchFanout.RunAsync(api,
                    () => HttpClients.Create(host.BaseAddress, ca, token, "1.1", options.Watchers + 1), "bench-watch", options.Watchers,
                    options.WatchRate, options.Duration);
                rows.Add(new Row($"watch fan-out, {w.Watchers} watchers (HTTP/1.1 each), {options.WatchRate} creates/s",
                    $"{w.CompleteWatchers}/{w.Watchers} watchers saw all {w.Events} events",
                    $"delay p50 {w.Delay.P50Ms:F1} ms, p99 {w.Delay.P99Ms:F1} ms, max {w.Delay.MaxMs:F1} ms (connect {w.ConnectSeconds:F1} s)"));
                checks.Add(Check($"watch, {w.Watchers} clients", "every event, p99 ≤ 100 ms",
                    $"{w.CompleteWatchers}/{w.Watchers} complete, p99 {w.Delay.P99Ms:F1} ms", w.CompleteWatchers == w.Watchers && w.Delay.P99Ms <= 100));
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>The GET figure of the published executable (<c>--korvet</c>): the API server alone, as a child process.</summary>
    private static async Task MeasurePublishedGetsAsync(BenchOptions options, List<Row> rows, List<string> checks)
    {
        string dir = Directory.CreateTempSubdirectory("korvet-bench-get-").FullName;
        try
        {
            await using KorvetProcess server = await KorvetProcess.StartAsync(options.KorvetPath!, dir, "--disable-scheduler", "--disable-controller-manager");
            var client = Korvet.Client.ClientOptions.FromKubeconfigFile(server.KubeconfigPath);
            using X509Certificate2 ca = X509Certificate2.CreateFromPem(client.CaPem!);
            using X509Certificate2 serving = X509Certificate2.CreateFromPemFile(Path.Combine(dir, "tls", "serving.crt"), Path.Combine(dir, "tls", "serving.key"));
            using HttpClient api = HttpClients.Create(client.Server, ca, client.BearerToken!, options.Protocol, options.Clients);
            await WaitReadyAsync(api);
            await MeasureGetsAsync(options, api, client.Server, ca, client.BearerToken!, serving, "published korvet (Native AOT)", rows, checks);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task WaitReadyAsync(HttpClient api)
    {
        for (int attempt = 0; attempt < 200; attempt++)
        {
            try
            {
                using HttpResponseMessage ready = await api.GetAsync("/readyz");
                if (ready.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(50);
        }

        throw new InvalidOperationException("the published korvet never became ready");
    }

    /// <summary>
    /// 64 clients GET one pod, then a bare Kestrel endpoint serving the same bytes over the same TLS, in two alternating
    /// rounds each (korvet, bare, korvet, bare) so neither side gains from running second (JIT tiering, thread-pool
    /// growth); rates are averaged, latencies are the worse round's.
    /// </summary>
    private static async Task MeasureGetsAsync(BenchOptions options, HttpClient api, Uri baseAddress, X509Certificate2 ca, string token,
        X509Certificate2 serving, string serverLabel, List<Row> rows, List<string> checks)
    {
        var workloads = new ApiWorkloads(api, options);
        await workloads.CreateNamespaceAsync("bench");
        if (!await workloads.CreatePodAsync("bench", "get-target"))
        {
            throw new InvalidOperationException("could not create the GET target pod");
        }

        const string path = "/api/v1/namespaces/bench/pods/get-target";
        using HttpResponseMessage once = await api.GetAsync(path);
        byte[] body = await once.Content.ReadAsByteArrayAsync();
        once.EnsureSuccessStatusCode();
        await using BareKestrel bare = await BareKestrel.StartAsync(serving, body, "application/json");
        using HttpClient bareClient = HttpClients.Create(bare.BaseAddress, ca, token, options.Protocol, options.Clients);

        string? wrk = options.GetLoad == "wrk" ? WrkLoad.Locate() ?? throw new InvalidOperationException("--get-load wrk: wrk is not on PATH (apt-get install wrk)") : null;
        string generator = wrk is null ? $"{(options.Protocol == "2" ? "HTTP/2" : "HTTP/1.1")}, in-process HttpClient" : "HTTP/1.1, wrk";
        var rounds = new List<(LoadResult Korvet, LoadResult Bare)>();
        for (int round = 0; round < 2; round++)
        {
            Console.Error.WriteLine($"[get] {serverLabel}, round {round + 1}: {options.Clients} clients, {generator}, korvet then bare Kestrel");
            LoadResult kr = wrk is null ? await workloads.GetsAsync(api, path, body.Length)
                : await WrkLoad.RunAsync(wrk, new Uri(baseAddress, path), token, options.Clients, options.Duration);
            LoadResult br = wrk is null ? await workloads.GetsAsync(bareClient, "/", body.Length)
                : await WrkLoad.RunAsync(wrk, bare.BaseAddress, token, options.Clients, options.Duration);
            rounds.Add((kr, br));
        }

        LoadResult k = Combine(rounds.Select(r => r.Korvet).ToList());
        LoadResult b = Combine(rounds.Select(r => r.Bare).ToList());
        double ratio = k.PerSecond / b.PerSecond;
        rows.Add(new Row($"single-object GET (pod, {body.Length} B), {serverLabel}, {options.Clients} clients, {generator}, TLS", Rate(k, "req/s"), Lat(k)));
        rows.Add(new Row("bare Kestrel, same bytes, same TLS and load generator", Rate(b, "req/s"), Lat(b)));
        rows.Add(new Row("korvet / bare Kestrel", $"{ratio:P0}", ""));
        checks.Add(Check($"GET req/s, 64 clients, {serverLabel}", "≥ 15,000/s", Rate(k, "req/s"), k.PerSecond >= 15_000));
        checks.Add(Check($"GET p99, {serverLabel}", "≤ 10 ms", $"{k.Latency.P99Ms:F2} ms", k.Latency.P99Ms <= 10));
        checks.Add(Check($"GET vs bare Kestrel, {serverLabel}", "≥ 50%", $"{ratio:P0}", ratio >= 0.5));
    }

    private static LoadResult Combine(List<LoadResult> rounds) => new(
        rounds.Average(r => r.PerSecond),
        new Support.LatencySummary(rounds.Sum(r => r.Latency.Count), rounds.Max(r => r.Latency.P50Ms), rounds.Max(r => r.Latency.P99Ms),
            rounds.Max(r => r.Latency.MaxMs)),
        rounds.Sum(r => r.Errors));

    private static string Rate(LoadResult r, string unit) =>
        $"{r.PerSecond.ToString("N0", CultureInfo.InvariantCulture)} {unit}" + (r.Errors > 0 ? $" ({r.Errors} errors)" : "");

    private static string Lat(LoadResult r) => $"p50 {r.Latency.P50Ms:F2} ms, p99 {r.Latency.P99Ms:F2} ms, max {r.Latency.MaxMs:F1} ms";

    private static string Check(string figure, string target, string measured, bool met) => $"| {figure} | {target} | {measured} | {(met ? "yes" : "no")} |";

    private static string Render(List<Row> rows, List<string> checks, BenchOptions options)
    {
        var text = new StringBuilder();
        double load = File.Exists("/proc/loadavg") ? double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture) : 0;
        text.AppendLine(CultureInfo.InvariantCulture,
            $"API run {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, load average {load:F2} at the end, {options.Duration.TotalSeconds:F0} s per workload (after 1 s warm-up), GC {(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")}.");
        text.AppendLine();
        text.AppendLine("| workload | figure | latency |");
        text.AppendLine("|---|---|---|");
        foreach (Row row in rows)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {row.Workload} | {row.Figure} | {row.Latency} |");
        }

        text.AppendLine();
        text.AppendLine("| figure the issue asks for | target | measured | met |");
        text.AppendLine("|---|---|---|---|");
        foreach (string check in checks)
        {
            text.AppendLine(check);
        }

        return text.ToString();
    }
}
