using Korvet.Api.Meta.V1;
using Korvet.Controllers.GarbageCollector;

namespace Korvet.Controllers.Tests.GarbageCollector;

public sealed class OwnerGraphTests
{
    private static GcIdentity Id(string kind, string name) => new(kind == "ReplicaSet" || kind == "Deployment" ? "apps/v1" : "v1", kind, "ns", name, "uid-" + name);

    private static ObjectMeta Meta(string name, string? owner = null, bool block = false, string? finalizer = null, bool deleting = false) => new()
    {
        Name = name, Namespace = "ns", Uid = "uid-" + name,
        OwnerReferences = owner is null ? null : [new OwnerReference { ApiVersion = "apps/v1", Kind = "Deployment", Name = owner, Uid = "uid-" + owner, BlockOwnerDeletion = block }],
        Finalizers = finalizer is null ? null : [finalizer],
        DeletionTimestamp = deleting ? new Time(DateTimeOffset.UnixEpoch) : null,
    };

    [Fact]
    public void DependentCreatesVirtualOwnerAndBothAreChecked()
    {
        var graph = new OwnerGraph();
        GcWork work = graph.Observe(Id("ReplicaSet", "rs"), Meta("rs", owner: "d"));
        Assert.Equal(["uid-d", "uid-rs"], work.AttemptToDelete.Order());
        GcNodeView owner = graph.Get("uid-d")!;
        Assert.True(owner.Virtual);
        Assert.Equal("uid-rs", Assert.Single(owner.Dependents).Identity.Uid);

        // Objects that neither own nor are owned stay out of the graph.
        Assert.Empty(graph.Observe(Id("Pod", "alone"), Meta("alone")).AttemptToDelete);
        Assert.Null(graph.Get("uid-alone"));
    }

    [Fact]
    public void ForegroundOwnerQueuesItselfAndDependentsAndSeesBlocking()
    {
        var graph = new OwnerGraph();
        graph.Observe(Id("ReplicaSet", "rs"), Meta("rs", owner: "d", block: true));
        graph.Observe(Id("Deployment", "d"), Meta("d"));
        Assert.False(graph.Get("uid-d")!.Virtual);

        GcWork work = graph.Observe(Id("Deployment", "d"), Meta("d", finalizer: "foregroundDeletion", deleting: true));
        Assert.Equal(["uid-d", "uid-rs"], work.AttemptToDelete.Order());
        GcNodeView owner = graph.Get("uid-d")!;
        Assert.Equal(DeletionState.DeletingDependents, owner.State);
        Assert.True(Assert.Single(owner.Dependents).BlocksOwner);

        // The dependent goes away: the waiting owner is re-checked (and can drop its finalizer).
        GcWork afterDelete = graph.Remove("uid-rs");
        Assert.Equal(["uid-d"], afterDelete.AttemptToDelete);
        Assert.Empty(graph.Get("uid-d")!.Dependents);
    }

    [Fact]
    public void OrphanFinalizerQueuesOrphaningAndOwnerRemovalQueuesDependents()
    {
        var graph = new OwnerGraph();
        graph.Observe(Id("ReplicaSet", "rs"), Meta("rs", owner: "d"));
        GcWork orphan = graph.Observe(Id("Deployment", "d"), Meta("d", finalizer: "orphan", deleting: true));
        Assert.Equal(["uid-d"], orphan.AttemptToOrphan);

        GcWork gone = graph.Remove("uid-d");
        Assert.Equal(["uid-rs"], gone.AttemptToDelete);
        Assert.True(graph.Get("uid-d")!.Virtual);

        // The dependent drops its reference: the virtual owner disappears from the graph.
        graph.Observe(Id("ReplicaSet", "rs"), Meta("rs"));
        Assert.Null(graph.Get("uid-d"));
    }
}
