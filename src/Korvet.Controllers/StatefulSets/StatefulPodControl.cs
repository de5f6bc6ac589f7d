using System.Text.Json.Nodes;
using Korvet.Api.Apps.V1;
using Korvet.Api.Core.V1;
using Korvet.Api.Meta.V1;
using Korvet.Client;
using Korvet.Client.Cache;
using Korvet.Client.Events;

namespace Korvet.Controllers.StatefulSets;

/// <summary>
/// The pod and claim writes of the StatefulSet controller with upstream's events (StatefulPodControl):
/// "SuccessfulCreate" "create Pod web-0 in StatefulSet web successful", "create Claim www-web-0 Pod web-0 in
/// StatefulSet web success", "SuccessfulDelete", and the Failed* warnings with the error. Thread-safe.
/// </summary>
public sealed class StatefulPodControl
{
    private readonly ResourceClient<Pod> _pods;
    private readonly ResourceClient<PersistentVolumeClaim> _claims;
    private readonly EventRecorder _events;
    private readonly Store<PersistentVolumeClaim> _claimCache;

    public StatefulPodControl(KubernetesClient client, EventRecorder events, Store<PersistentVolumeClaim> claimCache)
    {
        _pods = client.Resource<Pod>();
        _claims = client.Resource<PersistentVolumeClaim>();
        _events = events;
        _claimCache = claimCache;
    }

    /// <summary>
    /// CreateStatefulPod: the missing claims first, then the pod (AlreadyExists is an error: the cache is stale), then
    /// the claims' owner references for a Delete retention policy (they need the new pod's uid).
    /// </summary>
    public async Task CreatePodAsync(StatefulSet set, Pod pod, CancellationToken ct)
    {
        await CreateMissingClaimsAsync(set, pod, ct);
        try
        {
            Pod created = await _pods.CreateAsync(pod, ct);
            PodEvent("create", set, pod, null);
            if (!ClaimRetention.IsRetainAll(set))
            {
                await UpdateClaimOwnersAsync(set, created, ct);
            }
        }
        catch (ApiException e)
        {
            if (!e.IsAlreadyExists)
            {
                PodEvent("create", set, pod, e);
            }

            throw;
        }
    }

    /// <summary>createPersistentVolumeClaims: creates each of the pod's claims that does not exist; a terminating claim is an error.</summary>
    public async Task CreateMissingClaimsAsync(StatefulSet set, Pod pod, CancellationToken ct)
    {
        var errors = new List<Exception>();
        foreach ((_, PersistentVolumeClaim claim) in StatefulPods.Claims(set, StatefulPods.Ordinal(pod)))
        {
            string name = claim.Metadata!.Name!;
            PersistentVolumeClaim? existing = await _claims.TryGetAsync(name, claim.Metadata.Namespace, ct);
            if (existing is not null)
            {
                if (existing.Metadata?.DeletionTimestamp is not null)
                {
                    errors.Add(new InvalidOperationException($"pvc {name} is being deleted"));
                }

                continue;
            }

            try
            {
                await _claims.CreateAsync(claim, ct);
                ClaimEvent(set, pod, name, null);
            }
            catch (ApiException e) when (e.IsAlreadyExists)
            {
                // Created concurrently: what we wanted.
            }
            catch (ApiException e)
            {
                ClaimEvent(set, pod, name, e);
                errors.Add(e);
            }
        }

        if (errors.Count > 0)
        {
            throw new AggregateException($"failed to create claims for pod {pod.Metadata?.Name}", errors);
        }
    }

    /// <summary>Whether every existing claim of the pod has the owner references the retention policy wants (cache read).</summary>
    public bool ClaimsMatchRetention(StatefulSet set, Pod pod)
    {
        foreach ((_, PersistentVolumeClaim claim) in StatefulPods.Claims(set, StatefulPods.Ordinal(pod)))
        {
            if (_claimCache.Get(claim.Metadata!.Namespace, claim.Metadata.Name!) is { } cached &&
                ClaimRetention.DesiredOwners(set, pod, cached) is { } desired &&
                !ClaimRetention.SameOwners(cached.Metadata?.OwnerReferences, desired))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>UpdatePodClaimForRetentionPolicy: rewrites the owner references of the pod's claims that differ (live read, PUT).</summary>
    public async Task UpdateClaimOwnersAsync(StatefulSet set, Pod pod, CancellationToken ct)
    {
        foreach ((_, PersistentVolumeClaim template) in StatefulPods.Claims(set, StatefulPods.Ordinal(pod)))
        {
            PersistentVolumeClaim? claim = await _claims.TryGetAsync(template.Metadata!.Name!, template.Metadata.Namespace, ct);
            if (claim is null || ClaimRetention.DesiredOwners(set, pod, claim) is not { } desired ||
                ClaimRetention.SameOwners(claim.Metadata?.OwnerReferences, desired))
            {
                continue;
            }

            claim.Metadata!.OwnerReferences = desired.Count > 0 ? desired : null;
            try
            {
                await _claims.UpdateAsync(claim, ct);
            }
            catch (ApiException e) when (!e.IsNotFound)
            {
                PodEvent("update", set, pod, e);
                throw;
            }
        }
    }

    /// <summary>DeleteStatefulPod (uid precondition, so a recreated pod of the same name is never hit). NotFound is fine.</summary>
    public async Task DeletePodAsync(StatefulSet set, Pod pod, CancellationToken ct)
    {
        try
        {
            await _pods.DeleteAsync(pod.Metadata?.Name ?? "", pod.Metadata?.Namespace, new DeleteOptions
            {
                Preconditions = pod.Metadata?.Uid is { Length: > 0 } uid ? new Korvet.Api.Meta.V1.Preconditions { Uid = uid } : null,
            }, ct);
            PodEvent("delete", set, pod, null);
        }
        catch (ApiException e) when (e.IsNotFound || e.IsConflict)
        {
            // Gone, or replaced by a pod of the same name: nothing of ours to delete.
        }
        catch (ApiException e)
        {
            PodEvent("delete", set, pod, e);
            throw;
        }
    }

    /// <summary>UpdateStatefulPod, identity part: the pod-name and pod-index labels back to the pod's name and ordinal.</summary>
    public async Task FixIdentityAsync(StatefulSet set, Pod pod, CancellationToken ct)
    {
        string name = pod.Metadata?.Name ?? "";
        string patch = new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["labels"] = new JsonObject
                {
                    [StatefulPods.PodNameLabel] = name,
                    [StatefulPods.PodIndexLabel] = StatefulPods.Ordinal(pod).ToString(System.Globalization.CultureInfo.InvariantCulture),
                },
                ["uid"] = pod.Metadata?.Uid,
            },
        }.ToJsonString();
        try
        {
            await _pods.PatchAsync(name, pod.Metadata?.Namespace, PatchType.StrategicMerge, patch, ct: ct);
            PodEvent("update", set, pod, null);
        }
        catch (ApiException e) when (e.IsNotFound)
        {
            // Gone: the next sync creates it afresh.
        }
        catch (ApiException e)
        {
            PodEvent("update", set, pod, e);
            throw;
        }
    }

    private void PodEvent(string verb, StatefulSet set, Pod pod, Exception? error)
    {
        string title = char.ToUpperInvariant(verb[0]) + verb[1..];
        if (error is null)
        {
            _events.Normal(set, "Successful" + title, $"{verb} Pod {pod.Metadata?.Name} in StatefulSet {set.Metadata?.Name} successful");
        }
        else
        {
            _events.Warning(set, "Failed" + title, $"{verb} Pod {pod.Metadata?.Name} in StatefulSet {set.Metadata?.Name} failed error: {error.Message}");
        }
    }

    private void ClaimEvent(StatefulSet set, Pod pod, string claim, Exception? error)
    {
        if (error is null)
        {
            _events.Normal(set, "SuccessfulCreate", $"create Claim {claim} Pod {pod.Metadata?.Name} in StatefulSet {set.Metadata?.Name} success");
        }
        else
        {
            _events.Warning(set, "FailedCreate", $"create Claim {claim} for Pod {pod.Metadata?.Name} in StatefulSet {set.Metadata?.Name} failed error: {error.Message}");
        }
    }
}
