using Korvet.Api.Core.V1;
using Korvet.Scheduler.Cache;
using Korvet.Scheduler.Framework;
using Korvet.Scheduler.Plugins;

namespace Korvet.Scheduler.Tests;

public sealed class ParallelAlgorithmTests
{
    private sealed class NoBinder : IBindPlugin
    {
        public string Name => "NoBinder";

        public Task<Status> BindAsync(PodInfo pod, string nodeName, CancellationToken cancellationToken) => Task.FromResult(Status.Success);
    }

    /// <summary>A filter that counts its calls, rejects the nodes named in <see cref="Rejects"/> and fails on <see cref="Broken"/>.</summary>
    private sealed class CountingFilter(bool skip) : IPreFilterPlugin, IFilterPlugin
    {
        private int _calls;

        public string Name => "Counting";

        public HashSet<string> Rejects { get; } = [];

        public string? Broken { get; init; }

        public int Calls => Volatile.Read(ref _calls);

        public Status PreFilter(CycleState state, PodInfo pod, IReadOnlyList<NodeInfo> nodes) => skip ? Status.Skip : Status.Success;

        public Status Filter(CycleState state, PodInfo pod, NodeInfo node)
        {
            Interlocked.Increment(ref _calls);
            if (node.Name == Broken)
            {
                return Status.Error("broken node");
            }

            return Rejects.Contains(node.Name) ? Status.Unschedulable("rejected") : Status.Success;
        }
    }

    private static SchedulerProfile Profile(params IPlugin[] extra)
    {
        SchedulerProfile profile = SchedulerProfile.CreateDefault(new NoBinder());
        return profile with
        {
            PreFilter = [.. profile.PreFilter, .. extra.OfType<IPreFilterPlugin>()],
            Filter = [.. profile.Filter, .. extra.OfType<IFilterPlugin>()],
        };
    }

    /// <summary>1,000 nodes of which every third is too small for the pod and a few are cordoned.</summary>
    private static List<NodeInfo> MixedCluster() =>
    [
        .. Enumerable.Range(0, 1000).Select(i => Build.Info(Build.Node($"n{i}", i % 3 == 0 ? "100m" : "4", unschedulable: i % 97 == 0))),
    ];

    [Fact]
    public void ParallelFilteringFindsTheSameNodesAsOneThread()
    {
        List<NodeInfo> nodes = MixedCluster();
        var sequential = new SchedulingAlgorithm(SchedulerProfile.CreateDefault(new NoBinder()), new Random(3), parallelism: 1);
        var parallel = new SchedulingAlgorithm(SchedulerProfile.CreateDefault(new NoBinder()), new Random(3), parallelism: 4);
        for (int round = 0; round < 12; round++)
        {
            var pod = new PodInfo(Build.Pod($"p{round}", "1"));
            ScheduleResult one = sequential.Schedule(pod, nodes);
            ScheduleResult many = parallel.Schedule(pod, nodes);
            Assert.Equal((one.EvaluatedNodes, one.FeasibleNodes), (many.EvaluatedNodes, many.FeasibleNodes));
            Assert.Equal(420, one.FeasibleNodes);
            Assert.True(one.EvaluatedNodes > 420, "some evaluated nodes were rejected");

            // Same feasible nodes in the same order and the same seed: the same tie-break, so the same node; both
            // continue from the same place next time.
            Assert.Equal(one.NodeName, many.NodeName);
            Assert.NotEqual(0, Index(many.NodeName!) % 3);
        }
    }

    [Fact]
    public void ParallelFailureReportsEveryNodeLikeOneThread()
    {
        List<NodeInfo> nodes = MixedCluster();
        var pod = new PodInfo(Build.Pod("huge", "64"));
        ScheduleResult one = new SchedulingAlgorithm(SchedulerProfile.CreateDefault(new NoBinder()), new Random(1), 1).Schedule(pod, nodes);
        ScheduleResult many = new SchedulingAlgorithm(SchedulerProfile.CreateDefault(new NoBinder()), new Random(1), 4).Schedule(pod, nodes);
        Assert.False(many.Succeeded);
        Assert.Equal(1000, many.EvaluatedNodes);
        Assert.Equal(one.FailureMessage, many.FailureMessage);
        Assert.Equal("0/1000 nodes are available: 11 node(s) were unschedulable, 989 Insufficient cpu. "
            + "preemption: 0/1000 nodes are available: 11 Preemption is not helpful for scheduling, 989 No preemption victims found for incoming pod.",
            many.FailureMessage);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public void AnInternalFilterErrorStopsTheCycleAtThatNode(int parallelism)
    {
        List<NodeInfo> nodes = MixedCluster();
        var broken = new CountingFilter(skip: false) { Broken = "n5" };
        var algorithm = new SchedulingAlgorithm(Profile(broken), new Random(1), parallelism);
        ScheduleResult result = algorithm.Schedule(new PodInfo(Build.Pod("p", "1")), nodes);
        Assert.False(result.Succeeded);
        Assert.Equal(6, result.EvaluatedNodes);
        Assert.Equal("running \"Counting\" filter plugin: broken node", result.Error);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public void APluginThatSkipsInPreFilterIsNeverAskedPerNode(int parallelism)
    {
        List<NodeInfo> nodes = MixedCluster();
        var skipping = new CountingFilter(skip: true);
        skipping.Rejects.UnionWith(nodes.Select(n => n.Name));
        var active = new CountingFilter(skip: false);
        ScheduleResult skipped = new SchedulingAlgorithm(Profile(skipping), new Random(1), parallelism).Schedule(new PodInfo(Build.Pod("p", "1")), nodes);
        Assert.True(skipped.Succeeded);
        Assert.Equal(0, skipping.Calls);
        Assert.Contains("Counting", skipped.State.SkippedFilter);

        ScheduleResult asked = new SchedulingAlgorithm(Profile(active), new Random(1), parallelism).Schedule(new PodInfo(Build.Pod("p", "1")), nodes);
        Assert.True(asked.Succeeded);
        // Nodes rejected by an earlier filter never reach it; a parallel pass may look at a few nodes past the stop.
        Assert.InRange(active.Calls, 420, 420 + (parallelism * SchedulingAlgorithm.ChunkSize));
    }

    [Fact]
    public void NodeAffinitySkipsPodsWithoutSelectorOrRequiredTerms()
    {
        var plugin = new NodeAffinityPlugin();
        Assert.Equal(StatusCode.Skip, plugin.PreFilter(new CycleState(), new PodInfo(Build.Pod("plain")), []).Code);
        Pod selecting = Build.Pod("selecting");
        selecting.Spec!.NodeSelector = Build.Labels("disk=ssd");
        Assert.Equal(StatusCode.Success, plugin.PreFilter(new CycleState(), new PodInfo(selecting), []).Code);
        Pod required = Build.Pod("required");
        required.Spec!.Affinity = new Affinity
        {
            NodeAffinity = new NodeAffinity { RequiredDuringSchedulingIgnoredDuringExecution = new NodeSelector { NodeSelectorTerms = [] } },
        };
        Assert.Equal(StatusCode.Success, plugin.PreFilter(new CycleState(), new PodInfo(required), []).Code);
    }

    [Fact]
    public void ChunksThatRanAlwaysFormAPrefix()
    {
        for (int round = 0; round < 200; round++)
        {
            var ran = new bool[100];
            int done = 0;
            int stopAt = round % 100;
            int count = ChunkedParallel.Run(100, 4, chunk =>
            {
                Volatile.Write(ref ran[chunk], true);
                Interlocked.Increment(ref done);
            }, () => Volatile.Read(ref done) > stopAt);
            Assert.Equal(count, Volatile.Read(ref done));
            Assert.True(count > stopAt);
            Assert.All(ran.Take(count), Assert.True);
            Assert.All(ran.Skip(count), Assert.False);
        }

        Assert.Equal(7, ChunkedParallel.Run(7, 4, _ => { }, () => false));
        Assert.Equal("boom", Assert.Throws<InvalidOperationException>(() =>
            ChunkedParallel.Run(10, 4, c => throw new InvalidOperationException("boom"), () => false)).Message);
    }

    [Fact]
    public void CacheListsTheNodesHoldingPodsWithAffinity()
    {
        var cache = new SchedulerCache();
        cache.SetNode(Build.Node("a"));
        cache.SetNode(Build.Node("b"));
        Pod guard = Build.Pod("guard", nodeName: "a");
        guard.Spec!.Affinity = new Affinity
        {
            PodAntiAffinity = new PodAntiAffinity
            {
                RequiredDuringSchedulingIgnoredDuringExecution =
                    [new PodAffinityTerm { TopologyKey = "kubernetes.io/hostname", LabelSelector = new() { MatchLabels = Build.Labels("app=web") } }],
            },
        };
        cache.SetPod(guard);
        cache.SetPod(Build.Pod("plain", nodeName: "b"));
        Assert.Equal(["a"], NodeInfoList.WithPodsWithAffinity(cache.Nodes).Select(n => n.Name));
        Assert.Equal(["a"], NodeInfoList.WithPodsWithRequiredAntiAffinity(cache.Nodes).Select(n => n.Name));

        // The anti-affinity of the guard keeps a web pod off node a (found through the side list alone).
        Pod web = Build.Pod("web", labels: Build.Labels("app=web"));
        ScheduleResult result = new SchedulingAlgorithm(SchedulerProfile.CreateDefault(new NoBinder()), new Random(1)).Schedule(new PodInfo(web), cache.Nodes);
        Assert.Equal("b", result.NodeName);

        cache.RemoveNode("a");
        Assert.Empty(NodeInfoList.WithPodsWithAffinity(cache.Nodes));
        cache.SetNode(Build.Node("a"));
        Assert.Equal(["a"], NodeInfoList.WithPodsWithRequiredAntiAffinity(cache.Nodes).Select(n => n.Name));
        cache.RemovePod(guard);
        Assert.Empty(NodeInfoList.WithPodsWithAffinity(cache.Nodes));
        Assert.Empty(NodeInfoList.WithPodsWithRequiredAntiAffinity(cache.Nodes));
    }

    private static int Index(string name) => int.Parse(name[1..], System.Globalization.CultureInfo.InvariantCulture);
}
