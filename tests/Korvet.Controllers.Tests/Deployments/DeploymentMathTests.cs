using Korvet.Api.IntStr;
using Korvet.Controllers.Deployments;

namespace Korvet.Controllers.Tests.Deployments;

public sealed class DeploymentMathTests
{
    public static TheoryData<string, string, int, int, int> Fenceposts => new()
    {
        // maxSurge, maxUnavailable, desired -> surge (rounded up), unavailable (rounded down)
        { "25%", "25%", 10, 3, 2 },
        { "25%", "25%", 1, 1, 0 },
        { "25%", "25%", 4, 1, 1 },
        { "0", "0", 5, 0, 1 },
        { "0%", "0%", 3, 0, 1 },
        { "2", "50%", 5, 2, 2 },
        { "10%", "10%", 1000, 100, 100 },
        { "33%", "33%", 10, 4, 3 },
        { "100%", "0", 3, 3, 0 },
        { "0", "100%", 3, 0, 3 },
        { "1", "1", 0, 1, 1 },
    };

    [Theory]
    [MemberData(nameof(Fenceposts))]
    public void ResolveFenceposts_rounds_like_upstream(string surge, string unavailable, int desired, int expectedSurge, int expectedUnavailable)
    {
        (int s, int u) = DeploymentMath.ResolveFenceposts(Parse(surge), Parse(unavailable), desired);
        Assert.Equal((expectedSurge, expectedUnavailable), (s, u));
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("25")]
    [InlineData("x%")]
    public void A_string_that_is_not_a_percentage_is_an_error(string value) =>
        Assert.Throws<FormatException>(() => IntOrPercent.Scaled(IntOrString.FromString(value), 10, roundUp: true));

    [Theory]
    [InlineData(2, "5", "RollingUpdate", 2)]
    [InlineData(10, "25%", "RollingUpdate", 2)]
    [InlineData(0, "25%", "RollingUpdate", 0)]
    [InlineData(10, "25%", "Recreate", 0)]
    public void MaxUnavailable_is_capped_and_zero_for_recreate(int replicas, string unavailable, string strategy, int expected) =>
        Assert.Equal(expected, DeploymentMath.MaxUnavailable(Build.Deployment(replicas, 1, Parse(unavailable), strategy)));

    [Theory]
    // replicas, surge, old spec, new spec -> new size
    [InlineData(10, "25%", 10, 0, 3)]
    [InlineData(10, "25%", 10, 3, 3)]
    [InlineData(10, "25%", 7, 3, 6)]
    [InlineData(10, "3", 1, 9, 10)]
    [InlineData(10, "0", 10, 0, 0)]
    [InlineData(10, "0", 8, 0, 2)]
    [InlineData(1000, "25%", 0, 0, 1000)]
    public void NewReplicaSetReplicas_grows_within_surge(int replicas, string surge, int oldSpec, int newSpec, int expected)
    {
        var d = Build.Deployment(replicas, Parse(surge), 1);
        var old = Build.Set("old", oldSpec, oldSpec);
        var created = Build.Set("new", newSpec, 0);
        Assert.Equal(expected, DeploymentMath.NewReplicaSetReplicas(d, [old, created], created));
    }

    [Fact]
    public void Recreate_new_set_goes_straight_to_replicas()
    {
        var d = Build.Deployment(5, strategy: "Recreate");
        var created = Build.Set("new", 0, 0);
        Assert.Equal(5, DeploymentMath.NewReplicaSetReplicas(d, [Build.Set("old", 5, 5), created], created));
    }

    [Theory]
    // set spec, max-replicas annotation, deployment replicas, surge -> fraction
    [InlineData(4, 8, 10, 3, 3)]
    [InlineData(2, 8, 10, 3, 1)]
    [InlineData(7, 13, 5, 3, -3)]
    [InlineData(6, 13, 5, 3, -2)]
    [InlineData(5, 10, 0, 3, -5)]
    public void ReplicaSetFraction_scales_by_allowed_size(int spec, int annotated, int replicas, int surge, int expected)
    {
        var d = Build.Deployment(replicas, surge, 1);
        Assert.Equal(expected, DeploymentMath.ReplicaSetFraction(Build.Set("a", spec, spec, maxReplicas: annotated), d));
    }

    [Fact]
    public void IsSaturated_needs_size_annotation_and_availability()
    {
        var d = Build.Deployment(3);
        Assert.True(DeploymentMath.IsSaturated(d, Build.Set("a", 3, 3, desired: 3)));
        Assert.False(DeploymentMath.IsSaturated(d, Build.Set("a", 3, 2, desired: 3)));
        Assert.False(DeploymentMath.IsSaturated(d, Build.Set("a", 3, 3)));
        Assert.False(DeploymentMath.IsSaturated(d, null));
    }

    internal static IntOrString Parse(string s) => int.TryParse(s, out int i) ? IntOrString.FromInt(i) : IntOrString.FromString(s);
}
