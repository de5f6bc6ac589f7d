using Korvet.Api.Core.V1;
using Korvet.Api.Meta.V1;
using Korvet.Controllers.NodeLifecycle;

namespace Korvet.Controllers.Tests.NodeLifecycle;

public sealed class NodeTaintsTests
{
    private static readonly DateTimeOffset Now = new(2024, 5, 1, 10, 0, 0, TimeSpan.Zero);

    private static Pod WithTolerations(params Toleration[] tolerations) => new() { Spec = new PodSpec { Tolerations = [.. tolerations] } };

    private static Taint Unreachable(DateTimeOffset added) => new() { Key = NodeTaints.Unreachable, Effect = "NoExecute", TimeAdded = new Time(added) };

    [Theory]
    [InlineData("True", 0)]
    [InlineData("False", 2)]
    [InlineData("Unknown", 2)]
    [InlineData(null, 2)]
    public void ReadyStatusDecidesTheTaints(string? ready, int count)
    {
        IReadOnlyList<(string Key, string Effect)> wanted = NodeTaints.Wanted(ready);
        Assert.Equal(count, wanted.Count);
        Assert.All(wanted, w => Assert.Equal(ready == "False" ? NodeTaints.NotReady : NodeTaints.Unreachable, w.Key));
    }

    [Fact]
    public void ReconcileAddsReplacesAndRemovesOnlyLifecycleTaints()
    {
        var user = new Taint { Key = "dedicated", Value = "gpu", Effect = "NoSchedule" };
        List<Taint> added = NodeTaints.Reconcile([user], NodeTaints.Wanted("Unknown"), Now)!;
        Assert.Equal(3, added.Count);
        Assert.Equal(Now, added.Single(t => t.Effect == "NoExecute").TimeAdded!.Value);
        Assert.Null(NodeTaints.Reconcile(added, NodeTaints.Wanted("Unknown"), Now.AddMinutes(1)));
        List<Taint> notReady = NodeTaints.Reconcile(added, NodeTaints.Wanted("False"), Now)!;
        Assert.Equal([("dedicated", "NoSchedule"), (NodeTaints.NotReady, "NoSchedule"), (NodeTaints.NotReady, "NoExecute")],
            notReady.Select(t => (t.Key, t.Effect)));
        Assert.Same(user, Assert.Single(NodeTaints.Reconcile(notReady, NodeTaints.Wanted("True"), Now)!));
    }

    [Theory]
    [InlineData("", "Exists", "", "", true)]
    [InlineData(NodeTaints.Unreachable, "Exists", "", "NoExecute", true)]
    [InlineData(NodeTaints.Unreachable, "Exists", "", "NoSchedule", false)]
    [InlineData(NodeTaints.NotReady, "Exists", "", "", false)]
    [InlineData(NodeTaints.Unreachable, "Equal", "", "", true)]
    [InlineData(NodeTaints.Unreachable, "Equal", "x", "", false)]
    public void TolerationMatching(string key, string op, string value, string effect, bool tolerates) =>
        Assert.Equal(tolerates, NodeTaints.Tolerates(new Toleration { Key = key, Operator = op, Value = value, Effect = effect }, Unreachable(Now)));

    [Fact]
    public void UntoleratedPodGoesNow() =>
        Assert.Equal(Now, NodeTaints.EvictAt(WithTolerations(), [Unreachable(Now.AddMinutes(-1))], Now));

    [Fact]
    public void TolerationSecondsCountFromTheTaint()
    {
        Pod pod = WithTolerations(new Toleration { Key = NodeTaints.Unreachable, Operator = "Exists", Effect = "NoExecute", TolerationSeconds = 300 });
        Assert.Equal(Now.AddSeconds(240), NodeTaints.EvictAt(pod, [Unreachable(Now.AddSeconds(-60))], Now));
    }

    [Fact]
    public void SmallestSecondsWinAndNullSecondsMeanForever()
    {
        Pod both = WithTolerations(
            new Toleration { Operator = "Exists" },
            new Toleration { Key = NodeTaints.Unreachable, Operator = "Exists", Effect = "NoExecute", TolerationSeconds = 5 });
        Assert.Equal(Now.AddSeconds(5), NodeTaints.EvictAt(both, [Unreachable(Now)], Now));
        Assert.Null(NodeTaints.EvictAt(WithTolerations(new Toleration { Operator = "Exists" }), [Unreachable(Now)], Now));
        Assert.Null(NodeTaints.EvictAt(WithTolerations(), [new Taint { Key = "x", Effect = "NoSchedule" }], Now));
    }
}
