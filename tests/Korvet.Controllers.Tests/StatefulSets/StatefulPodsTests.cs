using Korvet.Api.Apps.V1;
using Korvet.Api.Core.V1;
using Korvet.Controllers.StatefulSets;

namespace Korvet.Controllers.Tests.StatefulSets;

public sealed class StatefulPodsTests
{
    [Theory]
    [InlineData("web-0", "web", 0)]
    [InlineData("web-12", "web", 12)]
    [InlineData("my-db-3", "my-db", 3)]
    [InlineData("web", "", -1)]
    [InlineData("web-", "", -1)]
    [InlineData("web-x1", "", -1)]
    [InlineData("web-99999999999", "web", -1)]
    [InlineData("", "", -1)]
    public void Parent_and_ordinal_come_from_the_name(string name, string parent, int ordinal) =>
        Assert.Equal((parent, ordinal), StatefulPods.ParentAndOrdinal(name));

    [Fact]
    public void New_pod_has_the_stable_identity_revision_owner_and_claim_volumes()
    {
        StatefulSet set = Sets.Make(claims: true);
        Pod pod = StatefulPods.NewPod(set, set.Spec!.Template!, 2, "web-abc");
        Assert.Equal("web-2", pod.Metadata!.Name);
        Assert.Equal("default", pod.Metadata.Namespace);
        Assert.Null(pod.Metadata.GenerateName);
        Assert.Equal("web-2", pod.Spec!.Hostname);
        Assert.Equal("nginx", pod.Spec.Subdomain);
        Assert.Equal("web", pod.Metadata.Labels!["app"]);
        Assert.Equal("web-2", pod.Metadata.Labels[StatefulPods.PodNameLabel]);
        Assert.Equal("2", pod.Metadata.Labels[StatefulPods.PodIndexLabel]);
        Assert.Equal("web-abc", pod.Metadata.Labels[StatefulPods.RevisionLabel]);
        var owner = Assert.Single(pod.Metadata.OwnerReferences!);
        Assert.Equal(("apps/v1", "StatefulSet", "web", "set-uid", true, true),
            (owner.ApiVersion, owner.Kind, owner.Name, owner.Uid, owner.Controller, owner.BlockOwnerDeletion));

        // The claim template's volume replaces the template's volume of the same name; other volumes stay after it.
        Assert.Equal(["www", "cfg"], pod.Spec.Volumes!.Select(v => v.Name));
        Assert.Equal("www-web-2", pod.Spec.Volumes![0].PersistentVolumeClaim!.ClaimName);
        Assert.Null(pod.Spec.Volumes[0].EmptyDir);
        Assert.NotNull(pod.Spec.Volumes[1].EmptyDir);
        Assert.True(StatefulPods.StorageMatches(set, pod));
        Assert.True(StatefulPods.IdentityMatches(set, pod));

        // The template itself is not modified.
        Assert.Null(set.Spec.Template!.Spec!.Hostname);
        Assert.False(set.Spec.Template.Metadata!.Labels!.ContainsKey(StatefulPods.PodNameLabel));
    }

    [Fact]
    public void Claims_are_named_per_ordinal_and_carry_the_selector_labels()
    {
        StatefulSet set = Sets.Make(claims: true);
        set.Spec!.VolumeClaimTemplates![0].Metadata!.Labels = new() { ["tier"] = "db" };
        (string template, PersistentVolumeClaim claim) = Assert.Single(StatefulPods.Claims(set, 1));
        Assert.Equal("www", template);
        Assert.Equal("www-web-1", claim.Metadata!.Name);
        Assert.Equal("default", claim.Metadata.Namespace);
        Assert.Equal(new Dictionary<string, string> { ["tier"] = "db", ["app"] = "web" }, claim.Metadata.Labels);
        Assert.Equal(["ReadWriteOnce"], claim.Spec!.AccessModes!);
        Assert.Null(claim.Metadata.OwnerReferences);
    }

    [Fact]
    public void Identity_mismatch_is_detected()
    {
        StatefulSet set = Sets.Make();
        Pod pod = Sets.Pod(set, 1);
        pod.Metadata!.Labels![StatefulPods.PodNameLabel] = "other";
        Assert.False(StatefulPods.IdentityMatches(set, pod));
        Assert.False(StatefulPods.IsMemberOf(Sets.Make("webx"), Sets.Pod(set, 0)));
    }

    [Fact]
    public void Ordinal_range_honours_spec_ordinals_start()
    {
        StatefulSet set = Sets.Make(replicas: 2);
        set.Spec!.Ordinals = new StatefulSetOrdinals { Start = 5 };
        Assert.Equal((5, 6), (StatefulPods.StartOrdinal(set), StatefulPods.EndOrdinal(set)));
        Assert.False(StatefulPods.InOrdinalRange(Sets.Pod(set, 4), set));
        Assert.True(StatefulPods.InOrdinalRange(Sets.Pod(set, 6), set));
        Assert.False(StatefulPods.InOrdinalRange(Sets.Pod(set, 7), set));
    }
}

public sealed class ClaimRetentionTests
{
    private static (StatefulSet Set, Pod Pod, PersistentVolumeClaim Claim) Setup(string whenDeleted, string whenScaled, int ordinal, int replicas = 2)
    {
        StatefulSet set = Sets.Make(replicas: replicas, claims: true);
        set.Spec!.PersistentVolumeClaimRetentionPolicy = new StatefulSetPersistentVolumeClaimRetentionPolicy { WhenDeleted = whenDeleted, WhenScaled = whenScaled };
        Pod pod = Sets.Pod(set, ordinal);
        PersistentVolumeClaim claim = StatefulPods.Claims(set, ordinal)[0].Claim;
        return (set, pod, claim);
    }

    [Theory]
    [InlineData("Retain", "Retain", 0, "")]
    [InlineData("Retain", "Retain", 5, "")]
    [InlineData("Delete", "Retain", 0, "StatefulSet")]
    [InlineData("Delete", "Retain", 5, "StatefulSet")]
    [InlineData("Retain", "Delete", 0, "")]
    [InlineData("Retain", "Delete", 5, "Pod")]
    [InlineData("Delete", "Delete", 1, "StatefulSet")]
    [InlineData("Delete", "Delete", 2, "Pod")]
    public void Owner_references_follow_the_policy(string whenDeleted, string whenScaled, int ordinal, string owner)
    {
        (StatefulSet set, Pod pod, PersistentVolumeClaim claim) = Setup(whenDeleted, whenScaled, ordinal);
        List<Api.Meta.V1.OwnerReference> desired = ClaimRetention.DesiredOwners(set, pod, claim)!;
        Assert.Equal(owner, string.Join(",", desired.Select(r => r.Kind)));
        Assert.All(desired, r => Assert.True(r is { Controller: true, BlockOwnerDeletion: true }));
        Assert.Equal(owner == "", ClaimRetention.SameOwners(claim.Metadata!.OwnerReferences, desired));
    }

    [Fact]
    public void Stale_references_are_left_alone_and_retain_scrubs_ours()
    {
        (StatefulSet set, Pod pod, PersistentVolumeClaim claim) = Setup("Delete", "Delete", 0);
        claim.Metadata!.OwnerReferences = [new() { ApiVersion = "apps/v1", Kind = "StatefulSet", Name = "web", Uid = "old-uid", Controller = true }];
        Assert.Null(ClaimRetention.DesiredOwners(set, pod, claim));

        (set, pod, claim) = Setup("Retain", "Retain", 0);
        claim.Metadata!.OwnerReferences = [new() { ApiVersion = "apps/v1", Kind = "StatefulSet", Name = "web", Uid = "set-uid", Controller = true },
            new() { ApiVersion = "v1", Kind = "ConfigMap", Name = "other", Uid = "cm" }];
        Assert.Equal(["cm"], ClaimRetention.DesiredOwners(set, pod, claim)!.Select(r => r.Uid));
    }
}
