using Korvet.Api.Apps.V1;
using Korvet.Api.Core.V1;
using Korvet.Controllers.DaemonSets;
using static Korvet.Controllers.Tests.DaemonSets.DaemonSetObjects;

namespace Korvet.Controllers.Tests.DaemonSets;

public sealed class DaemonPlannerTests
{
    private static readonly PodSpec Eligible = DaemonNodes.WithDefaultTolerations(Spec());

    private static ManagePlan Manage(Node[] nodes, Pod[] pods, bool surge = false, bool backoffAllows = true) =>
        DaemonPlanner.Manage(nodes, Eligible, DaemonPlanner.ByNode(pods), "new", surge, _ => backoffAllows);

    private static string Names(IEnumerable<Pod> pods) => string.Join(",", pods.Select(p => p.Metadata!.Name));

    [Fact]
    public void CreatesWhereMissingDeletesExtrasAndPodsOfIneligibleNodes()
    {
        Node[] nodes = [Node("a"), Node("b"), Node("c", null, Taint("x", "NoExecute")), Node("d")];
        Pod[] pods =
        [
            Pod("a-old", "a", "new", ageSeconds: 300), Pod("a-young", "a", "new", ageSeconds: 10),
            Pod("c-1", "c", "new"),
            Pod("d-gone", "d", "new", terminating: true),
            Pod("ghost-unbound", "ghost", "new", bound: false), Pod("ghost-bound", "ghost", "new"),
        ];
        ManagePlan plan = Manage(nodes, pods);
        Assert.Equal(["b"], plan.NodesToCreate);
        Assert.Equal("a-young,c-1,ghost-unbound", Names(plan.PodsToDelete));
    }

    [Fact]
    public void NoScheduleTaintKeepsAnExistingPodButCreatesNone()
    {
        Node tainted = Node("t", null, Taint("x", "NoSchedule"));
        Assert.Empty(Manage([tainted], [Pod("t-1", "t", "new")]).PodsToDelete);
        Assert.Empty(Manage([tainted], []).NodesToCreate);
    }

    [Fact]
    public void FailedPodsAreDeletedUnlessInBackoffAndSucceededOnesAlways()
    {
        Node[] nodes = [Node("a"), Node("b")];
        Pod[] pods = [Pod("a-f", "a", "new", phase: "Failed"), Pod("b-s", "b", "new", phase: "Succeeded")];
        ManagePlan plan = Manage(nodes, pods);
        Assert.Equal("a-f,b-s", Names(plan.PodsToDelete));
        Assert.Equal("a-f", Names(plan.FailedPods));
        Assert.Empty(plan.NodesToCreate);

        ManagePlan waiting = Manage(nodes, pods, backoffAllows: false);
        Assert.Equal("b-s", Names(waiting.PodsToDelete));
        Assert.True(waiting.RetryForBackoff);
    }

    [Fact]
    public void WithSurgeAnUnreadyNewPodKeepsTheReadyOldOne()
    {
        Node[] nodes = [Node("a")];
        Assert.Empty(Manage(nodes, [Pod("old", "a", "old", ageSeconds: 300), Pod("new", "a", "new", ready: false, ageSeconds: 5)], surge: true).PodsToDelete);
        Assert.Equal("old", Names(Manage(nodes, [Pod("old", "a", "old", ageSeconds: 300), Pod("new", "a", "new", ageSeconds: 5)], surge: true).PodsToDelete));
        Assert.Equal("new", Names(Manage(nodes, [Pod("old", "a", "old", ageSeconds: 300), Pod("new", "a", "new", ready: false, ageSeconds: 5)]).PodsToDelete));
    }

    [Fact]
    public void UpdatedMeansHashOrTemplateGeneration()
    {
        Pod pod = Pod("p", "a", "h1");
        pod.Metadata!.Labels![DaemonPlanner.TemplateGenerationLabel] = "3";
        Assert.True(DaemonPlanner.IsUpdated(pod, "h1", 9));
        Assert.True(DaemonPlanner.IsUpdated(pod, "h2", 3));
        Assert.False(DaemonPlanner.IsUpdated(pod, "h2", 4));
        Assert.False(DaemonPlanner.IsUpdated(pod, "", null));
    }

    [Theory]
    [InlineData(1, 0, 10, 0, 1)]
    [InlineData(0, 0, 10, 0, 1)]
    [InlineData(0, 2, 10, 2, 0)]
    public void LimitsScaleAndNeverBothZero(int unavailable, int surge, int desired, int wantSurge, int wantUnavailable) =>
        Assert.Equal((wantSurge, wantUnavailable), DaemonPlanner.Limits(Rolling(unavailable, surge), desired));

    [Fact]
    public void PercentLimitsRoundUp()
    {
        var strategy = new DaemonSetUpdateStrategy
        {
            Type = "RollingUpdate",
            RollingUpdate = new RollingUpdateDaemonSet { MaxUnavailable = "25%", MaxSurge = "10%" },
        };
        Assert.Equal((1, 2), DaemonPlanner.Limits(strategy, 5));
        Assert.True(DaemonPlanner.AllowsSurge(strategy));
        Assert.False(DaemonPlanner.AllowsSurge(Rolling(1, 0)));
    }

    [Fact]
    public void RollingDeletesOneOldPodAtATimeAndWaitsForTheNewOne()
    {
        Node[] nodes = [Node("a"), Node("b"), Node("c")];
        Pod[] allOld = [Pod("a1", "a", "old"), Pod("b1", "b", "old"), Pod("c1", "c", "old")];
        RollingPlan first = DaemonPlanner.Rolling(nodes, Eligible, DaemonPlanner.ByNode(allOld), "new", null, Rolling(), 0, T0);
        Assert.Equal("a1", Names(first.PodsToDelete));
        Assert.Empty(first.NodesToCreate);

        // a's replacement exists but is not ready: the budget of one unavailable node is used up.
        Pod[] waiting = [Pod("a2", "a", "new", ready: false), Pod("b1", "b", "old"), Pod("c1", "c", "old")];
        Assert.Empty(DaemonPlanner.Rolling(nodes, Eligible, DaemonPlanner.ByNode(waiting), "new", null, Rolling(), 0, T0).PodsToDelete);

        // a's old pod still terminating: that node counts as unavailable too.
        Pod[] terminating = [Pod("a1", "a", "old", terminating: true), Pod("b1", "b", "old"), Pod("c1", "c", "old")];
        Assert.Empty(DaemonPlanner.Rolling(nodes, Eligible, DaemonPlanner.ByNode(terminating), "new", null, Rolling(), 0, T0).PodsToDelete);

        Pod[] next = [Pod("a2", "a", "new"), Pod("b1", "b", "old"), Pod("c1", "c", "old")];
        Assert.Equal("b1", Names(DaemonPlanner.Rolling(nodes, Eligible, DaemonPlanner.ByNode(next), "new", null, Rolling(), 0, T0).PodsToDelete));
        Assert.Equal("b1,c1", Names(DaemonPlanner.Rolling(nodes, Eligible, DaemonPlanner.ByNode(next), "new", null, Rolling(maxUnavailable: 2), 0, T0).PodsToDelete));
    }

    [Fact]
    public void UnavailableOldPodsAreReplacedRegardlessOfTheBudgetAndMinReadySecondsCounts()
    {
        Node[] nodes = [Node("a"), Node("b"), Node("c")];
        Pod[] pods = [Pod("a2", "a", "new", ready: false), Pod("b1", "b", "old", ready: false), Pod("c1", "c", "old")];
        Assert.Equal("b1", Names(DaemonPlanner.Rolling(nodes, Eligible, DaemonPlanner.ByNode(pods), "new", null, Rolling(), 0, T0).PodsToDelete));

        // Ready for 100 s but minReadySeconds 200: not available, so the new pod still uses the budget.
        Pod[] young = [Pod("a2", "a", "new"), Pod("b1", "b", "old", ageSeconds: 1000), Pod("c1", "c", "old", ageSeconds: 1000)];
        Assert.Empty(DaemonPlanner.Rolling(nodes, Eligible, DaemonPlanner.ByNode(young), "new", null, Rolling(), 200, T0).PodsToDelete);
    }

    [Fact]
    public void SurgeStartsNewPodsBesideOldOnesAndDeletesOldOnesOnceNewAreAvailable()
    {
        Node[] nodes = [Node("a"), Node("b"), Node("c")];
        DaemonSetUpdateStrategy surge = Rolling(maxUnavailable: 0, maxSurge: 1);
        Pod[] allOld = [Pod("a1", "a", "old"), Pod("b1", "b", "old"), Pod("c1", "c", "old")];
        RollingPlan first = DaemonPlanner.Rolling(nodes, Eligible, DaemonPlanner.ByNode(allOld), "new", null, surge, 0, T0);
        Assert.Equal(["a"], first.NodesToCreate);
        Assert.Empty(first.PodsToDelete);

        Pod[] surging = [Pod("a1", "a", "old"), Pod("a2", "a", "new", ready: false), Pod("b1", "b", "old"), Pod("c1", "c", "old")];
        RollingPlan wait = DaemonPlanner.Rolling(nodes, Eligible, DaemonPlanner.ByNode(surging), "new", null, surge, 0, T0);
        Assert.Empty(wait.NodesToCreate);
        Assert.Empty(wait.PodsToDelete);

        Pod[] ready = [Pod("a1", "a", "old"), Pod("a2", "a", "new"), Pod("b1", "b", "old"), Pod("c1", "c", "old")];
        RollingPlan swap = DaemonPlanner.Rolling(nodes, Eligible, DaemonPlanner.ByNode(ready), "new", null, surge, 0, T0);
        Assert.Equal("a1", Names(swap.PodsToDelete));
        Assert.Equal(["b"], swap.NodesToCreate);
    }

    [Fact]
    public void StatusCountsEligibleNodesAndJudgesTheOldestPod()
    {
        Node[] nodes = [Node("a"), Node("b"), Node("c"), Node("d", null, Taint("x", "NoSchedule")), Node("e")];
        Pod[] pods =
        [
            Pod("a1", "a", "new"),
            Pod("b1", "b", "old", ageSeconds: 300), Pod("b2", "b", "new", ready: false, ageSeconds: 5),
            Pod("d1", "d", "new"),
            Pod("e1", "e", "new", ready: false, bound: false),
        ];
        DaemonSetStatus s = DaemonPlanner.Status(nodes, Eligible, DaemonPlanner.ByNode(pods), "new", null, 0, T0);
        Assert.Equal(4, s.DesiredNumberScheduled);
        Assert.Equal(3, s.CurrentNumberScheduled);
        Assert.Equal(1, s.NumberMisscheduled);
        Assert.Equal(2, s.NumberReady);
        Assert.Equal(2, s.NumberAvailable);
        Assert.Equal(2, s.UpdatedNumberScheduled);
        Assert.Equal(2, s.NumberUnavailable);
    }
}
