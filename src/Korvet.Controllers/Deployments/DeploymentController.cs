using Korvet.Api.Apps.V1;
using Korvet.Api.Core.V1;
using Korvet.Api.Meta.V1;
using Korvet.Client;
using Korvet.Client.Cache;
using Korvet.Client.Events;
using Korvet.Client.Queue;
using Korvet.Controllers.ReplicaSets;
using Microsoft.Extensions.Logging;
using Deployment = Korvet.Api.Apps.V1.Deployment;
using ReplicaSet = Korvet.Api.Apps.V1.ReplicaSet;
using Selector = Korvet.Api.Selectors.LabelSelector;

namespace Korvet.Controllers.Deployments;

/// <summary>
/// Upstream's DeploymentController (pkg/controller/deployment). Handlers only enqueue "namespace/name"; a sync reads
/// the informer caches, claims the ReplicaSets the selector matches, then — in upstream's order — handles deletion
/// (status only), pause (scale + cleanup only), scaling events (proportional scaling), and otherwise rolls out with
/// RollingUpdate or Recreate, keeping status and the Progressing/Available conditions. The decisions come from the pure
/// <see cref="DeploymentMath"/>, <see cref="ScalePlanner"/>, <see cref="Revisions"/> and <see cref="RolloutStatus"/>.
/// Syncs are idempotent; a key never runs on two workers; failures retry with rate-limited backoff.
/// </summary>
public sealed partial class DeploymentController : IController
{
    private const string ComponentName = "deployment-controller";

    private readonly ResourceClient<Deployment> _client;
    private readonly ResourceClient<ReplicaSet> _sets;
    private readonly SharedIndexInformer<Deployment> _deployments;
    private readonly SharedIndexInformer<ReplicaSet> _setInformer;
    private readonly SharedIndexInformer<Pod> _pods;
    private readonly EventRecorder _events;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly int _workers;
    private readonly WorkQueue<string> _queue;

    public DeploymentController(ControllerContext context)
    {
        _client = context.Client.Resource<Deployment>();
        _sets = context.Client.Resource<ReplicaSet>();
        _deployments = context.Informers.For<Deployment>();
        _setInformer = context.Informers.For<ReplicaSet>();
        _pods = context.Informers.For<Pod>();
        _events = context.Events(ComponentName);
        _time = context.Time;
        _logger = context.LoggerFactory.CreateLogger("Korvet.Controllers." + ComponentName);
        _workers = context.Options.ConcurrentSyncs;
        _queue = new WorkQueue<string>(time: context.Time);
        ControllerRefs.EnsureIndexes(_setInformer.Store);
        ControllerRefs.EnsureIndexes(_pods.Store);
        _deployments.AddEventHandler(Enqueue, (_, cur) => Enqueue(cur), Enqueue);
        _setInformer.AddEventHandler(AddSet, UpdateSet, DeleteSet);
        _pods.AddEventHandler(onDelete: DeletePod);
    }

    public string Name => ComponentName;

    public async Task RunAsync(CancellationToken ct)
    {
        await Task.WhenAll(_deployments.WaitForCacheSyncAsync(ct), _setInformer.WaitForCacheSyncAsync(ct), _pods.WaitForCacheSyncAsync(ct));
        await QueueWorkers.RunAsync(_queue, _workers, SyncAsync, _logger, ct);
    }

    /// <summary>Reconciles one deployment from the caches; throws for a rate-limited retry.</summary>
    public async Task SyncAsync(string key, CancellationToken ct)
    {
        Deployment? cached = _deployments.Store.Get(key);
        if (cached is null)
        {
            return;
        }

        Deployment d = ObjectCopy.Clone(cached);
        d.Status ??= new DeploymentStatus();
        if (d.Spec?.Selector is not { } rawSelector || ((rawSelector.MatchLabels?.Count ?? 0) == 0 && (rawSelector.MatchExpressions?.Count ?? 0) == 0))
        {
            _events.Warning(d, "SelectingAll", "This deployment is selecting all pods. A non-empty selector is required.");
            if ((d.Status.ObservedGeneration ?? 0) < (d.Metadata?.Generation ?? 0))
            {
                d.Status.ObservedGeneration = d.Metadata?.Generation;
                await WriteStatusAsync(d, ct);
            }

            return;
        }

        if (ReplicaSetAdapter.Selector(rawSelector) is not Selector selector)
        {
            _logger.LogError("deployment {Key} has an invalid selector", key);
            return;
        }

        var sync = new Sync(this, d, await ClaimReplicaSetsAsync(d, selector, ct), ct);
        if (d.Metadata?.DeletionTimestamp is not null)
        {
            await sync.StatusOnlyAsync();
            return;
        }

        await CheckPausedConditionsAsync(d, ct);
        if (d.Spec.Paused == true)
        {
            await sync.ScaleAsync();
            return;
        }

        if (await sync.IsScalingEventAsync())
        {
            await sync.ScaleAsync();
            return;
        }

        if (DeploymentMath.IsRollingUpdate(d))
        {
            await sync.RollingAsync();
        }
        else
        {
            await sync.RecreateAsync();
        }
    }

    /// <summary>checkPausedConditions: Progressing turns Unknown/DeploymentPaused on pause, DeploymentResumed on resume.</summary>
    private async Task CheckPausedConditionsAsync(Deployment d, CancellationToken ct)
    {
        if (!DeploymentConditions.HasProgressDeadline(d))
        {
            return;
        }

        DeploymentCondition? current = DeploymentConditions.Get(d.Status, DeploymentConditions.Progressing);
        if (current?.Reason == DeploymentConditions.TimedOutReason)
        {
            return;
        }

        bool pausedShown = current?.Reason == DeploymentConditions.PausedReason;
        DateTimeOffset now = _time.GetUtcNow();
        if (d.Spec?.Paused == true && !pausedShown)
        {
            DeploymentConditions.Set(d.Status!, DeploymentConditions.New(DeploymentConditions.Progressing, "Unknown", DeploymentConditions.PausedReason, "Deployment is paused", now));
        }
        else if (d.Spec?.Paused != true && pausedShown)
        {
            DeploymentConditions.Set(d.Status!, DeploymentConditions.New(DeploymentConditions.Progressing, "Unknown", DeploymentConditions.ResumedReason, "Deployment is resumed", now));
        }
        else
        {
            return;
        }

        await WriteStatusAsync(d, ct);
    }

    /// <summary>ClaimReplicaSets: owned and matching sets, matching orphans adopted, owned non-matching sets released.</summary>
    private Task<List<ReplicaSet>> ClaimReplicaSetsAsync(Deployment d, Selector selector, CancellationToken ct)
    {
        string uid = d.Metadata?.Uid ?? "";
        string ns = d.Metadata?.Namespace ?? "";
        return ControllerRefs.ClaimAsync(ControllerRefs.Candidates(_setInformer.Store, uid, ns).Where(s => s.Metadata?.Namespace == ns), d.Metadata!,
            "apps/v1", "Deployment",
            rs => selector.Matches((IReadOnlyDictionary<string, string>?)rs.Metadata?.Labels ?? new Dictionary<string, string>()),
            async token => await _client.TryGetAsync(d.Metadata!.Name!, ns, token) is { } fresh && fresh.Metadata?.Uid == uid && fresh.Metadata?.DeletionTimestamp is null,
            (rs, patch, token) => _sets.PatchAsync(rs.Metadata!.Name!, ns, PatchType.StrategicMerge, patch, ct: token), ct);
    }

    /// <summary>Writes d.Status through the status subresource and keeps d's resourceVersion current.</summary>
    private async Task WriteStatusAsync(Deployment d, CancellationToken ct)
    {
        Deployment written = await _client.UpdateStatusAsync(d, ct);
        d.Metadata!.ResourceVersion = written.Metadata?.ResourceVersion;
    }

    /// <summary>
    /// Sets the deployment's revision annotation. Upstream writes it with the status update; this server's status
    /// subresource keeps metadata unchanged, so it is a merge patch of the annotation (which does not bump generation).
    /// </summary>
    private async Task WriteRevisionAsync(Deployment d, string revision, CancellationToken ct)
    {
        if (!Revisions.SetDeploymentRevision(d, revision))
        {
            return;
        }

        string patch = new System.Text.Json.Nodes.JsonObject
        {
            ["metadata"] = new System.Text.Json.Nodes.JsonObject
            {
                ["annotations"] = new System.Text.Json.Nodes.JsonObject { [Revisions.RevisionAnnotation] = revision },
            },
        }.ToJsonString();
        Deployment written = await _client.PatchAsync(d.Metadata!.Name!, d.Metadata.Namespace, PatchType.Merge, patch, ct: ct);
        d.Metadata.ResourceVersion = written.Metadata?.ResourceVersion;
    }

    private void Enqueue(Deployment d) => _queue.Add(PodState.Key(d.Metadata));

    private void AddSet(ReplicaSet rs)
    {
        if (rs.Metadata?.DeletionTimestamp is not null)
        {
            DeleteSet(rs);
            return;
        }

        if (PodState.ControllerOf(rs.Metadata) is OwnerReference owner)
        {
            if (Resolve(rs.Metadata?.Namespace, owner) is Deployment d)
            {
                Enqueue(d);
            }

            return;
        }

        foreach (Deployment d in MatchingDeployments(rs))
        {
            Enqueue(d);
        }
    }

    private void UpdateSet(ReplicaSet old, ReplicaSet cur)
    {
        if (old.Metadata?.ResourceVersion == cur.Metadata?.ResourceVersion)
        {
            return;
        }

        OwnerReference? curOwner = PodState.ControllerOf(cur.Metadata);
        OwnerReference? oldOwner = PodState.ControllerOf(old.Metadata);
        bool ownerChanged = curOwner?.Uid != oldOwner?.Uid;
        if (ownerChanged && oldOwner is not null && Resolve(old.Metadata?.Namespace, oldOwner) is Deployment previous)
        {
            Enqueue(previous);
        }

        if (curOwner is not null)
        {
            if (Resolve(cur.Metadata?.Namespace, curOwner) is Deployment d)
            {
                Enqueue(d);
            }

            return;
        }

        foreach (Deployment d in MatchingDeployments(cur))
        {
            Enqueue(d);
        }
    }

    private void DeleteSet(ReplicaSet rs)
    {
        if (PodState.ControllerOf(rs.Metadata) is OwnerReference owner && Resolve(rs.Metadata?.Namespace, owner) is Deployment d)
        {
            Enqueue(d);
        }
    }

    /// <summary>Recreate waits for old pods to vanish: a deleted pod of one of its sets wakes the deployment.</summary>
    private void DeletePod(Pod pod)
    {
        if (PodState.ControllerOf(pod.Metadata) is { Kind: "ReplicaSet" } setRef &&
            _setInformer.Store.Get(pod.Metadata?.Namespace, setRef.Name) is { } rs && rs.Metadata?.Uid == setRef.Uid &&
            PodState.ControllerOf(rs.Metadata) is OwnerReference owner && Resolve(rs.Metadata?.Namespace, owner) is Deployment d &&
            !DeploymentMath.IsRollingUpdate(d))
        {
            Enqueue(d);
        }
    }

    private Deployment? Resolve(string? ns, OwnerReference owner)
    {
        if (owner.Kind != "Deployment")
        {
            return null;
        }

        Deployment? d = _deployments.Store.Get(ns, owner.Name);
        return d?.Metadata?.Uid == owner.Uid ? d : null;
    }

    private IEnumerable<Deployment> MatchingDeployments(ReplicaSet rs)
    {
        IReadOnlyDictionary<string, string> labels = rs.Metadata?.Labels ?? new Dictionary<string, string>();
        if (labels.Count == 0)
        {
            return [];
        }

        return _deployments.Store.ByIndex(Store<Deployment>.NamespaceIndex, rs.Metadata?.Namespace ?? "")
            .Where(d => ReplicaSetAdapter.Selector(d.Spec?.Selector) is { IsNothing: false, IsEverything: false } s && s.Matches(labels));
    }
}
