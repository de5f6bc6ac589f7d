using System.Globalization;
using Korvet.Api.Apps.V1;
using Korvet.Api.Serialization;
using Korvet.Client;
using Korvet.Controllers.ReplicaSets;
using Deployment = Korvet.Api.Apps.V1.Deployment;
using ReplicaSet = Korvet.Api.Apps.V1.ReplicaSet;

namespace Korvet.Controllers.Deployments;

public sealed partial class DeploymentController
{
    /// <summary>
    /// One sync of one deployment: the deployment copy and its claimed sets, kept current as this sync writes (each write
    /// replaces the set in <see cref="_sets"/> with the server's answer, so later steps never write from stale copies).
    /// </summary>
    private sealed class Sync(DeploymentController owner, Deployment d, List<ReplicaSet> sets, CancellationToken ct)
    {
        private readonly List<ReplicaSet> _sets = sets;
        private bool _resolved;
        private ReplicaSet? _newSet;

        private DateTimeOffset Now => owner._time.GetUtcNow();

        private List<ReplicaSet> OldSets => [.. _sets.Where(s => s.Metadata?.Uid != _newSet?.Metadata?.Uid)];

        private List<ReplicaSet> AllSets => _newSet is null ? [.. _sets] : [.. OldSets, _newSet];

        public async Task StatusOnlyAsync()
        {
            await ResolveAsync(create: false);
            await SyncStatusAsync();
        }

        /// <summary>isScalingEvent: an active set's desired-replicas annotation differs from spec.replicas.</summary>
        public async Task<bool> IsScalingEventAsync()
        {
            await ResolveAsync(create: false);
            int replicas = DeploymentMath.Replicas(d);
            return DeploymentMath.Active(AllSets).Any(rs => Revisions.DesiredReplicas(rs) is int desired && desired != replicas);
        }

        /// <summary>sync(): proportional scaling, history cleanup while paused, then status.</summary>
        public async Task ScaleAsync()
        {
            await ResolveAsync(create: false);
            foreach (ScaleAction action in ScalePlanner.Proportional(d, _newSet, OldSets))
            {
                await ScaleSetAsync(action.ReplicaSet, action.Replicas, recordOnlyOnSizeChange: false);
            }

            if (d.Spec?.Paused == true)
            {
                await CleanupAsync();
            }

            await SyncStatusAsync();
        }

        public async Task RollingAsync()
        {
            await ResolveAsync(create: true);
            ReplicaSet newSet = _newSet!;
            int replicas = DeploymentMath.Replicas(d);
            int current = DeploymentMath.Replicas(newSet);
            bool scaledUp = false;
            if (current > replicas)
            {
                scaledUp = await ScaleSetAsync(newSet, replicas, recordOnlyOnSizeChange: true);
            }
            else if (current < replicas)
            {
                scaledUp = await ScaleSetAsync(newSet, DeploymentMath.NewReplicaSetReplicas(d, AllSets, newSet), recordOnlyOnSizeChange: true);
            }

            if (scaledUp)
            {
                await SyncRolloutStatusAsync();
                return;
            }

            bool scaledDown = false;
            foreach (ScaleAction action in ScalePlanner.ScaleDownOld(d, DeploymentMath.Active(OldSets), _newSet!, AllSets))
            {
                scaledDown |= await ScaleSetAsync(action.ReplicaSet, action.Replicas, recordOnlyOnSizeChange: true);
            }

            if (scaledDown)
            {
                await SyncRolloutStatusAsync();
                return;
            }

            if (DeploymentConditions.Complete(d, d.Status!))
            {
                await CleanupAsync();
            }

            await SyncRolloutStatusAsync();
        }

        /// <summary>rolloutRecreate: all old sets to zero, wait until no old pod runs, then the new set to full size.</summary>
        public async Task RecreateAsync()
        {
            await ResolveAsync(create: false);
            bool scaledDown = false;
            foreach (ReplicaSet rs in DeploymentMath.Active(OldSets))
            {
                scaledDown |= await ScaleSetAsync(rs, 0, recordOnlyOnSizeChange: true);
            }

            if (scaledDown || OldPodsRunning())
            {
                await SyncRolloutStatusAsync();
                return;
            }

            if (_newSet is null)
            {
                _resolved = false;
                await ResolveAsync(create: true);
            }

            await ScaleSetAsync(_newSet!, DeploymentMath.Replicas(d), recordOnlyOnSizeChange: true);
            if (DeploymentConditions.Complete(d, d.Status!))
            {
                await CleanupAsync();
            }

            await SyncRolloutStatusAsync();
        }

        private bool OldPodsRunning()
        {
            List<ReplicaSet> old = OldSets;
            if (DeploymentMath.StatusReplicaSum(old) > 0)
            {
                return true;
            }

            return old.SelectMany(rs => owner._pods.Store.ByIndex(ControllerRefs.ByControllerUid, rs.Metadata?.Uid ?? ""))
                .Any(p => p.Status?.Phase is not ("Failed" or "Succeeded"));
        }

        /// <summary>
        /// getAllReplicaSetsAndSyncRevision: finds the set whose template equals the deployment's (ignoring the hash
        /// label; the oldest if several), gives it the next revision (rollbacks keep history) and the deployment's
        /// annotations; creates it (named &lt;deployment&gt;-&lt;hash&gt;) when asked and absent.
        /// </summary>
        private async Task ResolveAsync(bool create)
        {
            if (_resolved && (_newSet is not null || !create))
            {
                return;
            }

            _resolved = true;
            _newSet = ReplicaSetOrder.Sorted(_sets, ReplicaSetOrder.ByCreationTimestamp)
                .FirstOrDefault(rs => PodTemplateHash.EqualIgnoreHash(rs.Spec?.Template, d.Spec?.Template));
            string newRevision = (Revisions.MaxRevision(OldSets) + 1).ToString(CultureInfo.InvariantCulture);
            if (_newSet is not null)
            {
                ReplicaSet copy = ObjectCopy.Clone(_newSet);
                bool annotationsChanged = Revisions.SetNewReplicaSetAnnotations(d, copy, newRevision, exists: true);
                if (annotationsChanged || copy.Spec?.MinReadySeconds != d.Spec?.MinReadySeconds)
                {
                    copy.Spec!.MinReadySeconds = d.Spec?.MinReadySeconds;
                    Replace(await owner._sets.UpdateAsync(copy, ct));
                    return;
                }

                await owner.WriteRevisionAsync(d, Revisions.Revision(copy).ToString(CultureInfo.InvariantCulture), ct);
                if (DeploymentConditions.HasProgressDeadline(d) && DeploymentConditions.Get(d.Status, DeploymentConditions.Progressing) is null)
                {
                    DeploymentConditions.Set(d.Status!, DeploymentConditions.New(DeploymentConditions.Progressing, "True",
                        DeploymentConditions.FoundNewReplicaSetReason, $"Found new replica set \"{copy.Metadata?.Name}\"", Now));
                    await owner.WriteStatusAsync(d, ct);
                }

                return;
            }

            if (create)
            {
                await CreateNewSetAsync(newRevision);
            }
        }

        private async Task CreateNewSetAsync(string newRevision)
        {
            string hash = PodTemplateHash.Compute(d.Spec!.Template!, d.Status?.CollisionCount);
            var template = ObjectCopy.Clone(d.Spec.Template!);
            template.Metadata ??= new();
            template.Metadata.Labels = new(template.Metadata.Labels ?? []) { [PodTemplateHash.LabelKey] = hash };
            var selector = ObjectCopy.Clone(d.Spec.Selector!);
            selector.MatchLabels = new(selector.MatchLabels ?? []) { [PodTemplateHash.LabelKey] = hash };
            var rs = new ReplicaSet
            {
                ApiVersion = "apps/v1",
                Kind = "ReplicaSet",
                Metadata = new()
                {
                    Name = d.Metadata!.Name + "-" + hash,
                    Namespace = d.Metadata.Namespace,
                    OwnerReferences = [PodState.ControllerReference("apps/v1", "Deployment", d.Metadata)],
                    Labels = new(template.Metadata.Labels),
                },
                Spec = new ReplicaSetSpec { Replicas = 0, MinReadySeconds = d.Spec.MinReadySeconds, Selector = selector, Template = template },
            };
            int size = DeploymentMath.NewReplicaSetReplicas(d, [.. OldSets, rs], rs);
            rs.Spec.Replicas = size;
            Revisions.SetNewReplicaSetAnnotations(d, rs, newRevision, exists: false);
            bool alreadyExists = false;
            ReplicaSet created;
            try
            {
                created = await owner._sets.CreateAsync(rs, ct);
            }
            catch (ApiException e) when (e.IsAlreadyExists)
            {
                ReplicaSet existing = owner._setInformer.Store.Get(rs.Metadata.Namespace, rs.Metadata.Name!) ?? await owner._sets.GetAsync(rs.Metadata.Name!, rs.Metadata.Namespace, ct);
                if (PodState.ControllerOf(existing.Metadata)?.Uid == d.Metadata.Uid && PodTemplateHash.EqualIgnoreHash(d.Spec.Template, existing.Spec?.Template))
                {
                    created = existing;
                    alreadyExists = true;
                }
                else
                {
                    // A different set holds the name: bump collisionCount so the next hash differs, and retry.
                    d.Status!.CollisionCount = (d.Status.CollisionCount ?? 0) + 1;
                    await owner.WriteStatusAsync(d, ct);
                    throw;
                }
            }
            catch (ApiException e) when (e.StatusCode != System.Net.HttpStatusCode.Forbidden)
            {
                string message = $"Failed to create new replica set \"{rs.Metadata.Name}\": {e.Message}";
                if (DeploymentConditions.HasProgressDeadline(d))
                {
                    DeploymentConditions.Set(d.Status!, DeploymentConditions.New(DeploymentConditions.Progressing, "False", DeploymentConditions.FailedCreateReason, message, Now));
                    await owner.WriteStatusAsync(d, ct);
                }

                owner._events.Warning(d, DeploymentConditions.FailedCreateReason, message);
                throw;
            }

            if (!alreadyExists && size > 0)
            {
                owner._events.Normal(d, "ScalingReplicaSet", $"Scaled up replica set {created.Metadata?.Name} from 0 to {size}");
            }

            _sets.Add(created);
            _newSet = created;
            await owner.WriteRevisionAsync(d, newRevision, ct);
            if (!alreadyExists && DeploymentConditions.HasProgressDeadline(d))
            {
                DeploymentConditions.Set(d.Status!, DeploymentConditions.New(DeploymentConditions.Progressing, "True",
                    DeploymentConditions.NewReplicaSetReason, $"Created new replica set \"{created.Metadata?.Name}\"", Now));
                await owner.WriteStatusAsync(d, ct);
            }
        }

        /// <summary>
        /// scaleReplicaSet: writes the size and the desired/max-replicas annotations when either is off. With
        /// <paramref name="recordOnlyOnSizeChange"/> (scaleReplicaSetAndRecordEvent) an unchanged size writes nothing.
        /// Returns whether the size changed.
        /// </summary>
        private async Task<bool> ScaleSetAsync(ReplicaSet rs, int size, bool recordOnlyOnSizeChange)
        {
            int replicas = DeploymentMath.Replicas(d);
            int max = replicas + DeploymentMath.MaxSurge(d);
            int old = DeploymentMath.Replicas(rs);
            bool sizeChanges = old != size;
            if (!sizeChanges && (recordOnlyOnSizeChange || !Revisions.ReplicasAnnotationsNeedUpdate(rs, replicas, max)))
            {
                return false;
            }

            ReplicaSet copy = ObjectCopy.Clone(rs);
            copy.Spec!.Replicas = size;
            Revisions.SetReplicasAnnotations(copy, replicas, max);
            Replace(await owner._sets.UpdateAsync(copy, ct));
            if (sizeChanges)
            {
                string direction = old < size ? "up" : "down";
                owner._events.Normal(d, "ScalingReplicaSet", $"Scaled {direction} replica set {rs.Metadata?.Name} from {old} to {size}");
            }

            return sizeChanges;
        }

        /// <summary>cleanupDeployment: deletes the oldest empty, settled old sets beyond revisionHistoryLimit.</summary>
        private async Task CleanupAsync()
        {
            if (d.Spec?.RevisionHistoryLimit is not int limit || limit == int.MaxValue)
            {
                return;
            }

            List<ReplicaSet> alive = [.. OldSets.Where(rs => rs.Metadata?.DeletionTimestamp is null)];
            int diff = alive.Count - limit;
            if (diff <= 0)
            {
                return;
            }

            foreach (ReplicaSet rs in ReplicaSetOrder.Sorted(alive, ReplicaSetOrder.ByRevision).Take(diff))
            {
                if ((rs.Status?.Replicas ?? 0) != 0 || DeploymentMath.Replicas(rs) != 0 ||
                    (rs.Metadata?.Generation ?? 0) > (rs.Status?.ObservedGeneration ?? 0))
                {
                    continue;
                }

                try
                {
                    await owner._sets.DeleteAsync(rs.Metadata!.Name!, rs.Metadata.Namespace, ct: ct);
                }
                catch (ApiException e) when (e.IsNotFound)
                {
                    // Already gone.
                }

                _sets.RemoveAll(s => s.Metadata?.Uid == rs.Metadata?.Uid);
            }
        }

        /// <summary>syncDeploymentStatus: counts and Available only (scaling, paused, deleting).</summary>
        private async Task SyncStatusAsync()
        {
            DeploymentStatus status = DeploymentConditions.CalculateStatus(d, AllSets, _newSet, Now);
            if (!SameStatus(d.Status, status))
            {
                d.Status = status;
                await owner.WriteStatusAsync(d, ct);
            }
        }

        /// <summary>syncRolloutStatus: plus Progressing / ReplicaFailure, and a re-check at the progress deadline.</summary>
        private async Task SyncRolloutStatusAsync()
        {
            DeploymentStatus status = RolloutStatus.Compute(d, AllSets, _newSet, Now);
            if (SameStatus(d.Status, status))
            {
                if (RolloutStatus.TimeUntilDeadline(d, status, Now) is TimeSpan after)
                {
                    owner._queue.AddAfter(PodState.Key(d.Metadata), after);
                }

                return;
            }

            d.Status = status;
            await owner.WriteStatusAsync(d, ct);
        }

        private void Replace(ReplicaSet updated)
        {
            int i = _sets.FindIndex(s => s.Metadata?.Uid == updated.Metadata?.Uid);
            if (i >= 0)
            {
                _sets[i] = updated;
            }
            else
            {
                _sets.Add(updated);
            }

            if (_newSet?.Metadata?.Uid == updated.Metadata?.Uid)
            {
                _newSet = updated;
            }
        }

        private static bool SameStatus(DeploymentStatus? a, DeploymentStatus b) =>
            a is not null && ApiJson.SerializeToUtf8Bytes(a).AsSpan().SequenceEqual(ApiJson.SerializeToUtf8Bytes(b));
    }
}
