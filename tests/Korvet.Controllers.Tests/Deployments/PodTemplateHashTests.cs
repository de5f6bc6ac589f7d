using System.Text;
using Korvet.Controllers.Deployments;

namespace Korvet.Controllers.Tests.Deployments;

public sealed class PodTemplateHashTests
{
    [Theory]
    [InlineData("", 0x811c9dc5u)]
    [InlineData("a", 0xe40c292cu)]
    [InlineData("foobar", 0xbf9cf968u)]
    public void Fnv32a_matches_the_reference_vectors(string input, uint expected) =>
        Assert.Equal(expected, PodTemplateHash.Fnv32a(Encoding.ASCII.GetBytes(input)));

    [Theory]
    [InlineData("0123456789", "456789bcdf")]
    [InlineData("", "")]
    [InlineData("4294967295", "86f8fbc6f9")]
    public void SafeEncode_maps_digits_onto_the_safe_alphabet(string input, string expected) =>
        Assert.Equal(expected, PodTemplateHash.SafeEncode(input));

    [Fact]
    public void Hash_is_stable_salted_by_collision_count_and_safe()
    {
        string a = PodTemplateHash.Compute(Build.Template("nginx:1"), null);
        Assert.Equal(a, PodTemplateHash.Compute(Build.Template("nginx:1"), null));
        Assert.NotEqual(a, PodTemplateHash.Compute(Build.Template("nginx:2"), null));
        Assert.NotEqual(a, PodTemplateHash.Compute(Build.Template("nginx:1"), 1));
        Assert.NotEqual(PodTemplateHash.Compute(Build.Template("nginx:1"), 1), PodTemplateHash.Compute(Build.Template("nginx:1"), 2));
        Assert.All(a, c => Assert.Contains(c, PodTemplateHash.SafeAlphabet));
        Assert.InRange(a.Length, 1, 10);
    }

    [Fact]
    public void Hash_equals_fnv_of_the_rendering_then_the_salt()
    {
        var template = Build.Template("nginx:1");
        uint expected = PodTemplateHash.Fnv32a(PodTemplateHash.Render(template));
        expected = PodTemplateHash.Fnv32a([7, 0, 0, 0, 0, 0, 0, 0], expected);
        Assert.Equal(PodTemplateHash.SafeEncode(expected.ToString(System.Globalization.CultureInfo.InvariantCulture)), PodTemplateHash.Compute(template, 7));
    }

    [Fact]
    public void EqualIgnoreHash_ignores_only_the_hash_label_and_empty_members()
    {
        var plain = Build.Template("nginx:1");
        var hashed = Build.Template("nginx:1", new() { ["app"] = "web", [PodTemplateHash.LabelKey] = "abc" });
        Assert.True(PodTemplateHash.EqualIgnoreHash(plain, hashed));
        var annotated = Build.Template("nginx:1");
        annotated.Metadata!.Annotations = [];
        Assert.True(PodTemplateHash.EqualIgnoreHash(plain, annotated));
        annotated.Metadata.Annotations["kubectl.kubernetes.io/restartedAt"] = "now";
        Assert.False(PodTemplateHash.EqualIgnoreHash(plain, annotated));
        Assert.False(PodTemplateHash.EqualIgnoreHash(plain, Build.Template("nginx:2")));
        Assert.False(PodTemplateHash.EqualIgnoreHash(plain, Build.Template("nginx:1", new() { ["app"] = "other" })));
    }
}
