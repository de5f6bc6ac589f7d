using Korvet.Api.Apps.V1;
using Korvet.Api.Core.V1;
using Korvet.Api.Meta.V1;
using Korvet.Controllers.DaemonSets;
using static Korvet.Controllers.Tests.DaemonSets.DaemonSetObjects;

namespace Korvet.Controllers.Tests.DaemonSets;

public sealed class DaemonSetHistoryTests
{
    private static DaemonSet Set(string image, int? collisions = null) => new()
    {
        Metadata = new ObjectMeta { Name = "agent", Namespace = "ns", Uid = "u1", Generation = 2, Annotations = new() { ["kubernetes.io/change-cause"] = "v" } },
        Spec = new DaemonSetSpec
        {
            Template = new PodTemplateSpec
            {
                Metadata = new ObjectMeta { Labels = new() { ["app"] = "agent" } },
                Spec = Spec(s => s.Containers![0].Image = image),
            },
        },
        Status = collisions is null ? null : new DaemonSetStatus { CollisionCount = collisions },
    };

    [Fact]
    public void SnapshotIsAReplacePatchOwnedByTheSetAndMatchesOnlyItsTemplate()
    {
        DaemonSet ds = Set("agent:1");
        string hash = DaemonSetHistory.Hash(ds);
        ControllerRevision r = DaemonSetHistory.Snapshot(ds, hash, 3);
        Assert.Equal("agent-" + hash, r.Metadata!.Name);
        Assert.Equal(3, r.Revision);
        Assert.Equal(hash, r.Metadata.Labels![DaemonPlanner.RevisionHashLabel]);
        Assert.Equal("agent", r.Metadata.Labels["app"]);
        Assert.Equal("v", r.Metadata.Annotations!["kubernetes.io/change-cause"]);
        OwnerReference owner = Assert.Single(r.Metadata.OwnerReferences!);
        Assert.Equal(("DaemonSet", "u1", true, true), (owner.Kind, owner.Uid, owner.Controller, owner.BlockOwnerDeletion));
        Assert.Equal("replace", r.Data!.Raw!["spec"]!["template"]!["$patch"]!.GetValue<string>());
        Assert.True(DaemonSetHistory.Matches(ds, r));
        Assert.False(DaemonSetHistory.Matches(Set("agent:2"), r));
        Assert.Equal("agent:1", DaemonSetHistory.Template(r)!.Spec!.Containers![0].Image);
    }

    [Fact]
    public void HashDependsOnTemplateAndCollisionCount()
    {
        Assert.Equal(DaemonSetHistory.Hash(Set("agent:1")), DaemonSetHistory.Hash(Set("agent:1")));
        Assert.NotEqual(DaemonSetHistory.Hash(Set("agent:1")), DaemonSetHistory.Hash(Set("agent:2")));
        Assert.NotEqual(DaemonSetHistory.Hash(Set("agent:1")), DaemonSetHistory.Hash(Set("agent:1", collisions: 1)));
        Assert.Equal(new string('x', 223) + "-bcdfghjklm", DaemonSetHistory.RevisionName(new string('x', 300), "bcdfghjklm"));
        Assert.Equal("agent-h", DaemonSetHistory.RevisionName("agent", "h"));
    }

    [Fact]
    public void CleanupKeepsTheLimitAndRevisionsLivePodsUse()
    {
        List<ControllerRevision> old = [.. Enumerable.Range(1, 5).Select(i => DaemonSetHistory.Snapshot(Set("agent:" + i), "h" + i, i))];
        Pod[] pods = [Pod("p", "a", "h1")];
        Assert.Equal(["h2", "h3", "h4"], DaemonSetHistory.ToDelete(old, pods, 2).Select(r => r.Metadata!.Labels![DaemonPlanner.RevisionHashLabel]));
        Assert.Empty(DaemonSetHistory.ToDelete(old, pods, null));
        Assert.Equal(4, DaemonSetHistory.ToDelete(old, pods, 0).Count);
    }
}
