using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Korvet.Api.Core.V1;
using Korvet.Api.Meta.V1;
using Korvet.Api.Resource;
using Korvet.Client;
using Korvet.Server;

namespace Korvet.Bench.Scheduling;

/// <summary>
/// Issue #4's scheduler figure, measured like upstream's scheduler_perf SchedulingBasic: one process with the API
/// server on SQLite and the in-process scheduler (no kubelets). N Node objects are created and M pods are scheduled
/// first (scheduler_perf's initPods, which go through the scheduler too and so also warm up the JIT on its path); then
/// P pods are created as fast as concurrent creators can, and the scheduler's bound-pod count is sampled every second.
/// The figure is the sustained rate: pods bound between the first and the last binding, divided by that time.
/// </summary>
public static class SchedulerBenchmark
{
    private const string Namespace = "default";

    public static async Task<int> RunAsync(string[] args)
    {
        SchedulerBenchOptions options = SchedulerBenchOptions.Parse(args);
        string dir = Directory.CreateTempSubdirectory("korvet-bench-scheduler-").FullName;
        try
        {
            await using ServerHost host = await ServerHost.StartAsync(new ServerOptions(dir, IPAddress.Loopback, HttpsPort: 0, DisableAgent: true, DisableControllers: true));
            Korvet.Scheduler.SchedulerHost schedulerHost = host.Scheduler ?? throw new InvalidOperationException("the server runs no scheduler");
            while (schedulerHost.Current is null)
            {
                await Task.Delay(50);
            }

            Korvet.Scheduler.Scheduler scheduler = schedulerHost.Current;
            using var client = new KubernetesClient(ClientOptions.FromKubeconfig(host.Kubeconfig, dir) with { UserAgent = "korvet-bench" });

            var setup = Stopwatch.StartNew();
            await ParallelAsync(options.Nodes, options.Creators, i => CreateNodeAsync(client, $"node-{i}"));
            while (scheduler.Cache.NodeCount < options.Nodes)
            {
                await Task.Delay(100);
            }

            // scheduler_perf's initPods: created unbound and scheduled by the scheduler before the measured pods.
            await ParallelAsync(options.ExistingPods, options.Creators, i => client.Resource<Pod>().CreateAsync(NewPod($"existing-{i}")));
            while (scheduler.BoundCount < options.ExistingPods || scheduler.Cache.PodCount < options.ExistingPods)
            {
                if (setup.Elapsed > options.Timeout)
                {
                    throw new TimeoutException($"only {scheduler.BoundCount} of {options.ExistingPods} existing pods were scheduled");
                }

                await Task.Delay(100);
            }

            Console.Error.WriteLine($"setup: {options.Nodes} nodes, {options.ExistingPods} existing pods scheduled in {setup.Elapsed.TotalSeconds:F1} s");
            long baseline = scheduler.BoundCount;
            long cyclesBefore = scheduler.Cycles;
            TimeSpan cycleTimeBefore = scheduler.CycleTime;
            var samples = new List<(double Seconds, long Created, long Bound)>();
            long created = 0;
            TimeSpan cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            Task creators = ParallelAsync(options.Pods, options.Creators, async i =>
            {
                await client.Resource<Pod>().CreateAsync(NewPod($"pod-{i}"));
                Interlocked.Increment(ref created);
            });
            double firstBound = -1;
            double lastBound = 0;
            long lastCount = 0;
            DateTimeOffset deadline = DateTimeOffset.UtcNow + options.Timeout;
            while (true)
            {
                await Task.Delay(options.SampleInterval);
                long bound = scheduler.BoundCount - baseline;
                double now = clock.Elapsed.TotalSeconds;
                samples.Add((now, Interlocked.Read(ref created), bound));
                if (bound > 0 && firstBound < 0)
                {
                    firstBound = now - options.SampleInterval.TotalSeconds;
                }

                if (bound != lastCount)
                {
                    lastBound = now;
                    lastCount = bound;
                }

                if (bound >= options.Pods || DateTimeOffset.UtcNow > deadline)
                {
                    break;
                }
            }

            TimeSpan cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
            double elapsed = clock.Elapsed.TotalSeconds;
            await creators;
            double createSeconds = samples.First(s => s.Created >= options.Pods).Seconds;
            int events = await CountScheduledEventsAsync(client);
            int assigned = await CountAssignedAsync(client);
            long cycles = scheduler.Cycles - cyclesBefore;
            double cycleMicros = cycles == 0 ? 0 : (scheduler.CycleTime - cycleTimeBefore).TotalMicroseconds / cycles;
            string report = Render(options, samples, firstBound, lastBound, lastCount, createSeconds, (assigned, events), scheduler.FailedAttempts,
                (cycles, cycleMicros), (cpu, elapsed));
            Console.WriteLine(report);
            if (options.OutputFile is not null)
            {
                await File.WriteAllTextAsync(options.OutputFile, report);
            }

            return lastCount >= options.Pods ? 0 : 1;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task ParallelAsync(int count, int workers, Func<int, Task> action)
    {
        int next = -1;
        await Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                await action(i);
            }
        })));
    }

    private static async Task CreateNodeAsync(KubernetesClient client, string name)
    {
        var resources = new Dictionary<string, Quantity>
        {
            ["cpu"] = Quantity.Parse("4"), ["memory"] = Quantity.Parse("32Gi"), ["pods"] = Quantity.FromInt64(110),
        };
        Node node = await client.Resource<Node>().CreateAsync(new Node
        {
            Metadata = new ObjectMeta { Name = name, Labels = new() { ["kubernetes.io/hostname"] = name } },
        });
        node.Status = new NodeStatus
        {
            Capacity = resources,
            Allocatable = new Dictionary<string, Quantity>(resources),
            Conditions = [new NodeCondition { Type = "Ready", Status = "True", Reason = "KubeletReady" }],
        };
        await client.Resource<Node>().UpdateStatusAsync(node);
    }

    /// <summary>scheduler_perf's default pod: one container requesting 100m cpu and 500Mi memory.</summary>
    private static Pod NewPod(string name) => new()
    {
        Metadata = new ObjectMeta { Name = name, Namespace = Namespace },
        Spec = new PodSpec
        {
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

    /// <summary>Scheduled events about the measured pods written so far (they are written after each binding, off the
    /// scheduling loop; a shortfall means event writes lag behind and part of their cost fell after the measurement).</summary>
    private static async Task<int> CountScheduledEventsAsync(KubernetesClient client)
    {
        int count = 0;
        string? next = null;
        do
        {
            ResourceList<Event> page = await client.Resource<Event>().ListAsync(Namespace, new ListOptions { Limit = 5000, Continue = next });
            count += page.Items.Count(e => e.Reason == "Scheduled" && e.InvolvedObject?.Name?.StartsWith("pod-", StringComparison.Ordinal) == true);
            next = page.Continue;
        }
        while (next is not null);
        return count;
    }

    private static async Task<int> CountAssignedAsync(KubernetesClient client)
    {
        int assigned = 0;
        string? next = null;
        do
        {
            ResourceList<Pod> page = await client.Resource<Pod>().ListAsync(Namespace, new ListOptions { Limit = 5000, Continue = next });
            assigned += page.Items.Count(p => !string.IsNullOrEmpty(p.Spec?.NodeName) && p.Metadata?.Name?.StartsWith("pod-", StringComparison.Ordinal) == true);
            next = page.Continue;
        }
        while (next is not null);
        return assigned;
    }

    private static string Render(SchedulerBenchOptions options, List<(double Seconds, long Created, long Bound)> samples, double firstBound,
        double lastBound, long bound, double createSeconds, (int Assigned, int Events) check, long failedAttempts, (long Count, double MeanMicros) cycles,
        (TimeSpan Used, double Seconds) cpu)
    {
        var sb = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        double window = Math.Max(1e-9, lastBound - firstBound);
        var perSecond = new List<double>();
        for (int i = 0; i < samples.Count; i++)
        {
            double dt = samples[i].Seconds - (i == 0 ? 0 : samples[i - 1].Seconds);
            long db = samples[i].Bound - (i == 0 ? 0 : samples[i - 1].Bound);
            if (samples[i].Seconds > firstBound && samples[i].Seconds <= lastBound + 1e-9)
            {
                perSecond.Add(db / dt);
            }
        }

        perSecond.Sort();
        double Pct(double p) => perSecond.Count == 0 ? 0 : perSecond[Math.Min(perSecond.Count - 1, (int)(p * perSecond.Count))];
        sb.AppendLine(inv, $"## Scheduler throughput ({options.Nodes:N0} nodes, {options.ExistingPods:N0} existing pods, {options.Pods:N0} new pods, {options.Creators} creators)");
        sb.AppendLine();
        sb.AppendLine(inv, $"- sustained: **{bound / window:F0} pods/s bound** ({bound:N0} pods between the first and the last binding, {window:F2} s)");
        sb.AppendLine(inv, $"- per-interval throughput: p50 {Pct(0.5):F0}, p90 {Pct(0.9):F0}, p99 {Pct(0.99):F0}, min {(perSecond.Count > 0 ? perSecond[0] : 0):F0} pods/s");
        sb.AppendLine(inv, $"- creates: {options.Pods:N0} pods in {createSeconds:F2} s ({options.Pods / Math.Max(1e-9, createSeconds):F0} creates/s)");
        sb.AppendLine(inv, $"- check: {check.Assigned:N0}/{options.Pods:N0} pods have spec.nodeName in the API; {failedAttempts} failed scheduling attempts; "
            + $"{check.Events:N0} Scheduled events written by the end");
        sb.AppendLine(inv, $"- scheduling cycles: {cycles.Count:N0}, mean {cycles.MeanMicros:F0} µs each (filter + score + assume; binding is asynchronous)");
        sb.AppendLine(inv, $"- process CPU while measuring: {cpu.Used.TotalMilliseconds / Math.Max(1, bound):F2} ms per bound pod, {cpu.Used.TotalSeconds / Math.Max(1e-9, cpu.Seconds):F2} of {Environment.ProcessorCount} cores busy (creators, API server, SQLite, scheduler together)");
        sb.AppendLine();
        sb.AppendLine("| t (s) | created | bound | bound/s |");
        sb.AppendLine("|---:|---:|---:|---:|");
        for (int i = 0; i < samples.Count; i++)
        {
            double dt = samples[i].Seconds - (i == 0 ? 0 : samples[i - 1].Seconds);
            long db = samples[i].Bound - (i == 0 ? 0 : samples[i - 1].Bound);
            sb.AppendLine(inv, $"| {samples[i].Seconds:F1} | {samples[i].Created:N0} | {samples[i].Bound:N0} | {db / dt:F0} |");
        }

        return sb.ToString();
    }
}
