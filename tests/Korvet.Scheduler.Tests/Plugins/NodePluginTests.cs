using Korvet.Api.Core.V1;
using Korvet.Scheduler.Framework;
using Korvet.Scheduler.Plugins;

namespace Korvet.Scheduler.Tests.Plugins;

public sealed class NodePluginTests
{
    [Fact]
    public void NodeNameAndUnschedulable()
    {
        NodeInfo node = Build.Info(Build.Node("n1", unschedulable: true));
        Pod named = Build.Pod("p");
        named.Spec!.NodeName = "n2";
        Assert.Equal("node(s) didn't match the requested node name", new NodeNamePlugin().Filter(new CycleState(), new PodInfo(named), node).Message);

        var cordon = new NodeUnschedulablePlugin();
        Status rejected = cordon.Filter(new CycleState(), new PodInfo(Build.Pod("p")), node);
        Assert.Equal((StatusCode.UnschedulableAndUnresolvable, "node(s) were unschedulable"), (rejected.Code, rejected.Message));
        Pod tolerant = Build.Pod("t");
        tolerant.Spec!.Tolerations = [new Toleration { Key = "node.kubernetes.io/unschedulable", Operator = "Exists", Effect = "NoSchedule" }];
        Assert.True(cordon.Filter(new CycleState(), new PodInfo(tolerant), node).IsSuccess);
    }

    public static TheoryData<string?, string?, string?, string?, bool> TolerationCases => new()
    {
        // key, operator, value, effect → tolerates taint dedicated=gpu:NoSchedule
        { "dedicated", "Equal", "gpu", "NoSchedule", true },
        { "dedicated", null, "gpu", null, true },
        { "dedicated", "Equal", "cpu", "NoSchedule", false },
        { "dedicated", "Exists", null, "NoSchedule", true },
        { "dedicated", "Exists", null, "NoExecute", false },
        { null, "Exists", null, null, true },
        { "other", "Exists", null, null, false },
    };

    [Theory]
    [MemberData(nameof(TolerationCases))]
    public void TaintTolerationFilter(string? key, string? op, string? value, string? effect, bool fits)
    {
        NodeInfo node = Build.Info(Build.Node("n", taints: [new Taint { Key = "dedicated", Value = "gpu", Effect = "NoSchedule" }]));
        Pod pod = Build.Pod("p");
        pod.Spec!.Tolerations = [new Toleration { Key = key, Operator = op, Value = value, Effect = effect }];
        Status status = new TaintTolerationPlugin().Filter(new CycleState(), new PodInfo(pod), node);
        Assert.Equal(fits, status.IsSuccess);
        if (!fits)
        {
            Assert.Equal((StatusCode.UnschedulableAndUnresolvable, "node(s) had untolerated taint {dedicated: gpu}"), (status.Code, status.Message));
        }
    }

    [Fact]
    public void PreferNoScheduleTaintsOnlyScore()
    {
        var plugin = new TaintTolerationPlugin();
        NodeInfo soft = Build.Info(Build.Node("a", taints: [new Taint { Key = "k", Effect = "PreferNoSchedule" }]));
        NodeInfo clean = Build.Info(Build.Node("b"));
        var pod = new PodInfo(Build.Pod("p"));
        Assert.True(plugin.Filter(new CycleState(), pod, soft).IsSuccess);
        long[] scores = [plugin.Score(new CycleState(), pod, soft), plugin.Score(new CycleState(), pod, clean)];
        plugin.Normalize(new CycleState(), pod, scores);
        Assert.Equal([0L, 100L], scores);
    }

    [Theory]
    [InlineData("In", "a,b", true)]
    [InlineData("In", "c", false)]
    [InlineData("NotIn", "c", true)]
    [InlineData("Exists", "", true)]
    [InlineData("DoesNotExist", "", false)]
    [InlineData("Gt", "3", true)]
    [InlineData("Lt", "3", false)]
    public void NodeAffinityOperators(string op, string values, bool fits)
    {
        NodeInfo node = Build.Info(Build.Node("n", labels: Build.Labels("zone=a", "cores=8")));
        string key = op is "Gt" or "Lt" ? "cores" : "zone";
        Pod pod = Build.Pod("p");
        pod.Spec!.Affinity = new Affinity
        {
            NodeAffinity = new NodeAffinity
            {
                RequiredDuringSchedulingIgnoredDuringExecution = new NodeSelector
                {
                    NodeSelectorTerms =
                    [
                        new NodeSelectorTerm
                        {
                            MatchExpressions = [new NodeSelectorRequirement { Key = key, Operator = op, Values = values.Length == 0 ? null : [.. values.Split(',')] }],
                        },
                    ],
                },
            },
        };
        Status status = new NodeAffinityPlugin().Filter(new CycleState(), new PodInfo(pod), node);
        Assert.Equal(fits ? "" : "node(s) didn't match Pod's node affinity/selector", status.Message);
    }

    [Fact]
    public void NodeSelectorAndMatchFieldsAndPreferredScore()
    {
        var plugin = new NodeAffinityPlugin();
        NodeInfo a = Build.Info(Build.Node("a", labels: Build.Labels("disk=ssd")));
        NodeInfo b = Build.Info(Build.Node("b"));
        Pod pod = Build.Pod("p");
        pod.Spec!.NodeSelector = Build.Labels("disk=ssd");
        Assert.True(plugin.Filter(new CycleState(), new PodInfo(pod), a).IsSuccess);
        Assert.Equal(StatusCode.UnschedulableAndUnresolvable, plugin.Filter(new CycleState(), new PodInfo(pod), b).Code);

        Pod byName = Build.Pod("q");
        byName.Spec!.Affinity = new Affinity
        {
            NodeAffinity = new NodeAffinity
            {
                RequiredDuringSchedulingIgnoredDuringExecution = new NodeSelector
                {
                    NodeSelectorTerms = [new NodeSelectorTerm { MatchFields = [new NodeSelectorRequirement { Key = "metadata.name", Operator = "In", Values = ["b"] }] }],
                },
                PreferredDuringSchedulingIgnoredDuringExecution =
                [
                    new PreferredSchedulingTerm
                    {
                        Weight = 30, Preference = new NodeSelectorTerm { MatchExpressions = [new NodeSelectorRequirement { Key = "disk", Operator = "Exists" }] },
                    },
                ],
            },
        };
        var info = new PodInfo(byName);
        Assert.False(plugin.Filter(new CycleState(), info, a).IsSuccess);
        Assert.True(plugin.Filter(new CycleState(), info, b).IsSuccess);
        long[] scores = [plugin.Score(new CycleState(), info, a), plugin.Score(new CycleState(), info, b)];
        plugin.Normalize(new CycleState(), info, scores);
        Assert.Equal([100L, 0L], scores);
    }

    [Fact]
    public void HostPortsConflictByProtocolAndAddress()
    {
        var plugin = new NodePortsPlugin();
        Pod existing = Build.Pod("e", nodeName: "n");
        existing.Spec!.Containers![0].Ports = [new ContainerPort { ContainerPortValue = 80, HostPort = 8080 }];
        NodeInfo node = Build.Info(Build.Node("n"), existing);

        Pod clash = Build.Pod("p");
        clash.Spec!.Containers![0].Ports = [new ContainerPort { ContainerPortValue = 80, HostPort = 8080, HostIP = "10.0.0.1" }];
        Assert.Equal("node(s) didn't have free ports for the requested pod ports", plugin.Filter(new CycleState(), new PodInfo(clash), node).Message);

        Pod udp = Build.Pod("u");
        udp.Spec!.Containers![0].Ports = [new ContainerPort { ContainerPortValue = 80, HostPort = 8080, Protocol = "UDP" }];
        Assert.True(plugin.Filter(new CycleState(), new PodInfo(udp), node).IsSuccess);
        Assert.Equal(StatusCode.Skip, plugin.PreFilter(new CycleState(), new PodInfo(Build.Pod("none")), []).Code);
    }
}
