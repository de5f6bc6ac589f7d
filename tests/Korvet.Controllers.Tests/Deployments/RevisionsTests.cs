using Korvet.Controllers.Deployments;

namespace Korvet.Controllers.Tests.Deployments;

public sealed class RevisionsTests
{
    [Fact]
    public void A_new_set_gets_revision_and_replica_annotations_and_the_deployments_own_annotations()
    {
        var d = Build.Deployment(4, 1, 1);
        d.Metadata!.Annotations = new()
        {
            ["team"] = "a",
            [Revisions.LastAppliedAnnotation] = "{}",
            [Revisions.RevisionAnnotation] = "9",
        };
        var rs = Build.Set("n", 0, 0);
        Assert.True(Revisions.SetNewReplicaSetAnnotations(d, rs, "3", exists: false));
        var a = rs.Metadata!.Annotations!;
        Assert.Equal("3", a[Revisions.RevisionAnnotation]);
        Assert.Equal("4", a[Revisions.DesiredReplicasAnnotation]);
        Assert.Equal("5", a[Revisions.MaxReplicasAnnotation]);
        Assert.Equal("a", a["team"]);
        Assert.False(a.ContainsKey(Revisions.LastAppliedAnnotation));
        Assert.False(a.ContainsKey(Revisions.RevisionHistoryAnnotation));
    }

    [Theory]
    // old revision, old history, new revision -> revision, history
    [InlineData("2", null, "5", "5", "2")]
    [InlineData("3", "1,2", "4", "4", "1,2,3")]
    [InlineData("5", null, "5", "5", null)]
    [InlineData("6", "1", "5", "6", "1")]
    public void Reusing_a_set_records_its_old_revision(string oldRevision, string? history, string newRevision, string expectedRevision, string? expectedHistory)
    {
        var d = Build.Deployment(1);
        var rs = Build.Set("o", 0, 0);
        rs.Metadata!.Annotations![Revisions.RevisionAnnotation] = oldRevision;
        if (history is not null)
        {
            rs.Metadata.Annotations[Revisions.RevisionHistoryAnnotation] = history;
        }

        Revisions.SetNewReplicaSetAnnotations(d, rs, newRevision, exists: true);
        Assert.Equal(expectedRevision, rs.Metadata.Annotations[Revisions.RevisionAnnotation]);
        Assert.Equal(expectedHistory, rs.Metadata.Annotations.GetValueOrDefault(Revisions.RevisionHistoryAnnotation));
        Assert.False(rs.Metadata.Annotations.ContainsKey(Revisions.DesiredReplicasAnnotation));
    }

    [Fact]
    public void Revision_history_is_trimmed_from_the_front_to_the_limit()
    {
        var d = Build.Deployment(1);
        var rs = Build.Set("o", 0, 0);
        rs.Metadata!.Annotations![Revisions.RevisionAnnotation] = "40";
        rs.Metadata.Annotations[Revisions.RevisionHistoryAnnotation] = "10,20,30";
        Revisions.SetNewReplicaSetAnnotations(d, rs, "50", exists: true, maxHistoryChars: 5);
        Assert.Equal("30,40", rs.Metadata.Annotations[Revisions.RevisionHistoryAnnotation]);
    }

    [Fact]
    public void MaxRevision_ignores_unparsable_values()
    {
        var a = Build.Set("a", 0, 0, revision: 3);
        var b = Build.Set("b", 0, 0, revision: 7);
        var c = Build.Set("c", 0, 0);
        c.Metadata!.Annotations![Revisions.RevisionAnnotation] = "x";
        Assert.Equal(7, Revisions.MaxRevision([a, b, c]));
        Assert.Equal(0, Revisions.MaxRevision([]));
    }
}
