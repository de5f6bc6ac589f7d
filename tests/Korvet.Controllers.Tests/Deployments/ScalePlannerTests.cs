using Korvet.Api.Apps.V1;
using Korvet.Controllers.Deployments;

namespace Korvet.Controllers.Tests.Deployments;

public sealed class ScalePlannerTests
{
    public static TheoryData<int, int, int, int, int, int> OldScaleDowns => new()
    {
        // new spec, new available, old spec, old available -> old size (deployment 10, surge 3, unavailable 2)
        { 3, 0, 10, 10, 8, 0 },
        { 3, 3, 10, 7, 5, 0 },
        { 3, 0, 10, 8, 8, 0 },
        { 13, 0, 0, 0, 0, 0 },
        { 3, 0, 10, 9, 8, 0 },
        { 10, 10, 3, 3, 0, 0 },
        { 5, 0, 8, 8, 8, 0 },
    };

    [Theory]
    [MemberData(nameof(OldScaleDowns))]
    public void ScaleDownOld_keeps_min_available(int newSpec, int newAvailable, int oldSpec, int oldAvailable, int expectedOld, int unused)
    {
        _ = unused;
        var d = Build.Deployment(10, 3, 2);
        var created = Build.Set("new", newSpec, newAvailable, ageSeconds: 10);
        var old = Build.Set("old", oldSpec, oldAvailable);
        List<ReplicaSet> active = oldSpec > 0 ? [old] : [];
        List<ScaleAction> actions = ScalePlanner.ScaleDownOld(d, active, created, [old, created]);
        int result = actions.SingleOrDefault(a => a.ReplicaSet == old)?.Replicas ?? oldSpec;
        Assert.Equal(expectedOld, result);
    }

    [Fact]
    public void ScaleDownOld_caps_a_stale_available_count_at_the_set_size()
    {
        // The old set was scaled 4 -> 3 and its pod deleted, but its status still says 4 available.
        var d = Build.Deployment(4, 1, 1);
        var old = Build.Set("old", 3, 4);
        var created = Build.Set("new", 2, 1, ageSeconds: 10);
        List<ScaleAction> actions = ScalePlanner.ScaleDownOld(d, [old], created, [old, created]);
        Assert.Equal([("old", 2)], actions.Select(a => (a.ReplicaSet.Metadata!.Name!, a.Replicas)));
    }

    [Fact]
    public void ScaleDownOld_takes_from_the_oldest_set_first()
    {
        var d = Build.Deployment(10, 3, 2);
        var oldest = Build.Set("a", 2, 2, ageSeconds: 0);
        var older = Build.Set("b", 5, 5, ageSeconds: 1);
        var created = Build.Set("c", 3, 3, ageSeconds: 2);
        List<ScaleAction> actions = ScalePlanner.ScaleDownOld(d, [older, oldest], created, [oldest, older, created]);
        Assert.Equal([("a", 0)], actions.Select(a => (a.ReplicaSet.Metadata!.Name!, a.Replicas)));
    }

    [Fact]
    public void Proportional_scale_up_spreads_by_size_with_leftover_to_the_largest()
    {
        var d = Build.Deployment(10, 3, 2);
        var created = Build.Set("new", 2, 2, ageSeconds: 5, maxReplicas: 8);
        var old = Build.Set("old", 4, 4, ageSeconds: 0, maxReplicas: 8);
        var sizes = ScalePlanner.Proportional(d, created, [old]).ToDictionary(a => a.ReplicaSet.Metadata!.Name!, a => a.Replicas);
        Assert.Equal(10, sizes["old"]);
        Assert.Equal(3, sizes["new"]);
    }

    [Fact]
    public void Proportional_scale_down_spreads_by_size()
    {
        var d = Build.Deployment(5, 3, 2);
        var created = Build.Set("new", 6, 6, ageSeconds: 5, maxReplicas: 13);
        var old = Build.Set("old", 7, 7, ageSeconds: 0, maxReplicas: 13);
        var sizes = ScalePlanner.Proportional(d, created, [old]).ToDictionary(a => a.ReplicaSet.Metadata!.Name!, a => a.Replicas);
        Assert.Equal(4, sizes["old"]);
        Assert.Equal(4, sizes["new"]);
    }

    [Fact]
    public void One_active_set_takes_the_whole_new_size()
    {
        var d = Build.Deployment(7);
        var created = Build.Set("new", 3, 3, ageSeconds: 5);
        var old = Build.Set("old", 0, 0);
        Assert.Equal([("new", 7)], ScalePlanner.Proportional(d, created, [old]).Select(a => (a.ReplicaSet.Metadata!.Name!, a.Replicas)));
        Assert.Empty(ScalePlanner.Proportional(Build.Deployment(3), created, [old]));
    }

    [Fact]
    public void Saturated_new_set_scales_old_sets_to_zero()
    {
        var d = Build.Deployment(3);
        var created = Build.Set("new", 3, 3, ageSeconds: 5, desired: 3);
        var old = Build.Set("old", 2, 2);
        Assert.Equal([("old", 0)], ScalePlanner.Proportional(d, created, [old]).Select(a => (a.ReplicaSet.Metadata!.Name!, a.Replicas)));
    }

    [Fact]
    public void ActiveOrLatest_prefers_the_new_set_then_the_newest_old()
    {
        var created = Build.Set("new", 0, 0, ageSeconds: 9);
        var a = Build.Set("a", 0, 0, ageSeconds: 1);
        var b = Build.Set("b", 0, 0, ageSeconds: 2);
        Assert.Same(created, ScalePlanner.ActiveOrLatest(created, [a, b]));
        Assert.Same(b, ScalePlanner.ActiveOrLatest(null, [a, b]));
        Assert.Null(ScalePlanner.ActiveOrLatest(Build.Set("n", 1, 1), [Build.Set("o", 1, 1)]));
    }

    public static TheoryData<int, string, string> Rollouts => new()
    {
        { 10, "25%", "25%" },
        { 10, "0", "1" },
        { 10, "3", "0" },
        { 5, "1", "1" },
        { 1, "25%", "25%" },
        { 7, "50%", "10%" },
        { 100, "10%", "0" },
        { 3, "0", "100%" },
    };

    /// <summary>
    /// Drives a whole rollout through the planner with pods that become available one step after they are
    /// created, checking at every step that the pod count never exceeds replicas+maxSurge and availability never drops
    /// below replicas-maxUnavailable.
    /// </summary>
    [Theory]
    [MemberData(nameof(Rollouts))]
    public void Simulated_rollout_respects_surge_and_unavailable_at_every_step(int replicas, string surge, string unavailable)
    {
        var d = Build.Deployment(replicas, DeploymentMathTests.Parse(surge), DeploymentMathTests.Parse(unavailable));
        int maxSurge = DeploymentMath.MaxSurge(d);
        int maxUnavailable = DeploymentMath.MaxUnavailable(d);
        var old = Build.Set("old", replicas, replicas, ageSeconds: 0);
        var created = Build.Set("new", 0, 0, ageSeconds: 1);
        for (int step = 0; step < 1000; step++)
        {
            if (DeploymentMath.Replicas(created) == replicas && DeploymentMath.Replicas(old) == 0 && created.Status!.AvailableReplicas == replicas)
            {
                return;
            }

            int newSize = DeploymentMath.NewReplicaSetReplicas(d, [old, created], created);
            if (newSize != DeploymentMath.Replicas(created))
            {
                created.Spec!.Replicas = newSize;
            }
            else
            {
                foreach (ScaleAction a in ScalePlanner.ScaleDownOld(d, DeploymentMath.Active([old]), created, [old, created]))
                {
                    a.ReplicaSet.Spec!.Replicas = a.Replicas;
                    a.ReplicaSet.Status!.AvailableReplicas = Math.Min(a.ReplicaSet.Status.AvailableReplicas ?? 0, a.Replicas);
                }
            }

            Assert.True(DeploymentMath.SpecReplicaSum([old, created]) <= replicas + maxSurge, $"step {step}: too many pods");
            Assert.True(DeploymentMath.AvailableSum([old, created]) >= replicas - maxUnavailable, $"step {step}: too few available");

            // The new set's pods become available one step later.
            created.Status!.AvailableReplicas = DeploymentMath.Replicas(created);
        }

        Assert.Fail("the rollout did not converge");
    }
}
