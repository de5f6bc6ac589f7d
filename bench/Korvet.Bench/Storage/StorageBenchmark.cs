using System.Globalization;
using System.Text;
using Korvet.Bench.Support;
using Korvet.Storage;

namespace Korvet.Bench.Storage;

/// <summary>
/// Issue #2's figures: SQLite (embedded) and one local etcd member side by side in one run, through the same
/// <see cref="IBackend"/> client code and 1 KiB values. etcd is the baseline the SQLite figures are compared with.
/// </summary>
public static class StorageBenchmark
{
    private sealed record Row(string Workload, string Backend, string Figure, string Latency);

    public static async Task<int> RunAsync(BenchOptions options)
    {
        var rows = new List<Row>();
        string dir = Directory.CreateTempSubdirectory("korvet-bench-sqlite-").FullName;
        try
        {
            await using EtcdProcess etcd = await EtcdProcess.StartAsync(options.EtcdPath, CancellationToken.None);
            var backends = new (string Name, Func<Task<IBackend>> Open)[]
            {
                ("sqlite", async () => await BackendFactory.OpenSqliteAsync(Path.Combine(dir, "state.db"))),
                ("etcd", () => Task.FromResult(BackendFactory.OpenEtcd(etcd.ClientUrl))),
            };
            var creates = new Dictionary<string, double>();
            foreach ((string name, Func<Task<IBackend>> open) in backends)
            {
                await using IBackend backend = await open();
                var workloads = new StorageWorkloads(backend, options.Duration);
                Console.Error.WriteLine($"[{name}] creates, 64 writers");
                ThroughputResult c = await workloads.CreatesAsync(64, "/bench/creates");
                creates[name] = c.PerSecond;
                rows.Add(new Row("creates, 64 concurrent writers, 1 KiB", name, Rate(c.PerSecond, "creates/s"), Lat(c.Latency)));

                Console.Error.WriteLine($"[{name}] point reads, 64 readers");
                ThroughputResult r = await workloads.PointReadsAsync(64, 10_000, "/bench/reads");
                rows.Add(new Row("point gets, 64 concurrent readers", name, Rate(r.PerSecond, "gets/s"), Lat(r.Latency)));

                Console.Error.WriteLine($"[{name}] watch fan-out, {options.Watchers} watchers");
                FanoutResult f = await workloads.WatchFanoutAsync(options.Watchers, 1000, "/bench/fanout");
                rows.Add(new Row($"watch fan-out, {f.Watchers} watchers, 1,000 writes/s", name,
                    $"{f.CompleteWatchers}/{f.Watchers} watchers saw all {f.Events} events",
                    $"delay p50 {f.Delay.P50Ms:F1} ms, p99 {f.Delay.P99Ms:F1} ms, max {f.Delay.MaxMs:F1} ms"));

                Console.Error.WriteLine($"[{name}] updates under compaction");
                ThroughputResult u = await workloads.UpdatesUnderCompactionAsync(16, 1024, TimeSpan.FromMilliseconds(500), 1000, "/bench/compact");
                rows.Add(new Row("updates, 16 writers, compaction every 0.5 s", name, Rate(u.PerSecond, "updates/s"), Lat(u.Latency)));
            }

            string report = Render(rows, creates, options);
            Console.WriteLine(report);
            if (options.OutputFile is not null)
            {
                await File.WriteAllTextAsync(options.OutputFile, report);
            }

            return 0;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static string Rate(double perSecond, string unit) => $"{perSecond.ToString("N0", CultureInfo.InvariantCulture)} {unit}";

    private static string Lat(LatencySummary l) => $"p50 {l.P50Ms:F2} ms, p99 {l.P99Ms:F2} ms, max {l.MaxMs:F1} ms";

    private static string Render(List<Row> rows, Dictionary<string, double> creates, BenchOptions options)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Storage run {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, {options.Duration.TotalSeconds:F0} s per workload.");
        text.AppendLine();
        text.AppendLine("| workload | backend | figure | latency |");
        text.AppendLine("|---|---|---|---|");
        foreach (Row row in rows)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {row.Workload} | {row.Backend} | {row.Figure} | {row.Latency} |");
        }

        if (creates.TryGetValue("sqlite", out double s) && creates.TryGetValue("etcd", out double e) && e > 0)
        {
            text.AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture, $"SQLite / etcd create throughput ratio: {s / e:F2}x");
        }

        return text.ToString();
    }
}
