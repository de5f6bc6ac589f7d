using Korvet.Api.Apps.V1;
using Korvet.Api.Core.V1;
using Korvet.Client;
using Korvet.Controllers.ReplicaSets;
using LabelSelector = Korvet.Api.Selectors.LabelSelector;

namespace Korvet.Controllers.DaemonSets;

/// <summary>Pod claiming and ControllerRevisions: the parts of a sync that write ownership and history.</summary>
public sealed partial class DaemonSetController
{
    /// <summary>
    /// constructHistory: the revision matching the template is current (raised to max+1 when an older one matches,
    /// i.e. a rollback); none → a new one with max+1. A name collision with different data raises status.collisionCount
    /// and fails the sync (it is retried with the new hash).
    /// </summary>
    private async Task<(ControllerRevision Current, List<ControllerRevision> Old)> ConstructHistoryAsync(DaemonSet ds, CancellationToken ct)
    {
        List<ControllerRevision> owned = _revisions.Store.ByIndex(ControllerRefs.ByControllerUid, ds.Metadata?.Uid ?? "");
        List<ControllerRevision> matching = [.. owned.Where(r => DaemonSetHistory.Matches(ds, r)).OrderByDescending(r => r.Revision)];
        List<ControllerRevision> old = [.. owned.Where(r => !matching.Contains(r))];
        long next = old.Select(r => r.Revision).DefaultIfEmpty(0).Max() + 1;
        if (matching.Count == 0)
        {
            return (await SnapshotAsync(ds, next, ct), old);
        }

        // Duplicates (same template, other hashes) keep the highest revision; the rest are old history.
        ControllerRevision current = matching[0];
        old.AddRange(matching.Skip(1));
        if (current.Revision < next)
        {
            ControllerRevision raised = ObjectCopy.Clone(current);
            raised.Revision = next;
            current = await _revisionClient.UpdateAsync(raised, ct);
        }

        return (current, old);
    }

    private async Task<ControllerRevision> SnapshotAsync(DaemonSet ds, long revision, CancellationToken ct)
    {
        string hash = DaemonSetHistory.Hash(ds);
        ControllerRevision wanted = DaemonSetHistory.Snapshot(ds, hash, revision);
        try
        {
            return await _revisionClient.CreateAsync(wanted, ct);
        }
        catch (ApiException e) when (e.IsAlreadyExists)
        {
            ControllerRevision existing = await _revisionClient.GetAsync(wanted.Metadata!.Name!, ds.Metadata?.Namespace, ct);
            if (PodState.ControllerOf(existing.Metadata)?.Uid == ds.Metadata?.Uid && DaemonSetHistory.Matches(ds, existing))
            {
                return existing;
            }

            DaemonSet fresh = await _client.GetAsync(ds.Metadata?.Name ?? "", ds.Metadata?.Namespace, ct);
            fresh.Status ??= new DaemonSetStatus();
            fresh.Status.CollisionCount = (fresh.Status.CollisionCount ?? 0) + 1;
            await _client.UpdateStatusAsync(fresh, ct);
            throw new InvalidOperationException($"found a stale revision {wanted.Metadata.Name} with another template; collisionCount raised");
        }
    }

    /// <summary>cleanupHistory: deletes surplus old revisions no live pod uses.</summary>
    private async Task CleanupHistoryAsync(DaemonSet ds, List<ControllerRevision> old, List<Pod> pods, CancellationToken ct)
    {
        foreach (ControllerRevision revision in DaemonSetHistory.ToDelete(old, pods.Where(p => p.Metadata?.DeletionTimestamp is null), ds.Spec?.RevisionHistoryLimit))
        {
            try
            {
                await _revisionClient.DeleteAsync(revision.Metadata?.Name ?? "", revision.Metadata?.Namespace, null, ct);
            }
            catch (ApiException e) when (e.IsNotFound)
            {
                // Already gone.
            }
        }
    }

    /// <summary>ClaimPods: owned matching pods; matching orphans adopted (after a live check of the set); owned pods that
    /// stopped matching released.</summary>
    private Task<List<Pod>> ClaimPodsAsync(DaemonSet ds, LabelSelector selector, CancellationToken ct)
    {
        string uid = ds.Metadata?.Uid ?? "";
        string ns = ds.Metadata?.Namespace ?? "";
        return ControllerRefs.ClaimAsync(ControllerRefs.Candidates(_pods.Store, uid, ns).Where(p => p.Metadata?.Namespace == ns), ds.Metadata!,
            "apps/v1", "DaemonSet",
            pod => selector.Matches((IReadOnlyDictionary<string, string>?)pod.Metadata?.Labels ?? new Dictionary<string, string>()),
            async token => await _client.TryGetAsync(ds.Metadata?.Name ?? "", ns, token) is { } fresh &&
                           fresh.Metadata?.Uid == uid && fresh.Metadata?.DeletionTimestamp is null,
            (pod, patch, token) => _podControl.PatchPodAsync(ns, pod.Metadata!.Name!, patch, token), ct);
    }
}
