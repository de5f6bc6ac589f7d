using Korvet.Api.Core.V1;
using Korvet.Controllers.DaemonSets;
using static Korvet.Controllers.Tests.DaemonSets.DaemonSetObjects;

namespace Korvet.Controllers.Tests.DaemonSets;

public sealed class DaemonNodesTests
{
    [Fact]
    public void DefaultTolerationsAreUpstreamsAndNetworkUnavailableOnlyForHostNetwork()
    {
        PodSpec spec = DaemonNodes.WithDefaultTolerations(Spec());
        Assert.Equal(
            [
                "node.kubernetes.io/not-ready:NoExecute", "node.kubernetes.io/unreachable:NoExecute",
                "node.kubernetes.io/disk-pressure:NoSchedule", "node.kubernetes.io/memory-pressure:NoSchedule",
                "node.kubernetes.io/pid-pressure:NoSchedule", "node.kubernetes.io/unschedulable:NoSchedule",
            ],
            spec.Tolerations!.Select(t => $"{t.Key}:{t.Effect}"));
        Assert.All(spec.Tolerations!, t => Assert.Equal("Exists", t.Operator));
        Assert.All(spec.Tolerations!, t => Assert.Null(t.TolerationSeconds));

        PodSpec host = DaemonNodes.WithDefaultTolerations(Spec(s => s.HostNetwork = true));
        Assert.Contains(host.Tolerations!, t => t.Key == "node.kubernetes.io/network-unavailable" && t.Effect == "NoSchedule");
    }

    [Fact]
    public void DefaultTolerationReplacesOneWithSecondsSoDaemonPodsAreNeverEvicted()
    {
        PodSpec spec = DaemonNodes.WithDefaultTolerations(Spec(s => s.Tolerations =
            [new Toleration { Key = "node.kubernetes.io/not-ready", Operator = "Exists", Effect = "NoExecute", TolerationSeconds = 300 }]));
        Toleration t = Assert.Single(spec.Tolerations!, t => t.Key == "node.kubernetes.io/not-ready");
        Assert.Null(t.TolerationSeconds);
    }

    [Fact]
    public void PinningAddsATermOrReplacesMatchFieldsInEveryTerm()
    {
        PodSpec plain = DaemonNodes.ForNode(Spec(), "n1");
        NodeSelectorTerm only = Assert.Single(plain.Affinity!.NodeAffinity!.RequiredDuringSchedulingIgnoredDuringExecution!.NodeSelectorTerms!);
        NodeSelectorRequirement r = Assert.Single(only.MatchFields!);
        Assert.Equal(("metadata.name", "In", "n1"), (r.Key, r.Operator, Assert.Single(r.Values!)));
        Assert.Null(only.MatchExpressions);

        PodSpec withTerms = DaemonNodes.ForNode(Spec(s => s.Affinity = new Affinity
        {
            NodeAffinity = new NodeAffinity
            {
                RequiredDuringSchedulingIgnoredDuringExecution = new NodeSelector
                {
                    NodeSelectorTerms =
                    [
                        new NodeSelectorTerm { MatchExpressions = [new NodeSelectorRequirement { Key = "zone", Operator = "In", Values = ["a"] }] },
                        new NodeSelectorTerm { MatchFields = [new NodeSelectorRequirement { Key = "metadata.name", Operator = "In", Values = ["other"] }] },
                    ],
                },
            },
        }), "n2");
        List<NodeSelectorTerm> terms = withTerms.Affinity!.NodeAffinity!.RequiredDuringSchedulingIgnoredDuringExecution!.NodeSelectorTerms!;
        Assert.Equal(2, terms.Count);
        Assert.All(terms, t => Assert.Equal("n2", Assert.Single(Assert.Single(t.MatchFields!).Values!)));
        Assert.Equal("zone", Assert.Single(terms[0].MatchExpressions!).Key);
        Assert.Equal("n2", DaemonNodes.TargetNode(new Pod { Spec = withTerms }));
        Assert.Equal("bound", DaemonNodes.TargetNode(new Pod { Spec = new PodSpec { NodeName = "bound" } }));
        Assert.Null(DaemonNodes.TargetNode(new Pod { Spec = Spec() }));
    }

    [Theory]
    [InlineData("none", true, true)]
    [InlineData("noschedule", false, true)]
    [InlineData("noexecute", false, false)]
    [InlineData("prefer", true, true)]
    [InlineData("notready-noexecute", true, true)]
    [InlineData("unschedulable", true, true)]
    [InlineData("network-unavailable", false, true)]
    public void TaintsDecideRunAndKeep(string taint, bool run, bool keep)
    {
        Taint[] taints = taint switch
        {
            "noschedule" => [Taint("dedicated", "NoSchedule", "gpu")],
            "noexecute" => [Taint("dedicated", "NoExecute", "gpu")],
            "prefer" => [Taint("dedicated", "PreferNoSchedule")],
            "notready-noexecute" => [Taint("node.kubernetes.io/not-ready", "NoExecute")],
            "unschedulable" => [Taint("node.kubernetes.io/unschedulable", "NoSchedule")],
            "network-unavailable" => [Taint("node.kubernetes.io/network-unavailable", "NoSchedule")],
            _ => [],
        };
        NodeFit fit = DaemonNodes.Fit(Node("n", null, taints), DaemonNodes.WithDefaultTolerations(Spec()));
        Assert.Equal(new NodeFit(run, keep), fit);
    }

    [Fact]
    public void TolerationsInTheTemplateAdmitTaintedNodes()
    {
        PodSpec spec = DaemonNodes.WithDefaultTolerations(Spec(s => s.Tolerations =
            [new Toleration { Key = "dedicated", Operator = "Equal", Value = "gpu", Effect = "NoExecute" }]));
        Assert.Equal(new NodeFit(true, true), DaemonNodes.Fit(Node("n", null, Taint("dedicated", "NoExecute", "gpu")), spec));
        Assert.Equal(new NodeFit(false, false), DaemonNodes.Fit(Node("n", null, Taint("dedicated", "NoExecute", "cpu")), spec));
        Assert.Equal(new NodeFit(true, true), DaemonNodes.Fit(Node("n", null, Taint("dedicated", "NoExecute", "x")),
            DaemonNodes.WithDefaultTolerations(Spec(s => s.Tolerations = [new Toleration { Operator = "Exists" }]))));
    }

    [Fact]
    public void NodeSelectorAffinityAndNodeNameMustAllFit()
    {
        Node a = Node("a", new() { ["zone"] = "a", ["disk"] = "ssd" });
        Node b = Node("b", new() { ["zone"] = "b" });
        PodSpec selector = Spec(s => s.NodeSelector = new() { ["zone"] = "a" });
        Assert.True(DaemonNodes.Fit(a, selector).ShouldRun);
        Assert.Equal(new NodeFit(false, false), DaemonNodes.Fit(b, selector));

        PodSpec affinity = Spec(s => s.Affinity = new Affinity
        {
            NodeAffinity = new NodeAffinity
            {
                RequiredDuringSchedulingIgnoredDuringExecution = new NodeSelector
                {
                    NodeSelectorTerms =
                    [
                        new NodeSelectorTerm { MatchExpressions = [new NodeSelectorRequirement { Key = "disk", Operator = "Exists" }] },
                        new NodeSelectorTerm { MatchFields = [new NodeSelectorRequirement { Key = "metadata.name", Operator = "In", Values = ["c"] }] },
                    ],
                },
            },
        });
        Assert.True(DaemonNodes.Fit(a, affinity).ShouldRun);
        Assert.False(DaemonNodes.Fit(b, affinity).ShouldContinueRunning);
        Assert.True(DaemonNodes.Fit(Node("c"), affinity).ShouldRun);

        PodSpec named = Spec(s => s.NodeName = "b");
        Assert.False(DaemonNodes.Fit(a, named).ShouldRun);
        Assert.True(DaemonNodes.Fit(b, named).ShouldRun);

        PodSpec emptyTerm = Spec(s => s.Affinity = new Affinity
        {
            NodeAffinity = new NodeAffinity { RequiredDuringSchedulingIgnoredDuringExecution = new NodeSelector { NodeSelectorTerms = [new NodeSelectorTerm()] } },
        });
        Assert.False(DaemonNodes.Fit(a, emptyTerm).ShouldRun);
    }
}
