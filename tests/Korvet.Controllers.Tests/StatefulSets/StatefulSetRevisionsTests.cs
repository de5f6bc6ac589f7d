using System.Text;
using System.Text.Json.Nodes;
using Korvet.Api.Apps.V1;
using Korvet.Api.Core.V1;
using Korvet.Controllers.StatefulSets;

namespace Korvet.Controllers.Tests.StatefulSets;

public sealed class StatefulSetRevisionsTests
{
    [Theory]
    [InlineData("", 0x811c9dc5u)]
    [InlineData("a", 0x050c5d7eu)]
    [InlineData("foobar", 0x31f0b262u)]
    public void Fnv32_is_fnv1_not_fnv1a(string input, uint expected) =>
        Assert.Equal(expected, StatefulSetRevisions.Fnv32(Encoding.ASCII.GetBytes(input)));

    [Fact]
    public void Revision_is_named_by_the_hash_of_its_data_and_stores_a_replace_patch_of_the_template()
    {
        StatefulSet set = Sets.Make();
        set.Metadata!.Annotations = new() { ["kubernetes.io/change-cause"] = "v1" };
        ControllerRevision revision = StatefulSetRevisions.New(set, 3, 0);
        string hash = revision.Metadata!.Labels![StatefulSetRevisions.HashLabel];
        Assert.Equal("web-" + hash, revision.Metadata.Name);
        Assert.Equal(StatefulSetRevisions.Hash(Encoding.UTF8.GetBytes(revision.Data!.Raw!.ToJsonString()), 0), hash);
        Assert.All(hash, c => Assert.Contains(c, "bcdfghjklmnpqrstvwxz2456789"));
        Assert.Equal("web", revision.Metadata.Labels["app"]);
        Assert.Equal("v1", revision.Metadata.Annotations!["kubernetes.io/change-cause"]);
        Assert.Equal(3, revision.Revision);
        Assert.Equal(("StatefulSet", "set-uid", true), (revision.Metadata.OwnerReferences![0].Kind, revision.Metadata.OwnerReferences[0].Uid,
            revision.Metadata.OwnerReferences[0].Controller));
        JsonObject template = revision.Data.Raw["spec"]!["template"]!.AsObject();
        Assert.Equal("replace", (string?)template["$patch"]);
        Assert.Equal("$patch", template.First().Key);
        Assert.Equal("nginx:1", (string?)template["spec"]!["containers"]![0]!["image"]);
        Assert.Single(revision.Data.Raw.AsObject());
        Assert.Single(revision.Data.Raw["spec"]!.AsObject());

        PodTemplateSpec restored = StatefulSetRevisions.TemplateOf(revision);
        Assert.Equal("nginx:1", restored.Spec!.Containers![0].Image);
        Assert.Equal("web", restored.Metadata!.Labels!["app"]);
    }

    [Fact]
    public void Equal_templates_hash_equal_and_changes_or_collisions_change_the_name()
    {
        ControllerRevision a = StatefulSetRevisions.New(Sets.Make(), 1, 0);
        ControllerRevision b = StatefulSetRevisions.New(Sets.Make(), 2, 0);
        ControllerRevision image = StatefulSetRevisions.New(Sets.Make(image: "nginx:2"), 2, 0);
        ControllerRevision collided = StatefulSetRevisions.New(Sets.Make(), 1, 1);
        Assert.Equal(a.Metadata!.Name, b.Metadata!.Name);
        Assert.True(StatefulSetRevisions.Equal(a, b));
        Assert.NotEqual(a.Metadata.Name, image.Metadata!.Name);
        Assert.False(StatefulSetRevisions.Equal(a, image));
        Assert.NotEqual(a.Metadata.Name, collided.Metadata!.Name);
        Assert.True(StatefulSetRevisions.Equal(a, collided));

        // Replicas, strategy and the like are not part of a revision.
        ControllerRevision scaled = StatefulSetRevisions.New(Sets.Make(replicas: 7, policy: "Parallel"), 1, 0);
        Assert.Equal(a.Metadata.Name, scaled.Metadata!.Name);
    }

    [Fact]
    public void Equal_ignores_key_order_of_stored_data()
    {
        ControllerRevision a = StatefulSetRevisions.New(Sets.Make(), 1, 0);
        var reordered = new JsonObject();
        foreach ((string key, JsonNode? value) in a.Data!.Raw!["spec"]!["template"]!.AsObject().Reverse())
        {
            reordered[key] = value?.DeepClone();
        }

        var b = new ControllerRevision { Data = new Api.Runtime.RawExtension(new JsonObject { ["spec"] = new JsonObject { ["template"] = reordered } }) };
        Assert.True(StatefulSetRevisions.Equal(a, b));
    }

    [Fact]
    public void Next_and_truncation_keep_live_revisions()
    {
        ControllerRevision R(string name, long n) => new() { Metadata = new() { Name = name }, Revision = n };
        List<ControllerRevision> sorted = StatefulSetRevisions.Sorted([R("e", 5), R("a", 1), R("c", 3), R("b", 2), R("d", 4)]);
        Assert.Equal(["a", "b", "c", "d", "e"], sorted.Select(r => r.Metadata!.Name));
        Assert.Equal(6, StatefulSetRevisions.Next(sorted));
        Assert.Equal(1, StatefulSetRevisions.Next([]));

        // Live: e (update), a (a pod still runs it); history b, c, d with limit 1 → b and c go.
        Assert.Equal(["b", "c"], StatefulSetRevisions.ToTruncate(sorted, ["e", "a"], 1).Select(r => r.Metadata!.Name));
        Assert.Empty(StatefulSetRevisions.ToTruncate(sorted, ["e"], 10));
        Assert.Equal(["a", "b", "c", "d"], StatefulSetRevisions.ToTruncate(sorted, ["e"], 0).Select(r => r.Metadata!.Name));
    }
}
