using Korvet.Api.Core.V1;
using Korvet.Api.Meta.V1;
using Korvet.Controllers.ReplicaSets;

namespace Korvet.Controllers.Tests.ReplicaSets;

public sealed class PodDeletionOrderTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    public static TheoryData<string, Pod, Pod> FirstIsDeletedFirst => new()
    {
        { "unscheduled before scheduled", P("a", node: ""), P("b", node: "n1") },
        { "pending before running", P("a", phase: "Pending"), P("b", phase: "Running") },
        { "pending before unknown", P("a", phase: "Pending"), P("b", phase: "Unknown") },
        { "unknown before running", P("a", phase: "Unknown"), P("b", phase: "Running") },
        { "not ready before ready", P("a", ready: false), P("b", ready: true) },
        { "lower deletion cost first", P("a", cost: "-5"), P("b", cost: "0") },
        { "ready for less time first", P("a", readyAgo: 10), P("b", readyAgo: 10_000) },
        { "more restarts first", P("a", restarts: 5), P("b", restarts: 1) },
        { "newer first", P("a", createdAgo: 5), P("b", createdAgo: 50_000) },
        { "same log bucket: by uid", P("a", createdAgo: 100), P("b", createdAgo: 101) },
    };

    [Theory]
    [MemberData(nameof(FirstIsDeletedFirst))]
    public void Ranks_like_upstream(string name, Pod first, Pod second)
    {
        _ = name;
        var order = new PodDeletionOrder(Now);
        Assert.True(order.Compare(new RankedPod(first, 0), new RankedPod(second, 0)) < 0);
        Assert.True(order.Compare(new RankedPod(second, 0), new RankedPod(first, 0)) > 0);
    }

    [Fact]
    public void Doubled_up_pods_go_first()
    {
        var order = new PodDeletionOrder(Now);
        Assert.True(order.Compare(new RankedPod(P("a"), 3), new RankedPod(P("b"), 1)) < 0);
    }

    [Fact]
    public void PodsToDelete_picks_the_worst_pods_counting_related_pods_per_node()
    {
        Pod crowded = P("crowded", node: "n1");
        Pod alone = P("alone", node: "n2");
        Pod pending = P("pending", phase: "Pending", node: "n3");
        List<Pod> pods = [alone, crowded, pending];
        List<Pod> related = [.. pods, P("sibling", node: "n1")];
        Assert.Equal(["pending", "crowded"], PodDeletionOrder.PodsToDelete(pods, related, 2, Now).Select(p => p.Metadata!.Name!));
        Assert.Equal(3, PodDeletionOrder.PodsToDelete(pods, related, 5, Now).Count);
    }

    private static Pod P(string name, string phase = "Running", bool ready = true, string node = "n1", string? cost = null,
        int readyAgo = 1000, int restarts = 0, int createdAgo = 2000) => new()
    {
        Metadata = new ObjectMeta
        {
            Name = name,
            Uid = name,
            CreationTimestamp = new Time(Now.AddSeconds(-createdAgo)),
            Annotations = cost is null ? null : new() { [PodDeletionOrder.DeletionCostAnnotation] = cost },
        },
        Spec = new PodSpec { NodeName = node.Length == 0 ? null : node },
        Status = new PodStatus
        {
            Phase = phase,
            Conditions = [new PodCondition { Type = "Ready", Status = ready ? "True" : "False", LastTransitionTime = new Time(Now.AddSeconds(-readyAgo)) }],
            ContainerStatuses = [new ContainerStatus { Name = "c", RestartCount = restarts }],
        },
    };
}
