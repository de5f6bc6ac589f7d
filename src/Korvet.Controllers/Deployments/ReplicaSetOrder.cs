using Korvet.Api.Apps.V1;

namespace Korvet.Controllers.Deployments;

/// <summary>Upstream's ReplicaSet sort orders (controller_utils / deployment_util). Stateless comparers.</summary>
public static class ReplicaSetOrder
{
    /// <summary>Older first; equal timestamps by name.</summary>
    public static readonly Comparison<ReplicaSet> ByCreationTimestamp = (a, b) =>
    {
        int c = Created(a).CompareTo(Created(b));
        return c != 0 ? c : string.CompareOrdinal(a.Metadata?.Name, b.Metadata?.Name);
    };

    /// <summary>Larger first; equal sizes older first.</summary>
    public static readonly Comparison<ReplicaSet> BySizeOlder = (a, b) =>
    {
        int c = DeploymentMath.Replicas(b).CompareTo(DeploymentMath.Replicas(a));
        return c != 0 ? c : ByCreationTimestamp(a, b);
    };

    /// <summary>Larger first; equal sizes newer first.</summary>
    public static readonly Comparison<ReplicaSet> BySizeNewer = (a, b) =>
    {
        int c = DeploymentMath.Replicas(b).CompareTo(DeploymentMath.Replicas(a));
        return c != 0 ? c : ByCreationTimestamp(b, a);
    };

    /// <summary>Lower revision first; equal revisions by creation timestamp.</summary>
    public static readonly Comparison<ReplicaSet> ByRevision = (a, b) =>
    {
        int c = Revisions.Revision(a).CompareTo(Revisions.Revision(b));
        return c != 0 ? c : ByCreationTimestamp(a, b);
    };

    public static List<ReplicaSet> Sorted(IEnumerable<ReplicaSet> sets, Comparison<ReplicaSet> order)
    {
        List<ReplicaSet> list = [.. sets];
        list.Sort(order);
        return list;
    }

    private static DateTimeOffset Created(ReplicaSet rs) => rs.Metadata?.CreationTimestamp?.Value ?? DateTimeOffset.MinValue;
}
