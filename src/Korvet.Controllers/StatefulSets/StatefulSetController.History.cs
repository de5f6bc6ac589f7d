using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Korvet.Api.Apps.V1;
using Korvet.Api.Core.V1;
using Korvet.Api.Meta.V1;
using Korvet.Client;
using Korvet.Controllers.ReplicaSets;
using Microsoft.Extensions.Logging;
using Selector = Korvet.Api.Selectors.LabelSelector;

namespace Korvet.Controllers.StatefulSets;

/// <summary>Claiming pods and ControllerRevisions, and the revision history (getStatefulSetRevisions, truncateHistory).</summary>
public sealed partial class StatefulSetController
{
    /// <summary>
    /// getPodsForStatefulSet: owned pods that still match (selector and "&lt;set&gt;-&lt;ordinal&gt;" name) are kept,
    /// owned ones that stopped matching are released, matching orphans adopted after a live check of the set.
    /// </summary>
    private Task<List<Pod>> ClaimPodsAsync(StatefulSet set, Selector selector, CancellationToken ct)
    {
        string uid = set.Metadata?.Uid ?? "";
        string ns = set.Metadata?.Namespace ?? "";
        return ControllerRefs.ClaimAsync(ControllerRefs.Candidates(_pods.Store, uid, ns).Where(p => p.Metadata?.Namespace == ns), set.Metadata!,
            "apps/v1", "StatefulSet",
            pod => selector.Matches((IReadOnlyDictionary<string, string>?)pod.Metadata?.Labels ?? new Dictionary<string, string>()) &&
                   StatefulPods.IsMemberOf(set, pod),
            token => CanAdoptAsync(set, token),
            (pod, patch, token) => _podClient.PatchAsync(pod.Metadata!.Name!, ns, PatchType.StrategicMerge, patch, ct: token), ct);
    }

    /// <summary>ListRevisions + AdoptOrphanRevisions: owned revisions, plus orphans matching the selector (adopted).</summary>
    private async Task<List<ControllerRevision>> ClaimRevisionsAsync(StatefulSet set, Selector selector, CancellationToken ct)
    {
        string uid = set.Metadata?.Uid ?? "";
        string ns = set.Metadata?.Namespace ?? "";
        var owned = new List<ControllerRevision>();
        bool? canAdopt = null;
        foreach (ControllerRevision revision in ControllerRefs.Candidates(_revisions.Store, uid, ns).Where(r => r.Metadata?.Namespace == ns))
        {
            OwnerReference? owner = PodState.ControllerOf(revision.Metadata);
            if (owner is not null)
            {
                if (owner.Uid == uid)
                {
                    owned.Add(revision);
                }

                continue;
            }

            if (set.Metadata?.DeletionTimestamp is not null ||
                !selector.Matches((IReadOnlyDictionary<string, string>?)revision.Metadata?.Labels ?? new Dictionary<string, string>()))
            {
                continue;
            }

            canAdopt ??= await CanAdoptAsync(set, ct);
            if (canAdopt == true)
            {
                OwnerReference controllerRef = PodState.ControllerReference("apps/v1", "StatefulSet", set.Metadata!);
                try
                {
                    owned.Add(await _revisionClient.PatchAsync(revision.Metadata!.Name!, ns, PatchType.StrategicMerge,
                        ControllerRefs.AdoptPatch(controllerRef, revision.Metadata.Uid ?? ""), ct: ct));
                }
                catch (ApiException e) when (e.IsNotFound)
                {
                    // Gone meanwhile.
                }
            }
        }

        return owned;
    }

    private async Task<bool> CanAdoptAsync(StatefulSet set, CancellationToken ct)
    {
        StatefulSet? fresh = await _client.TryGetAsync(set.Metadata?.Name ?? "", set.Metadata?.Namespace, ct);
        return fresh?.Metadata?.Uid == set.Metadata?.Uid && fresh?.Metadata?.DeletionTimestamp is null;
    }

    /// <summary>
    /// getStatefulSetRevisions: the update revision is the latest revision when it equals the template, else an older
    /// equal revision renumbered to the next number (a rollback), else a new one (a name taken by different data bumps
    /// the collision count). The current revision is status.currentRevision's, else the update revision.
    /// </summary>
    private async Task<(ControllerRevision Current, ControllerRevision Update, int CollisionCount)> GetRevisionsAsync(
        StatefulSet set, List<ControllerRevision> revisions, CancellationToken ct)
    {
        int collisionCount = set.Status?.CollisionCount ?? 0;
        long next = StatefulSetRevisions.Next(revisions);
        ControllerRevision candidate = StatefulSetRevisions.New(set, next, collisionCount);
        List<ControllerRevision> equal = [.. revisions.Where(r => StatefulSetRevisions.Equal(r, candidate))];
        ControllerRevision update;
        if (equal.Count > 0 && StatefulSetRevisions.Equal(revisions[^1], equal[^1]))
        {
            update = revisions[^1];
        }
        else if (equal.Count > 0)
        {
            update = await _revisionClient.PatchAsync(equal[^1].Metadata!.Name!, equal[^1].Metadata!.Namespace, PatchType.Merge,
                new JsonObject { ["revision"] = next }.ToJsonString(), ct: ct);
        }
        else
        {
            (update, collisionCount) = await CreateRevisionAsync(set, candidate, collisionCount, ct);
        }

        ControllerRevision current = revisions.FirstOrDefault(r => r.Metadata?.Name == set.Status?.CurrentRevision) ?? update;
        return (current, update, collisionCount);
    }

    /// <summary>CreateControllerRevision: on a name taken by other data the collision count grows and the name changes.</summary>
    private async Task<(ControllerRevision, int)> CreateRevisionAsync(StatefulSet set, ControllerRevision candidate, int collisionCount, CancellationToken ct)
    {
        while (true)
        {
            try
            {
                return (await _revisionClient.CreateAsync(candidate, ct), collisionCount);
            }
            catch (ApiException e) when (e.IsAlreadyExists)
            {
                ControllerRevision existing = await _revisionClient.GetAsync(candidate.Metadata!.Name!, candidate.Metadata.Namespace, ct);
                if (StatefulSetRevisions.Equal(existing, candidate))
                {
                    return (existing, collisionCount);
                }

                collisionCount++;
                string hash = StatefulSetRevisions.Hash(Encoding.UTF8.GetBytes(candidate.Data!.Raw!.ToJsonString()), collisionCount);
                candidate.Metadata.Name = StatefulSetRevisions.Name(set.Metadata?.Name ?? "", hash);
                candidate.Metadata.Labels![StatefulSetRevisions.HashLabel] = hash;
                if (_logger.IsEnabled(LogLevel.Information))
                {
                    _logger.LogInformation("controller revision name collision for statefulset {Name}; collisionCount {Count}",
                        set.Metadata?.Name, collisionCount.ToString(CultureInfo.InvariantCulture));
                }
            }
        }
    }

    /// <summary>truncateHistory: deletes the oldest revisions that no pod uses and that are neither current nor update.</summary>
    private async Task TruncateHistoryAsync(StatefulSet set, List<ControllerRevision> revisions, List<Pod> pods, string current,
        string update, CancellationToken ct)
    {
        IEnumerable<string> live = pods.Select(StatefulPods.Revision).Append(current).Append(update);
        foreach (ControllerRevision old in StatefulSetRevisions.ToTruncate(revisions, live, set.Spec?.RevisionHistoryLimit ?? 10))
        {
            try
            {
                await _revisionClient.DeleteAsync(old.Metadata?.Name ?? "", old.Metadata?.Namespace, null, ct);
            }
            catch (ApiException e) when (e.IsNotFound)
            {
                // Already gone.
            }
        }
    }
}
