using System.Globalization;
using Korvet.Api.Apps.V1;
using Deployment = Korvet.Api.Apps.V1.Deployment;

namespace Korvet.Controllers.Deployments;

/// <summary>
/// The deployment.kubernetes.io annotations on Deployments and their ReplicaSets, with upstream's rules for revision
/// numbers, the revision history of a rolled-back-to set, and the desired/max replica counts. Mutates only the object
/// it is given; pure otherwise.
/// </summary>
public static class Revisions
{
    public const string RevisionAnnotation = "deployment.kubernetes.io/revision";
    public const string RevisionHistoryAnnotation = "deployment.kubernetes.io/revision-history";
    public const string DesiredReplicasAnnotation = "deployment.kubernetes.io/desired-replicas";
    public const string MaxReplicasAnnotation = "deployment.kubernetes.io/max-replicas";
    public const string RollbackToAnnotation = "deprecated.deployment.rollback.to";
    public const string LastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration";

    /// <summary>Upstream's limit on the revision-history annotation length.</summary>
    public const int MaxRevisionHistoryChars = 2000;

    private static readonly HashSet<string> NotCopied =
        [LastAppliedAnnotation, RevisionAnnotation, RevisionHistoryAnnotation, DesiredReplicasAnnotation, MaxReplicasAnnotation, RollbackToAnnotation];

    /// <summary>The set's revision; 0 when absent or not a number (upstream logs and uses 0).</summary>
    public static long Revision(ReplicaSet rs) =>
        rs.Metadata?.Annotations?.TryGetValue(RevisionAnnotation, out string? v) == true &&
        long.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out long r) ? r : 0;

    public static long MaxRevision(IEnumerable<ReplicaSet> sets) => sets.Select(Revision).DefaultIfEmpty(0).Max();

    public static int? DesiredReplicas(ReplicaSet rs) => IntAnnotation(rs, DesiredReplicasAnnotation);

    public static int? MaxReplicas(ReplicaSet rs) => IntAnnotation(rs, MaxReplicasAnnotation);

    /// <summary>Sets desired-replicas and max-replicas; true when either changed.</summary>
    public static bool SetReplicasAnnotations(ReplicaSet rs, int desired, int max)
    {
        Dictionary<string, string> annotations = Annotations(rs);
        bool changed = Set(annotations, DesiredReplicasAnnotation, desired.ToString(CultureInfo.InvariantCulture));
        changed |= Set(annotations, MaxReplicasAnnotation, max.ToString(CultureInfo.InvariantCulture));
        return changed;
    }

    public static bool ReplicasAnnotationsNeedUpdate(ReplicaSet rs, int desired, int max) =>
        DesiredReplicas(rs) != desired || MaxReplicas(rs) != max ||
        rs.Metadata?.Annotations?.ContainsKey(DesiredReplicasAnnotation) != true;

    /// <summary>Copies the deployment's own annotations (not the controller's bookkeeping ones) onto the set.</summary>
    public static bool CopyDeploymentAnnotations(Deployment d, ReplicaSet rs)
    {
        bool changed = false;
        Dictionary<string, string> annotations = Annotations(rs);
        foreach ((string key, string value) in d.Metadata?.Annotations ?? [])
        {
            if (!NotCopied.Contains(key))
            {
                changed |= Set(annotations, key, value);
            }
        }

        return changed;
    }

    /// <summary>
    /// SetNewReplicaSetAnnotations: copies the deployment's annotations, raises the set's revision to
    /// <paramref name="newRevision"/> (recording the old number in revision-history when a set is reused, i.e. a
    /// rollback), and for a set about to be created also the replica annotations. True when anything changed.
    /// </summary>
    public static bool SetNewReplicaSetAnnotations(Deployment d, ReplicaSet rs, string newRevision, bool exists, int maxHistoryChars = MaxRevisionHistoryChars)
    {
        bool changed = CopyDeploymentAnnotations(d, rs);
        Dictionary<string, string> annotations = Annotations(rs);
        bool hadRevision = annotations.TryGetValue(RevisionAnnotation, out string? oldRevision);
        long oldNumber = 0;
        if (hadRevision && !long.TryParse(oldRevision, NumberStyles.None, CultureInfo.InvariantCulture, out oldNumber))
        {
            if (!string.IsNullOrEmpty(oldRevision))
            {
                return false;
            }
        }

        if (!long.TryParse(newRevision, NumberStyles.None, CultureInfo.InvariantCulture, out long newNumber))
        {
            return false;
        }

        if (oldNumber < newNumber)
        {
            annotations[RevisionAnnotation] = newRevision;
            changed = true;
        }

        if (hadRevision && !string.IsNullOrEmpty(oldRevision) && oldNumber < newNumber)
        {
            AppendHistory(annotations, oldRevision, maxHistoryChars);
        }

        if (!exists)
        {
            int replicas = DeploymentMath.Replicas(d);
            changed |= SetReplicasAnnotations(rs, replicas, replicas + DeploymentMath.MaxSurge(d));
        }

        return changed;
    }

    /// <summary>SetDeploymentRevision: true when the deployment's revision annotation had to change.</summary>
    public static bool SetDeploymentRevision(Deployment d, string revision)
    {
        d.Metadata ??= new();
        d.Metadata.Annotations ??= [];
        return Set(d.Metadata.Annotations, RevisionAnnotation, revision);
    }

    private static void AppendHistory(Dictionary<string, string> annotations, string oldRevision, int maxChars)
    {
        string history = annotations.TryGetValue(RevisionHistoryAnnotation, out string? h) ? h : "";
        if (history.Length == 0)
        {
            annotations[RevisionHistoryAnnotation] = oldRevision;
            return;
        }

        string[] old = history.Split(',');
        int total = history.Length + oldRevision.Length + 1;
        int start = 0;
        while (total > maxChars && start < old.Length)
        {
            total -= old[start].Length + 1;
            start++;
        }

        if (total <= maxChars)
        {
            annotations[RevisionHistoryAnnotation] = string.Join(',', old.Skip(start).Append(oldRevision));
        }
    }

    private static int? IntAnnotation(ReplicaSet rs, string key) =>
        rs.Metadata?.Annotations?.TryGetValue(key, out string? v) == true &&
        int.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int n) ? n : null;

    private static Dictionary<string, string> Annotations(ReplicaSet rs)
    {
        rs.Metadata ??= new();
        return rs.Metadata.Annotations ??= [];
    }

    private static bool Set(Dictionary<string, string> map, string key, string value)
    {
        if (map.TryGetValue(key, out string? existing) && existing == value)
        {
            return false;
        }

        map[key] = value;
        return true;
    }
}
