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
