using System.Globalization;

namespace Korvet.Bench.Cluster;

/// <summary>Options of <c>korvet-bench cluster</c>; the defaults are issue #4's figures. Immutable once parsed.</summary>
/// <param name="Nodes">Simulated nodes of the deployment scenario.</param>
/// <param name="Replicas">Replicas of the deployment scenario.</param>
/// <param name="MemoryNodes">Simulated nodes of the memory scenario.</param>
/// <param name="MemoryPods">Pods of the memory scenario (created as Deployments of <see cref="MemoryBatch"/> replicas).</param>
/// <param name="MemoryBatch">Replicas per Deployment in the memory scenario.</param>
/// <param name="Only">Scenarios to run: "deploy", "memory".</param>
/// <param name="Timeout">Longest wait for a scenario to reach its end state.</param>
/// <param name="OutputFile">Also write the Markdown report here.</param>
/// <param name="Korvet">When set, the memory scenario runs this published <c>korvet</c> binary as a child process and
/// measures that process (its own runtime settings); otherwise it runs the server in this process.</param>
/// <param name="Hold">After the memory scenario, keep the process (and its cluster) alive this long, so a heap
/// inspector can attach to it.</param>
public sealed record ClusterBenchOptions(int Nodes, int Replicas, int MemoryNodes, int MemoryPods, int MemoryBatch, IReadOnlySet<string> Only,
    TimeSpan Timeout, string? OutputFile, TimeSpan Hold = default, string? Korvet = null)
{
    public static ClusterBenchOptions Parse(string[] args)
    {
        var options = new ClusterBenchOptions(100, 1000, 1000, 30_000, 1000, new HashSet<string> { "deploy", "memory" },
            TimeSpan.FromMinutes(10), null);
        if (args.Length % 2 != 0)
        {
            throw new ArgumentException($"option {args[^1]} needs a value");
        }

        for (int i = 0; i < args.Length; i += 2)
        {
            string value = args[i + 1];
            options = args[i] switch
            {
                "--nodes" => options with { Nodes = Int(value) },
                "--replicas" => options with { Replicas = Int(value) },
                "--memory-nodes" => options with { MemoryNodes = Int(value) },
                "--memory-pods" => options with { MemoryPods = Int(value) },
                "--memory-batch" => options with { MemoryBatch = Int(value) },
                "--only" => options with { Only = value.Split(',', StringSplitOptions.RemoveEmptyEntries).ToHashSet() },
                "--timeout" => options with { Timeout = TimeSpan.FromSeconds(double.Parse(value, CultureInfo.InvariantCulture)) },
                "--out" => options with { OutputFile = value },
                "--korvet" => options with { Korvet = value },
                "--hold" => options with { Hold = TimeSpan.FromSeconds(double.Parse(value, CultureInfo.InvariantCulture)) },
                _ => throw new ArgumentException($"unknown option {args[i]}"),
            };
        }

        return options;
    }

    private static int Int(string value) => int.Parse(value, CultureInfo.InvariantCulture);
}
