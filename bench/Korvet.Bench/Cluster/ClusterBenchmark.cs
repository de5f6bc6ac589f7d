using System.Diagnostics;
using System.Globalization;
using System.Text;
using Korvet.Api.Apps.V1;
using Korvet.Api.Core.V1;
using Korvet.Api.Meta.V1;

namespace Korvet.Bench.Cluster;

/// <summary>
/// Issue #4's whole-cluster figures, each in one process holding everything <c>korvet server --simulate-nodes N</c>
/// runs (API server on SQLite, controller manager, scheduler, simulated nodes):
/// <list type="bullet">
/// <item>deploy: a Deployment of R replicas on N nodes, time from the create until all R pods are Running; the
/// baseline in the same run is R bare pods created already bound to nodes (no controller, no scheduler on their path)
/// until all are Running — the floor set by the API server and the simulated kubelets;</item>
/// <item>memory: N nodes and P pods (Deployments of B replicas), the process's RSS once all are Running, against the
/// same process's RSS when it held the nodes and no pods.</item>
/// </list>
/// </summary>
public static class ClusterBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        ClusterBenchOptions options = ClusterBenchOptions.Parse(args);
        var report = new StringBuilder();
        report.AppendLine(CultureInfo.InvariantCulture, $"# korvet-bench cluster — {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, server GC: {System.Runtime.GCSettings.IsServerGC}");
        report.AppendLine();
        if (options.Only.Contains("deploy"))
        {
            report.Append(await DeployAsync(options));
        }

        if (options.Only.Contains("memory"))
        {
            report.Append(await MemoryAsync(options));
        }

        Console.Write(report);
        if (options.OutputFile is not null)
        {
            await File.WriteAllTextAsync(options.OutputFile, report.ToString());
        }

        return 0;
    }

    private static async Task<string> DeployAsync(ClusterBenchOptions options)
    {
        await using var cluster = await BenchCluster.StartAsync(options.Nodes);
        string[] nodes = await cluster.ReadyNodesAsync(options.Nodes, options.Timeout);

        // Baseline: bare pods already bound round-robin to the nodes.
        await cluster.CreateNamespaceAsync("baseline");
        var bare = Stopwatch.StartNew();
        await BenchCluster.ParallelAsync(options.Replicas, 32, i => cluster.Client.Resource<Pod>().CreateAsync(new Pod
        {
            Metadata = new ObjectMeta { Name = $"bare-{i}", Namespace = "baseline", Labels = new() { ["app"] = "bare" } },
            Spec = new PodSpec { NodeName = nodes[i % nodes.Length], Containers = [new Container { Name = "c", Image = "nginx" }] },
        }));
        TimeSpan bareCreated = bare.Elapsed;
        await cluster.WaitRunningAsync("baseline", options.Replicas, options.Timeout);
        TimeSpan bareRunning = bare.Elapsed;

        await cluster.CreateNamespaceAsync("bench");
        var deploy = Stopwatch.StartNew();
        await cluster.Client.Resource<Deployment>().CreateAsync(BenchCluster.NewDeployment("bench", "web", options.Replicas));
        await cluster.WaitRunningAsync("bench", options.Replicas, options.Timeout);
        TimeSpan deployRunning = deploy.Elapsed;

        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"## Deployment of {options.Replicas} replicas on {options.Nodes} simulated nodes");
        text.AppendLine();
        text.AppendLine("| path | all pods Running after | ratio |");
        text.AppendLine("|---|---|---|");
        text.AppendLine(CultureInfo.InvariantCulture, $"| baseline: {options.Replicas} bare pods created bound (creates took {bareCreated.TotalSeconds:F2} s) | {bareRunning.TotalSeconds:F2} s | 1.00 |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| Deployment (controllers + scheduler + nodes) | {deployRunning.TotalSeconds:F2} s | {deployRunning / bareRunning:F2} |");
        text.AppendLine();
        return text.ToString();
    }

    private static async Task<string> MemoryAsync(ClusterBenchOptions options)
    {
        await using BenchCluster cluster = options.Korvet is { } korvet
            ? await BenchCluster.StartProcessAsync(korvet, options.MemoryNodes)
            : await BenchCluster.StartAsync(options.MemoryNodes);
        await cluster.ReadyNodesAsync(options.MemoryNodes, options.Timeout);
        long nodesOnly = Rss(cluster);
        await cluster.CreateNamespaceAsync("mem");
        var clock = Stopwatch.StartNew();
        int deployments = (options.MemoryPods + options.MemoryBatch - 1) / options.MemoryBatch;
        for (int d = 0; d < deployments; d++)
        {
            int replicas = Math.Min(options.MemoryBatch, options.MemoryPods - (d * options.MemoryBatch));
            await cluster.Client.Resource<Deployment>().CreateAsync(BenchCluster.NewDeployment("mem", $"mem-{d}", replicas));
        }

        // Polled once a second: each poll lists every Running pod, which would otherwise load the server measured.
        await cluster.WaitRunningAsync("mem", options.MemoryPods, options.Timeout, pollMs: 1000);
        TimeSpan running = clock.Elapsed;
        long full = Rss(cluster);
        string heap = "";
        if (cluster.Process is null)
        {
            GCMemoryInfo gcInfo = GC.GetGCMemoryInfo();
            heap = $"; managed heap {gcInfo.HeapSizeBytes / 1048576.0:F0} MB, GC committed {gcInfo.TotalCommittedBytes / 1048576.0:F0} MB";
        }

        if (options.Hold > TimeSpan.Zero)
        {
            Console.Error.WriteLine($"holding pid {cluster.Process?.Id ?? Environment.ProcessId} for {options.Hold.TotalSeconds:F0} s");
            await Task.Delay(options.Hold);
        }

        string who = cluster.Process is null
            ? "the benchmark process (server, controllers, scheduler, simulated nodes in-process; after a forced compacting GC)"
            : "the `korvet server --simulate-nodes` process (median of 5 samples after 15 s idle)";
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"## Memory: {options.MemoryNodes} simulated nodes, {options.MemoryPods} pods ({deployments} Deployments)");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"| state | RSS of {who} |");
        text.AppendLine("|---|---|");
        text.AppendLine(CultureInfo.InvariantCulture, $"| baseline: {options.MemoryNodes} nodes, no pods | {nodesOnly / 1048576.0:F0} MB |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| {options.MemoryPods} pods Running (after {running.TotalSeconds:F0} s) | {full / 1048576.0:F0} MB ({(full - nodesOnly) / 1024.0 / options.MemoryPods:F1} KB per pod above the baseline{heap}) |");
        text.AppendLine();
        return text.ToString();
    }

    /// <summary>The measured server's resident set: the child's after it idled, else this process's after a full GC.</summary>
    private static long Rss(BenchCluster cluster)
    {
        if (cluster.Process is not { } process)
        {
            return SettledRss();
        }

        Thread.Sleep(15_000);
        var samples = new List<long>();
        for (int i = 0; i < 5; i++)
        {
            samples.Add(process.Rss());
            Thread.Sleep(1000);
        }

        samples.Sort();
        return samples[2];
    }

    /// <summary>VmRSS after a full blocking GC and a short settle, so the figure is what stays, not garbage.</summary>
    private static long SettledRss()
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        Thread.Sleep(2000);
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        using Process self = Process.GetCurrentProcess();
        self.Refresh();
        return self.WorkingSet64;
    }
}
