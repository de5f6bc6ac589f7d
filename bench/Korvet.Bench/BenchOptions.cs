using System.Globalization;

namespace Korvet.Bench;

/// <summary>Command-line options shared by the benchmarks. Immutable once parsed.</summary>
public sealed record BenchOptions(TimeSpan Duration, string EtcdPath, int Watchers, string? OutputFile)
{
    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions(TimeSpan.FromSeconds(5), "/usr/bin/etcd", 1000, null);
        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            options = args[i] switch
            {
                "--duration" => options with { Duration = TimeSpan.FromSeconds(double.Parse(args[i + 1], CultureInfo.InvariantCulture)) },
                "--etcd" => options with { EtcdPath = args[i + 1] },
                "--watchers" => options with { Watchers = int.Parse(args[i + 1], CultureInfo.InvariantCulture) },
                "--out" => options with { OutputFile = args[i + 1] },
                _ => throw new ArgumentException($"unknown option {args[i]}"),
            };
        }

        return options;
    }
}
