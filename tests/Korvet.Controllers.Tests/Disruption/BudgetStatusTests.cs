using Korvet.Api.Core.V1;
using Korvet.Api.IntStr;
using Korvet.Api.Meta.V1;
using Korvet.Api.Policy.V1;
using Korvet.Controllers.Disruption;

namespace Korvet.Controllers.Tests.Disruption;

/// <summary>The disruption controller's arithmetic, without a server.</summary>
public sealed class BudgetStatusTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private static Pod Pod(string name, bool ready = true, string? owner = null, bool deleting = false) => new()
    {
        Metadata = new ObjectMeta
        {
            Name = name,
            Namespace = "ns",
            DeletionTimestamp = deleting ? new Time(Now) : null,
            OwnerReferences = owner is null ? null : [new OwnerReference { ApiVersion = "apps/v1", Kind = "ReplicaSet", Name = owner, Uid = owner, Controller = true }],
        },
        Status = new PodStatus { Phase = "Running", Conditions = [new PodCondition { Type = "Ready", Status = ready ? "True" : "False" }] },
    };

    private static PodDisruptionBudget Budget(IntOrString? min = null, IntOrString? max = null, Dictionary<string, Time>? disrupted = null) => new()
    {
        Metadata = new ObjectMeta { Name = "b", Namespace = "ns", Generation = 3 },
        Spec = new PodDisruptionBudgetSpec { MinAvailable = min, MaxUnavailable = max },
        Status = new PodDisruptionBudgetStatus { DisruptedPods = disrupted },
    };

    private sealed class Scales(Dictionary<string, ControllerScale> byRef) : IScaleFinder
    {
        public ControllerScale? Find(OwnerReference controllerRef, string ns) => byRef.GetValueOrDefault(controllerRef.Uid);
    }

    [Fact]
    public void IntegerMinAvailableExpectsTheSelectedPods()
    {
        Pod[] pods = [Pod("a"), Pod("b"), Pod("c"), Pod("d", ready: false)];
        (int expected, int desired, IReadOnlyList<string> unmanaged) = ExpectedPods.Calculate(Budget(min: 3), pods, new Scales([]));
        Assert.Equal((4, 3), (expected, desired));
        Assert.Empty(unmanaged);
        int healthy = BudgetStatus.CountHealthy(pods, new Dictionary<string, Time>(), Now);
        PodDisruptionBudgetStatus status = BudgetStatus.Compute(Budget(min: 3), healthy, desired, expected, [], Now);
        Assert.Equal((3, 3, 4, 0, 3L), (status.CurrentHealthy, status.DesiredHealthy, status.ExpectedPods, status.DisruptionsAllowed, status.ObservedGeneration));
        Condition condition = Assert.Single(status.Conditions!);
        Assert.Equal(("DisruptionAllowed", "False", "InsufficientPods", 3L), (condition.Type, condition.Status, condition.Reason, condition.ObservedGeneration));
    }

    [Fact]
    public void PercentagesAndMaxUnavailableUseTheControllersScaleCountedOnce()
    {
        // Two ReplicaSets of one Deployment (scale 4) and a StatefulSet-like owner of scale 2; one pod is unmanaged.
        var finder = new Scales(new()
        {
            ["rs1"] = new ControllerScale("deploy", 4),
            ["rs2"] = new ControllerScale("deploy", 4),
            ["sts"] = new ControllerScale("sts", 2),
        });
        Pod[] pods = [Pod("a", owner: "rs1"), Pod("b", owner: "rs2"), Pod("c", owner: "sts"), Pod("d")];
        (int expected, int desired, IReadOnlyList<string> unmanaged) = ExpectedPods.Calculate(Budget(max: "25%"), pods, finder);
        Assert.Equal((6, 4), (expected, desired)); // 25% of 6 rounds up to 2 unavailable
        Assert.Equal(["d"], unmanaged);
        (expected, desired, _) = ExpectedPods.Calculate(Budget(min: "50%"), pods, finder);
        Assert.Equal((6, 3), (expected, desired));
        (expected, desired, _) = ExpectedPods.Calculate(Budget(max: 9), pods, finder);
        Assert.Equal((6, 0), (expected, desired));
    }

    [Fact]
    public void AnUnknownControllerOrABadPercentageFails()
    {
        Pod[] pods = [Pod("a", owner: "nowhere")];
        var e = Assert.Throws<InvalidOperationException>(() => ExpectedPods.Calculate(Budget(max: 1), pods, new Scales([])));
        Assert.Equal("found no controllers for pod \"a\"", e.Message);
        Assert.Throws<InvalidOperationException>(() => ExpectedPods.Calculate(Budget(min: "half"), [Pod("b", owner: "x")],
            new Scales(new() { ["x"] = new ControllerScale("x", 2) })));

        PodDisruptionBudgetStatus failed = BudgetStatus.FailSafe(Budget(min: 1), "boom", Now);
        Assert.Equal(0, failed.DisruptionsAllowed);
        Condition condition = Assert.Single(failed.Conditions!);
        Assert.Equal(("False", "SyncFailed", "boom"), (condition.Status, condition.Reason, condition.Message));
    }

    [Fact]
    public void DisruptedPodsExpireAfterTwoMinutesOrWhenThePodIsGoneOrDeleting()
    {
        var disrupted = new Dictionary<string, Time>
        {
            ["fresh"] = new(Now.AddSeconds(-30)),
            ["old"] = new(Now.AddMinutes(-3)),
            ["deleting"] = new(Now.AddSeconds(-10)),
            ["gone"] = new(Now.AddSeconds(-10)),
        };
        Pod[] pods = [Pod("fresh"), Pod("old"), Pod("deleting", deleting: true), Pod("other")];
        (Dictionary<string, Time> kept, DateTimeOffset? recheck) = BudgetStatus.DisruptedPods(Budget(min: 1, disrupted: disrupted), pods, Now);
        Assert.Equal(["fresh"], kept.Keys);
        Assert.Equal(Now.AddSeconds(90), recheck);

        // "fresh" is Ready but about to go: not healthy; "old" counts again; the deleting pod never does.
        Assert.Equal(2, BudgetStatus.CountHealthy(pods, kept, Now));
        PodDisruptionBudgetStatus status = BudgetStatus.Compute(Budget(min: 1, disrupted: disrupted), 2, 1, 4, kept, Now);
        Assert.Equal(1, status.DisruptionsAllowed);
        Assert.Equal(("True", "SufficientPods"), (status.Conditions![0].Status, status.Conditions[0].Reason));
        Assert.False(BudgetStatus.Same(Budget(min: 1, disrupted: disrupted).Status, status));
        Assert.True(BudgetStatus.Same(status, BudgetStatus.Compute(new PodDisruptionBudget { Metadata = new ObjectMeta { Generation = 3 }, Status = status }, 2, 1, 4, kept, Now.AddMinutes(1))));
    }
}
