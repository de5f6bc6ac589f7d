using System.Globalization;

namespace Korvet.Bench.Scheduling;

/// <summary>Options of <c>korvet-bench scheduler</c>; the defaults are issue #4's figure. Immutable once parsed.</summary>
public sealed record SchedulerBenchOptions(int Nodes, int ExistingPods, int Pods, int Creators, TimeSpan Timeout, TimeSpan SampleInterval,
    string? OutputFile)
{
    public static SchedulerBenchOptions Parse(string[] args)
    {
        var options = new SchedulerBenchOptions(5000, 1000, 10_000, 32, TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(1), null);
        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            string value = args[i + 1];
            options = args[i] switch
            {
                "--nodes" => options with { Nodes = int.Parse(value, CultureInfo.InvariantCulture) },
                "--existing-pods" => options with { ExistingPods = int.Parse(value, CultureInfo.InvariantCulture) },
                "--pods" => options with { Pods = int.Parse(value, CultureInfo.InvariantCulture) },
                "--creators" => options with { Creators = int.Parse(value, CultureInfo.InvariantCulture) },
                "--timeout" => options with { Timeout = TimeSpan.FromSeconds(double.Parse(value, CultureInfo.InvariantCulture)) },
                "--sample" => options with { SampleInterval = TimeSpan.FromSeconds(double.Parse(value, CultureInfo.InvariantCulture)) },
                "--out" => options with { OutputFile = value },
                _ => throw new ArgumentException($"unknown option {args[i]}"),
            };
        }

        if (args.Length % 2 != 0)
        {
            throw new ArgumentException($"option {args[^1]} needs a value");
        }

        return options;
    }
}
