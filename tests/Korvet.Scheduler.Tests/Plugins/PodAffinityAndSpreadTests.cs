using Korvet.Api.Core.V1;
using Korvet.Scheduler.Framework;
using Korvet.Scheduler.Plugins;
using MetaSelector = Korvet.Api.Meta.V1.LabelSelector;

namespace Korvet.Scheduler.Tests.Plugins;

public sealed class PodAffinityAndSpreadTests
{
    private static MetaSelector App(string app) => new() { MatchLabels = Build.Labels("app=" + app) };

    private static PodAffinityTerm Term(string app, string key = "zone") => new() { LabelSelector = App(app), TopologyKey = key };

    /// <summary>Two zones: a has nodes a1 (running app=db) and a2; b has b1.</summary>
    private static List<NodeInfo> Zones(params Pod[] onA1) =>
    [
        Build.Info(Build.Node("a1", labels: Build.Labels("zone=a")), onA1),
        Build.Info(Build.Node("a2", labels: Build.Labels("zone=a"))),
        Build.Info(Build.Node("b1", labels: Build.Labels("zone=b"))),
    ];

    private static Dictionary<string, Status> FilterAll(IFilterPlugin plugin, IPreFilterPlugin pre, Pod pod, List<NodeInfo> nodes)
    {
        var state = new CycleState();
        var info = new PodInfo(pod);
        Status preStatus = pre.PreFilter(state, info, nodes);
        return nodes.ToDictionary(n => n.Name, n => preStatus.Code == StatusCode.Skip ? Status.Success : plugin.Filter(state, info, n));
    }

    [Fact]
    public void RequiredAffinityFollowsTheTopologyDomain()
    {
        var plugin = new InterPodAffinityPlugin();
        Pod pod = Build.Pod("web", labels: Build.Labels("app=web"));
        pod.Spec!.Affinity = new Affinity { PodAffinity = new PodAffinity { RequiredDuringSchedulingIgnoredDuringExecution = [Term("db")] } };
        Dictionary<string, Status> result = FilterAll(plugin, plugin, pod, Zones(Build.Pod("db", labels: Build.Labels("app=db"), nodeName: "a1")));
        Assert.True(result["a1"].IsSuccess);
        Assert.True(result["a2"].IsSuccess);
        Assert.Equal((StatusCode.UnschedulableAndUnresolvable, "node(s) didn't match pod affinity rules"), (result["b1"].Code, result["b1"].Message));

        // No db pod anywhere: rejected everywhere — unless the pod matches its own term (the first of a group).
        Assert.All(FilterAll(plugin, plugin, pod, Zones()).Values, s => Assert.False(s.IsSuccess));
        Pod first = Build.Pod("db2", labels: Build.Labels("app=db"));
        first.Spec!.Affinity = pod.Spec.Affinity;
        Assert.All(FilterAll(plugin, plugin, first, Zones()).Values, s => Assert.True(s.IsSuccess));
    }

    [Fact]
    public void RequiredAntiAffinityBothDirections()
    {
        var plugin = new InterPodAffinityPlugin();
        Pod pod = Build.Pod("web", labels: Build.Labels("app=web"));
        pod.Spec!.Affinity = new Affinity { PodAntiAffinity = new PodAntiAffinity { RequiredDuringSchedulingIgnoredDuringExecution = [Term("web")] } };
        Dictionary<string, Status> result = FilterAll(plugin, plugin, pod, Zones(Build.Pod("w0", labels: Build.Labels("app=web"), nodeName: "a1")));
        Assert.Equal("node(s) didn't match pod anti-affinity rules", result["a2"].Message);
        Assert.Equal(StatusCode.Unschedulable, result["a2"].Code);
        Assert.True(result["b1"].IsSuccess);

        // An existing pod's anti-affinity (per hostname) keeps a matching newcomer off its node only.
        Pod guard = Build.Pod("guard", labels: Build.Labels("app=guard"), nodeName: "a1");
        guard.Spec!.Affinity = new Affinity
        {
            PodAntiAffinity = new PodAntiAffinity { RequiredDuringSchedulingIgnoredDuringExecution = [Term("web", "kubernetes.io/hostname")] },
        };
        Dictionary<string, Status> second = FilterAll(plugin, plugin, Build.Pod("w", labels: Build.Labels("app=web")), Zones(guard));
        Assert.Equal("node(s) didn't satisfy existing pods anti-affinity rules", second["a1"].Message);
        Assert.True(second["a2"].IsSuccess);
        Assert.Equal(StatusCode.Skip, plugin.PreFilter(new CycleState(), new PodInfo(Build.Pod("x")), Zones()).Code);
    }

    [Fact]
    public void TermsOnlyMatchTheirNamespaces()
    {
        var plugin = new InterPodAffinityPlugin();
        Pod pod = Build.Pod("web", labels: Build.Labels("app=web"));
        pod.Spec!.Affinity = new Affinity { PodAntiAffinity = new PodAntiAffinity { RequiredDuringSchedulingIgnoredDuringExecution = [Term("web")] } };
        Pod elsewhere = Build.Pod("w0", ns: "other", labels: Build.Labels("app=web"), nodeName: "a1");
        Assert.All(FilterAll(plugin, plugin, pod, Zones(elsewhere)).Values, s => Assert.True(s.IsSuccess));
    }

    [Fact]
    public void PreferredAffinityScoresTheDomain()
    {
        var plugin = new InterPodAffinityPlugin();
        Pod pod = Build.Pod("web");
        pod.Spec!.Affinity = new Affinity
        {
            PodAffinity = new PodAffinity { PreferredDuringSchedulingIgnoredDuringExecution = [new WeightedPodAffinityTerm { Weight = 50, PodAffinityTerm = Term("db") }] },
        };
        List<NodeInfo> nodes = Zones(Build.Pod("db", labels: Build.Labels("app=db"), nodeName: "a1"));
        var state = new CycleState();
        var info = new PodInfo(pod);
        Assert.True(plugin.PreScore(state, info, nodes, nodes).IsSuccess);
        long[] scores = [.. nodes.Select(n => plugin.Score(state, info, n))];
        plugin.Normalize(state, info, scores);
        Assert.Equal([100L, 100L, 0L], scores);
    }

    private static Pod Spread(string name, int maxSkew, string when = "DoNotSchedule", string key = "zone")
    {
        Pod pod = Build.Pod(name, labels: Build.Labels("app=web"));
        pod.Spec!.TopologySpreadConstraints = [new TopologySpreadConstraint { MaxSkew = maxSkew, TopologyKey = key, WhenUnsatisfiable = when, LabelSelector = App("web") }];
        return pod;
    }

    [Fact]
    public void SpreadFilterKeepsSkewWithinMax()
    {
        var plugin = new PodTopologySpreadPlugin();
        Pod existing = Build.Pod("w0", labels: Build.Labels("app=web"), nodeName: "a1");
        Dictionary<string, Status> result = FilterAll(plugin, plugin, Spread("w1", 1), Zones(existing));
        Assert.Equal((StatusCode.Unschedulable, "node(s) didn't match pod topology spread constraints"), (result["a1"].Code, result["a1"].Message));
        Assert.False(result["a2"].IsSuccess);
        Assert.True(result["b1"].IsSuccess);
        Assert.All(FilterAll(plugin, plugin, Spread("w1", 2), Zones(existing)).Values, s => Assert.True(s.IsSuccess));

        List<NodeInfo> withUnlabelled = [.. Zones(existing), Build.Info(Build.Node("x"))];
        Assert.Equal("node(s) didn't match pod topology spread constraints (missing required label)",
            FilterAll(plugin, plugin, Spread("w1", 1), withUnlabelled)["x"].Message);
    }

    [Fact]
    public void ScheduleAnywayScoresTheEmptierDomainHigher()
    {
        var plugin = new PodTopologySpreadPlugin();
        List<NodeInfo> nodes = Zones(Build.Pod("w0", labels: Build.Labels("app=web"), nodeName: "a1"));
        var state = new CycleState();
        var info = new PodInfo(Spread("w1", 1, "ScheduleAnyway"));
        Assert.Equal(StatusCode.Skip, plugin.PreFilter(state, info, nodes).Code);
        Assert.True(plugin.PreScore(state, info, nodes, nodes).IsSuccess);
        long[] scores = [.. nodes.Select(n => plugin.Score(state, info, n))];
        plugin.Normalize(state, info, scores);
        Assert.True(scores[2] > scores[0]);
        Assert.Equal(scores[0], scores[1]);
    }
}
