using System.Diagnostics;
using System.Globalization;
using Korvet.Api.Core.V1;
using Korvet.Api.Meta.V1;
using Korvet.Api.Resource;
using Korvet.Scheduler.Cache;
using Korvet.Scheduler.Framework;
using Status = Korvet.Scheduler.Framework.Status;

namespace Korvet.Bench.Scheduling;

/// <summary>
/// The scheduling cycle alone, without the API server: a cache of N nodes (scheduler_perf's node) and M bound pods,
/// then P cycles (filter + score + assume) of scheduler_perf's default pod on this thread. Reports the mean cycle
/// time and the bytes allocated per cycle, so the scheduler's own CPU cost can be told from API-server cost.
/// <c>korvet-bench scheduler-cycle [--nodes 5000] [--existing-pods 1000] [--pods 10000] [--parallelism N]</c>.
/// </summary>
public static class CycleBenchmark
{
    public static int Run(string[] args)
    {
        int nodes = Option(args, "--nodes", 5000);
        int existing = Option(args, "--existing-pods", 1000);
        int pods = Option(args, "--pods", 10000);
        int parallelism = Option(args, "--parallelism", 0);
        var cache = new SchedulerCache();
        for (int i = 0; i < nodes; i++)
        {
            cache.SetNode(NewNode($"node-{i}"));
        }

        for (int i = 0; i < existing; i++)
        {
            cache.SetPod(NewPod($"existing-{i}", $"node-{i % nodes}"));
        }

        var algorithm = new SchedulingAlgorithm(SchedulerProfile.CreateDefault(new NoBinder()), new Random(1), parallelism);
        var infos = new PodInfo[pods];
        for (int i = 0; i < pods; i++)
        {
            infos[i] = new PodInfo(NewPod($"pod-{i}", null));
        }

        // Warm-up outside the measurement (tiered JIT), on a copy of the first pods that is never assumed.
        for (int i = 0; i < Math.Min(500, pods); i++)
        {
            algorithm.Schedule(new PodInfo(NewPod($"warm-{i}", null)), cache.Nodes);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread();
        long cpuBefore = (long)Process.GetCurrentProcess().TotalProcessorTime.TotalMicroseconds;
        var clock = Stopwatch.StartNew();
        int failed = 0;
        foreach (PodInfo pod in infos)
        {
            lock (cache.Gate)
            {
                ScheduleResult result = algorithm.Schedule(pod, cache.Nodes);
                if (result.Succeeded)
                {
                    cache.AssumePod(pod, result.NodeName!);
                }
                else
                {
                    failed++;
                }
            }
        }

        clock.Stop();
        long cpu = (long)Process.GetCurrentProcess().TotalProcessorTime.TotalMicroseconds - cpuBefore;
        long bytes = GC.GetAllocatedBytesForCurrentThread() - allocated;
        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(inv,
            $"scheduler-cycle: {nodes} nodes, {existing} existing pods, {pods} cycles: mean {clock.Elapsed.TotalMicroseconds / pods:F0} µs wall, " +
            $"{(double)cpu / pods:F0} µs cpu, {bytes / pods:N0} B allocated per cycle, {failed} failed, parallelism {algorithm.Parallelism}"));
        return failed == 0 ? 0 : 1;
    }

    private static int Option(string[] args, string name, int fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }

    private static Node NewNode(string name)
    {
        var resources = new Dictionary<string, Quantity>
        {
            ["cpu"] = Quantity.Parse("4"), ["memory"] = Quantity.Parse("32Gi"), ["pods"] = Quantity.FromInt64(110),
        };
        return new Node
        {
            Metadata = new ObjectMeta { Name = name, Labels = new() { ["kubernetes.io/hostname"] = name } },
            Status = new NodeStatus { Capacity = resources, Allocatable = new Dictionary<string, Quantity>(resources) },
        };
    }

    private static Pod NewPod(string name, string? nodeName) => new()
    {
        Metadata = new ObjectMeta { Name = name, Namespace = "default", Uid = Guid.NewGuid().ToString() },
        Spec = new PodSpec
        {
            NodeName = nodeName,
            Containers =
            [
                new Container
                {
                    Name = "pause", Image = "registry.k8s.io/pause:3.10",
                    Resources = new ResourceRequirements { Requests = new() { ["cpu"] = Quantity.Parse("100m"), ["memory"] = Quantity.Parse("500Mi") } },
                },
            ],
        },
    };

    private sealed class NoBinder : IBindPlugin
    {
        public string Name => "NoBinder";

        public Task<Status> BindAsync(PodInfo pod, string nodeName, CancellationToken cancellationToken) => Task.FromResult(Status.Success);
    }
}
