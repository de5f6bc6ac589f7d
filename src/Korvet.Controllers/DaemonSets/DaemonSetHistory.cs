using System.Text.Json.Nodes;
using Korvet.Api.Apps.V1;
using Korvet.Api.Core.V1;
using Korvet.Api.Meta.V1;
using Korvet.Api.Runtime;
using Korvet.Api.Serialization;
using Korvet.Controllers.Deployments;
using Korvet.Controllers.ReplicaSets;

namespace Korvet.Controllers.DaemonSets;

/// <summary>
/// A DaemonSet's ControllerRevisions (upstream's daemon controller history.go + controller/history): the revision data
/// is the patch <c>{"spec":{"template":{...,"$patch":"replace"}}}</c> that kubectl's rollout undo applies back onto the
/// set; the name is <c>&lt;set&gt;-&lt;hash&gt;</c>; labels are the template's plus <c>controller-revision-hash</c>. The
/// hash is <see cref="PodTemplateHash.Compute"/> of the template salted with status.collisionCount (upstream hashes the
/// data bytes with the same FNV/safe-encode scheme: same shape, other values). Pure.
/// </summary>
public static class DaemonSetHistory
{
    /// <summary>history.ControllerRevisionName: the set name is cut so the whole name stays ≤ 253 chars.</summary>
    public static string RevisionName(string setName, string hash) =>
        (setName.Length > 223 ? setName[..223] : setName) + "-" + hash;

    public static string Hash(DaemonSet ds) => PodTemplateHash.Compute(ds.Spec?.Template ?? new PodTemplateSpec(), ds.Status?.CollisionCount);

    /// <summary>getPatch: the set's template as a replace patch.</summary>
    public static JsonObject Patch(DaemonSet ds)
    {
        JsonObject template = ApiJson.SerializeToObject(ds.Spec?.Template ?? new PodTemplateSpec());
        template["$patch"] = "replace";
        return new JsonObject { ["spec"] = new JsonObject { ["template"] = template } };
    }

    /// <summary>The template recorded in a revision; null when the data is not a template patch.</summary>
    public static PodTemplateSpec? Template(ControllerRevision revision)
    {
        if (revision.Data?.Raw?["spec"]?["template"] is not JsonObject template)
        {
            return null;
        }

        var copy = (JsonObject)template.DeepClone();
        copy.Remove("$patch");
        return (PodTemplateSpec)ApiJson.Deserialize(copy, typeof(PodTemplateSpec));
    }

    /// <summary>Match: the revision records the set's current template (compared canonically, not byte-wise).</summary>
    public static bool Matches(DaemonSet ds, ControllerRevision revision) =>
        Template(revision) is PodTemplateSpec t && PodTemplateHash.EqualIgnoreHash(t, ds.Spec?.Template);

    /// <summary>NewControllerRevision: owned by the set (controller, blockOwnerDeletion), the set's annotations copied.</summary>
    public static ControllerRevision Snapshot(DaemonSet ds, string hash, long revision)
    {
        ObjectMeta meta = ds.Metadata ?? new ObjectMeta();
        Dictionary<string, string> labels = new(ds.Spec?.Template?.Metadata?.Labels ?? [], StringComparer.Ordinal)
        {
            [DaemonPlanner.RevisionHashLabel] = hash,
        };
        return new ControllerRevision
        {
            ApiVersion = "apps/v1",
            Kind = "ControllerRevision",
            Metadata = new ObjectMeta
            {
                Name = RevisionName(meta.Name ?? "", hash),
                Namespace = meta.Namespace,
                Labels = labels,
                Annotations = meta.Annotations is null ? null : new Dictionary<string, string>(meta.Annotations),
                OwnerReferences = [PodState.ControllerReference("apps/v1", "DaemonSet", meta)],
            },
            Data = new RawExtension(Patch(ds)),
            Revision = revision,
        };
    }

    /// <summary>
    /// cleanupHistory: old revisions beyond revisionHistoryLimit (default 10) that no live pod still uses (by hash
    /// label), lowest revision first.
    /// </summary>
    public static List<ControllerRevision> ToDelete(IReadOnlyList<ControllerRevision> old, IEnumerable<Pod> pods, int? limit)
    {
        int keep = Math.Max(limit ?? 10, 0);
        if (old.Count <= keep)
        {
            return [];
        }

        HashSet<string> live = [.. pods.Select(p => p.Metadata?.Labels?.GetValueOrDefault(DaemonPlanner.RevisionHashLabel) ?? "")];
        List<ControllerRevision> unused =
        [
            .. old.Where(r => !live.Contains(r.Metadata?.Labels?.GetValueOrDefault(DaemonPlanner.RevisionHashLabel) ?? "\0"))
                .OrderBy(r => r.Revision),
        ];
        return [.. unused.Take(Math.Min(old.Count - keep, unused.Count))];
    }
}
