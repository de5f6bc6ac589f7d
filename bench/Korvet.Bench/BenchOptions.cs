using System.Globalization;

namespace Korvet.Bench;

/// <summary>Command-line options shared by the benchmarks. Immutable once parsed.</summary>
public sealed record BenchOptions(TimeSpan Duration, string EtcdPath, int Watchers, string? OutputFile)
{
    /// <summary>Concurrent HTTP clients of the API load tests.</summary>
    public int Clients { get; init; } = 64;

    /// <summary>HTTP version of the API load tests: "1.1" or "2".</summary>
    public string Protocol { get; init; } = "1.1";

    /// <summary>Pods in the LIST-as-Table workload.</summary>
    public int ListSize { get; init; } = 10_000;

    /// <summary>Writes per second while the watch fan-out is measured.</summary>
    public int WatchRate { get; init; } = 20;

    /// <summary>The published <c>korvet</c> executable for the startup and RSS figures (skipped when null).</summary>
    public string? KorvetPath { get; init; }

    /// <summary>GET load generator: "wrk" (a separate C process; the default when wrk is on PATH) or "http" (the
    /// benchmark's own in-process HttpClient loop).</summary>
    public string GetLoad { get; init; } = Api.WrkLoad.Locate() is null ? "http" : "wrk";

    /// <summary>Comma-separated subset of the API workloads to run (get,create,list,watch,startup); null = all.</summary>
    public string? Only { get; init; }

    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions(TimeSpan.FromSeconds(5), "/usr/bin/etcd", 1000, null);
        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            string value = args[i + 1];
            options = args[i] switch
            {
                "--duration" => options with { Duration = TimeSpan.FromSeconds(double.Parse(value, CultureInfo.InvariantCulture)) },
                "--etcd" => options with { EtcdPath = value },
                "--watchers" => options with { Watchers = int.Parse(value, CultureInfo.InvariantCulture) },
                "--out" => options with { OutputFile = value },
                "--clients" => options with { Clients = int.Parse(value, CultureInfo.InvariantCulture) },
                "--protocol" => options with { Protocol = value is "1.1" or "2" ? value : throw new ArgumentException("--protocol is 1.1 or 2") },
                "--list-size" => options with { ListSize = int.Parse(value, CultureInfo.InvariantCulture) },
                "--watch-rate" => options with { WatchRate = int.Parse(value, CultureInfo.InvariantCulture) },
                "--korvet" => options with { KorvetPath = value },
                "--only" => options with { Only = value },
                "--get-load" => options with { GetLoad = value is "wrk" or "http" ? value : throw new ArgumentException("--get-load is wrk or http") },
                _ => throw new ArgumentException($"unknown option {args[i]}"),
            };
        }

        return options;
    }

    public bool Runs(string workload) => Only is null || Only.Split(',').Contains(workload);
}
