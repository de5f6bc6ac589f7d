using Korvet.Api.Apps.V1;
using Korvet.Api.Core.V1;
using Korvet.Controllers.StatefulSets;

namespace Korvet.Controllers.Tests.StatefulSets;

public sealed class StatefulSetPlannerTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    private static SyncPlan Plan(StatefulSet set, params Pod[] pods) => StatefulSetPlanner.Plan(set, pods, "rev-1", Sets.Builder(set), Now);

    private static string Describe(SyncPlan plan) => string.Join(",",
        plan.Replicas.Concat(plan.Condemned).Concat(plan.Update is null ? [] : [plan.Update]).Select(s => $"{s.Kind}:{s.Pod.Metadata!.Name}"));

    [Fact]
    public void Ordered_ready_creates_only_the_lowest_missing_ordinal()
    {
        StatefulSet set = Sets.Make();
        SyncPlan plan = Plan(set);
        Assert.Equal("CreatePod:web-0", Describe(plan));
        Assert.True(plan.StopAfterReplicas);
    }

    [Fact]
    public void Ordered_ready_waits_while_a_predecessor_is_not_running_and_ready()
    {
        StatefulSet set = Sets.Make();
        Assert.Equal("", Describe(Plan(set, Sets.Pod(set, 0, "Pending", ready: false))));
        Assert.Equal("", Describe(Plan(set, Sets.Pod(set, 0, "Running", ready: false))));
        Assert.Equal("CreatePod:web-1", Describe(Plan(set, Sets.Pod(set, 0))));
        Assert.Equal("CreatePod:web-2", Describe(Plan(set, Sets.Pod(set, 0), Sets.Pod(set, 1))));

        // A hole below is filled first even when higher ordinals exist.
        Assert.Equal("CreatePod:web-0", Describe(Plan(set, Sets.Pod(set, 1), Sets.Pod(set, 2))));
        Assert.Equal("", Describe(Plan(set, Sets.Pod(set, 0, terminating: true), Sets.Pod(set, 1))));
    }

    [Fact]
    public void Ordered_ready_respects_min_ready_seconds()
    {
        StatefulSet set = Sets.Make();
        set.Spec!.MinReadySeconds = 600;
        Assert.Equal("", Describe(Plan(set, Sets.Pod(set, 0))));
        set.Spec.MinReadySeconds = 10;
        Assert.Equal("CreatePod:web-1", Describe(Plan(set, Sets.Pod(set, 0))));
    }

    [Fact]
    public void Parallel_creates_every_missing_ordinal_at_once()
    {
        StatefulSet set = Sets.Make(replicas: 4, policy: "Parallel");
        SyncPlan plan = Plan(set, Sets.Pod(set, 1, "Pending", ready: false));
        Assert.Equal("CreatePod:web-0,CreatePod:web-2,CreatePod:web-3", Describe(plan));
        Assert.False(plan.StopAfterReplicas);
    }

    [Fact]
    public void Failed_and_succeeded_pods_are_deleted_to_be_recreated()
    {
        StatefulSet set = Sets.Make();
        Assert.Equal("DeleteFailed:web-0", Describe(Plan(set, Sets.Pod(set, 0, "Failed", ready: false), Sets.Pod(set, 1))));
        Assert.Equal("DeleteFailed:web-1", Describe(Plan(set, Sets.Pod(set, 0), Sets.Pod(set, 1, "Succeeded", ready: false))));
        Assert.Equal("", Describe(Plan(set, Sets.Pod(set, 0, "Failed", ready: false, terminating: true))));
    }

    [Fact]
    public void Ordered_scale_down_removes_the_highest_ordinal_first_one_at_a_time_when_all_are_healthy()
    {
        StatefulSet set = Sets.Make(replicas: 1);
        Assert.Equal("DeleteCondemned:web-2", Describe(Plan(set, Sets.Pod(set, 0), Sets.Pod(set, 1), Sets.Pod(set, 2))));

        // web-2 terminating: wait for it before web-1.
        Assert.Equal("", Describe(Plan(set, Sets.Pod(set, 0), Sets.Pod(set, 1), Sets.Pod(set, 2, terminating: true))));

        // An unhealthy replica blocks scale down; an unhealthy condemned pod only when it is not the first unhealthy one.
        Assert.Equal("", Describe(Plan(set, Sets.Pod(set, 0, ready: false), Sets.Pod(set, 1), Sets.Pod(set, 2))));
        Assert.Equal("DeleteCondemned:web-2", Describe(Plan(set, Sets.Pod(set, 0), Sets.Pod(set, 1), Sets.Pod(set, 2, ready: false))));
        Assert.Equal("", Describe(Plan(set, Sets.Pod(set, 0), Sets.Pod(set, 1, ready: false), Sets.Pod(set, 2, ready: false))));
    }

    [Fact]
    public void Parallel_scale_down_deletes_all_condemned_pods()
    {
        StatefulSet set = Sets.Make(replicas: 1, policy: "Parallel");
        Assert.Equal("DeleteCondemned:web-2,DeleteCondemned:web-1",
            Describe(Plan(set, Sets.Pod(set, 0, ready: false), Sets.Pod(set, 1), Sets.Pod(set, 2, ready: false))));
    }

    [Fact]
    public void Rolling_update_deletes_the_highest_outdated_ordinal_and_waits_for_health()
    {
        StatefulSet set = Sets.Make();
        Pod[] old = [Sets.Pod(set, 0, revision: "rev-0"), Sets.Pod(set, 1, revision: "rev-0"), Sets.Pod(set, 2, revision: "rev-0")];
        Assert.Equal("DeleteForUpdate:web-2", Describe(Plan(set, old)));
        Assert.Equal("DeleteForUpdate:web-1", Describe(Plan(set, old[0], old[1], Sets.Pod(set, 2))));

        // The updated web-2 is not ready yet: wait (the replica phase already blocks on it).
        SyncPlan waiting = Plan(set, old[0], old[1], Sets.Pod(set, 2, ready: false));
        Assert.Equal("", Describe(waiting));
        Assert.NotNull(waiting.WaitingFor);

        // Nothing outdated: nothing to do.
        Assert.Equal("", Describe(Plan(set, Sets.Pod(set, 0), Sets.Pod(set, 1), Sets.Pod(set, 2))));
    }

    [Fact]
    public void Partition_keeps_lower_ordinals_and_on_delete_never_deletes_for_update()
    {
        StatefulSet set = Sets.Make(partition: 2);
        Pod[] pods = [Sets.Pod(set, 0, revision: "rev-0"), Sets.Pod(set, 1, revision: "rev-0"), Sets.Pod(set, 2)];
        Assert.Equal("", Describe(Plan(set, pods)));
        set.Spec!.UpdateStrategy!.RollingUpdate!.Partition = 1;
        Assert.Equal("DeleteForUpdate:web-1", Describe(Plan(set, pods)));

        StatefulSet onDelete = Sets.Make(strategy: "OnDelete");
        Assert.Equal("", Describe(Plan(onDelete, Sets.Pod(onDelete, 0, revision: "rev-0"), Sets.Pod(onDelete, 1, revision: "rev-0"), Sets.Pod(onDelete, 2, revision: "rev-0"))));
    }

    [Fact]
    public void Pending_pods_get_missing_claims_and_identity_drift_is_fixed()
    {
        StatefulSet set = Sets.Make(replicas: 2, policy: "Parallel", claims: true);
        Pod drifted = Sets.Pod(set, 1);
        drifted.Metadata!.Labels![StatefulPods.PodNameLabel] = "x";
        Assert.Equal("CreateClaims:web-0,FixIdentity:web-1", Describe(Plan(set, Sets.Pod(set, 0, "Pending", ready: false), drifted)));
    }

    [Fact]
    public void Status_counts_and_rolling_update_completion()
    {
        StatefulSet set = Sets.Make();
        Pod[] pods = [Sets.Pod(set, 0, revision: "rev-0"), Sets.Pod(set, 1, ready: false), Sets.Pod(set, 2), Sets.Pod(set, 3, terminating: true)];
        StatefulSetStatus status = StatefulSetStatusMath.Compute(set, pods, "rev-0", "rev-1", 0, Now);
        Assert.Equal((4, 3, 3, 1, 2), (status.Replicas, status.ReadyReplicas, status.AvailableReplicas, status.CurrentReplicas, status.UpdatedReplicas));
        StatefulSetStatusMath.CompleteRollingUpdate(set, status);
        Assert.Equal("rev-0", status.CurrentRevision);

        StatefulSetStatus done = StatefulSetStatusMath.Compute(set, [Sets.Pod(set, 0), Sets.Pod(set, 1), Sets.Pod(set, 2)], "rev-0", "rev-1", 0, Now);
        StatefulSetStatusMath.CompleteRollingUpdate(set, done);
        Assert.Equal(("rev-1", 3), (done.CurrentRevision, done.CurrentReplicas));
        Assert.False(StatefulSetStatusMath.NeedsWrite(done, StatefulSetStatusMath.Compute(set, [Sets.Pod(set, 0), Sets.Pod(set, 1), Sets.Pod(set, 2)], "rev-1", "rev-1", 0, Now)));
        Assert.True(StatefulSetStatusMath.NeedsWrite(done, status));

        set.Spec!.MinReadySeconds = 600;
        Assert.Equal(0, StatefulSetStatusMath.Compute(set, [Sets.Pod(set, 0)], "rev-1", "rev-1", 0, Now).AvailableReplicas);
    }
}
