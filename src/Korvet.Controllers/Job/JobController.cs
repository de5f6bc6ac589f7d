using Korvet.Api.Core.V1;
using Korvet.Api.Meta.V1;
using Korvet.Client;
using Korvet.Client.Cache;
using Korvet.Client.Events;
using Korvet.Client.Queue;
using Microsoft.Extensions.Logging;

namespace Korvet.Controllers.Job;

/// <summary>
/// The Job controller (upstream pkg/controller/job, NonIndexed and Indexed): handlers enqueue the Job's key (pods: their
/// controlling Job's); <see cref="SyncAsync"/> reads the cache, asks <see cref="JobPlanner"/> what to do and does it
/// in the planner's order (status before finalizer removal, so a terminated pod is never lost from the counts).
/// Expectations stop a Job from creating or deleting pods again before the informer saw its previous creates and
/// deletes. Pods carry the <c>batch.kubernetes.io/job-tracking</c> finalizer; pods whose Job is gone have it removed.
/// </summary>
public sealed class JobController : IController
{
    public const string OwnerIndex = "jobOwnerUid";
    private const string OrphanPrefix = "orphan-pod:";
    private static readonly TimeSpan ExpectationsTimeout = TimeSpan.FromMinutes(5);

    private readonly ControllerContext _context;
    private readonly SharedIndexInformer<Api.Batch.V1.Job> _jobs;
    private readonly SharedIndexInformer<Pod> _pods;
    private readonly WorkQueue<string> _queue;
    private readonly EventRecorder _events;
    private readonly ILogger _logger;
    private readonly Expectations _expectations;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _written = new(StringComparer.Ordinal);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (string Uid, HashSet<string> Uids)> _counted = new(StringComparer.Ordinal);

    public JobController(ControllerContext context)
    {
        _context = context;
        _jobs = context.Informers.For<Api.Batch.V1.Job>();
        _pods = context.Informers.For<Pod>();
        _pods.Store.AddIndex(OwnerIndex, p => ControllerOf(p) is { } owner ? [owner.Uid] : []);
        _queue = new WorkQueue<string>(time: context.Time);
        _events = context.Events("job-controller");
        _logger = context.LoggerFactory.CreateLogger<JobController>();
        _expectations = new Expectations(context.Time, ExpectationsTimeout);
        _jobs.AddEventHandler(j => _queue.Add(ObjectKey.Of(j)), (_, j) => _queue.Add(ObjectKey.Of(j)), j => _expectations.Delete(ObjectKey.Of(j)));
        _pods.AddEventHandler(p => OnPod(p, added: true), (old, p) => OnPod(p, added: false, old), p => OnPodDeleted(p));
    }

    public string Name => "job-controller";

    private static OwnerReference? ControllerOf(Pod pod) =>
        pod.Metadata?.OwnerReferences?.FirstOrDefault(o => o.Controller == true && o.Kind == "Job" && o.ApiVersion == "batch/v1");

    private void OnPod(Pod pod, bool added, Pod? old = null)
    {
        if (ControllerOf(pod) is not { } owner)
        {
            return;
        }

        string key = ObjectKey.Of(pod.Metadata!.Namespace, owner.Name);
        if (added)
        {
            _expectations.Observed(key, created: true);
        }
        else if (old?.Metadata?.DeletionTimestamp is null && pod.Metadata.DeletionTimestamp is not null)
        {
            _expectations.Observed(key, created: false);
        }

        _queue.Add(key);
    }

    private void OnPodDeleted(Pod pod)
    {
        if (ControllerOf(pod) is { } owner)
        {
            string key = ObjectKey.Of(pod.Metadata!.Namespace, owner.Name);
            _expectations.Observed(key, created: false);
            _queue.Add(key);
        }
    }

    public async Task RunAsync(CancellationToken ct)
    {
        var ticker = Task.Run(() => OrphanSweepAsync(ct), CancellationToken.None);
        await QueueWorkers.RunAsync(_queue, _context.Options.ConcurrentSyncs, SyncAsync, _logger, ct).ConfigureAwait(false);
        await ticker.ConfigureAwait(false);
    }

    /// <summary>Every 30 s: pods that keep the tracking finalizer although their Job is gone or finished lose it.</summary>
    private async Task OrphanSweepAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            foreach (Pod pod in _pods.Store.List())
            {
                if (JobPlanner.HasFinalizer(pod) && (ControllerOf(pod) is not { } owner ||
                    _jobs.Store.Get(pod.Metadata!.Namespace, owner.Name) is not { } job || job.Metadata?.Uid != owner.Uid))
                {
                    _queue.Add(OrphanPrefix + ObjectKey.Of(pod));
                }
            }

            try
            {
                await Task.Delay(TimeSpan.FromSeconds(30), _context.Time, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public async Task SyncAsync(string key, CancellationToken ct)
    {
        if (key.StartsWith(OrphanPrefix, StringComparison.Ordinal))
        {
            if (_pods.Store.Get(key[OrphanPrefix.Length..]) is { } orphan)
            {
                await RemoveFinalizerAsync(orphan, ct).ConfigureAwait(false);
            }

            return;
        }

        Api.Batch.V1.Job? job = _jobs.Store.Get(key);
        if (job?.Metadata?.Uid is not string uid)
        {
            _expectations.Delete(key);
            _written.TryRemove(key, out _);
            _counted.TryRemove(key, out _);
            return;
        }

        // Decisions need the status this controller last wrote: a cached Job older than that write would recount pods
        // whose finalizers are already gone (or start pods twice). The informer's update re-queues the key.
        if (_written.TryGetValue(key, out long written) && Revision(job) < written)
        {
            _queue.AddAfter(key, TimeSpan.FromMilliseconds(50));
            return;
        }

        // Read the expectations before the pods (upstream's order): a create observed between the two would otherwise
        // satisfy them while the snapshot below still misses that pod, and the plan would start one pod too many.
        bool satisfied = _expectations.Satisfied(key);
        List<Pod> pods = _pods.Store.ByIndex(OwnerIndex, uid);
        DateTimeOffset now = _context.Time.GetUtcNow();
        if (!_counted.TryGetValue(key, out (string Uid, HashSet<string> Uids) entry) || entry.Uid != uid)
        {
            entry = (uid, new HashSet<string>(StringComparer.Ordinal));
            _counted[key] = entry;
        }

        HashSet<string> counted = entry.Uids;
        JobPlan plan = JobPlanner.Plan(job, pods, now, _context.Options.JobBackoffBase, _context.Options.JobBackoffMax, counted);
        string? baseRv = job.Metadata.ResourceVersion;
        if (plan.StatusChanged)
        {
            Api.Batch.V1.Job copy = ObjectCopy.Clone(job);
            copy.Status = plan.Status;
            Api.Batch.V1.Job updated = await _context.Client.Resource<Api.Batch.V1.Job>().UpdateStatusAsync(copy, ct).ConfigureAwait(false);
            _written[key] = Revision(updated);
            baseRv = updated.Metadata?.ResourceVersion;
            var still = new HashSet<string>([.. plan.Status.UncountedTerminatedPods?.Succeeded ?? [], .. plan.Status.UncountedTerminatedPods?.Failed ?? []],
                StringComparer.Ordinal);
            counted.UnionWith(new[] { job.Status?.UncountedTerminatedPods?.Succeeded, job.Status?.UncountedTerminatedPods?.Failed }
                .SelectMany(l => l ?? []).Where(u => !still.Contains(u)));
            AnnounceConditions(job, updated);
        }

        foreach (Pod pod in plan.RemoveFinalizers)
        {
            await RemoveFinalizerAsync(pod, ct).ConfigureAwait(false);
        }

        if (!satisfied)
        {
            return;
        }

        if (plan.Delete.Count > 0)
        {
            _expectations.Expect(key, 0, plan.Delete.Count);
            foreach (Pod pod in plan.Delete)
            {
                await DeletePodAsync(key, job, pod, ct).ConfigureAwait(false);
            }
        }

        if (plan.Create > 0)
        {
            // Creating is the one step a stale Job status makes unsafe (a counted pod looks unaccounted for): confirm
            // that the status this plan builds on is still the live one.
            Api.Batch.V1.Job? live = await _context.Client.Resource<Api.Batch.V1.Job>().TryGetAsync(job.Metadata.Name!, job.Metadata.Namespace, ct)
                .ConfigureAwait(false);
            if (live?.Metadata?.ResourceVersion != baseRv)
            {
                _queue.AddAfter(key, TimeSpan.FromMilliseconds(50));
                return;
            }

            _expectations.Expect(key, plan.Create, 0);
            IEnumerable<int?> indexes = plan.CreateIndexes.Count > 0 ? plan.CreateIndexes.Select(i => (int?)i) : Enumerable.Repeat<int?>(null, plan.Create);
            await Parallel.ForEachAsync(indexes, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = ct },
                async (index, token) => await CreatePodAsync(key, job, index, token).ConfigureAwait(false)).ConfigureAwait(false);
        }

        if (plan.RequeueAfter is TimeSpan after)
        {
            _queue.AddAfter(key, after + TimeSpan.FromMilliseconds(50));
        }
    }

    private void AnnounceConditions(Api.Batch.V1.Job before, Api.Batch.V1.Job after)
    {
        foreach (Api.Batch.V1.JobCondition condition in after.Status?.Conditions ?? [])
        {
            if (condition.Status != "True" || before.Status?.Conditions?.Any(c => c.Type == condition.Type && c.Status == "True") == true)
            {
                continue;
            }

            if (condition.Type == "Complete")
            {
                _events.Normal(after, "Completed", "Job completed");
            }
            else if (condition.Type == "Failed")
            {
                _events.Warning(after, condition.Reason ?? "Failed", condition.Message ?? "Job failed");
            }
        }
    }

    private async Task CreatePodAsync(string key, Api.Batch.V1.Job job, int? index, CancellationToken ct)
    {
        Pod pod = NewPod(job, index);
        Pod created;
        try
        {
            created = await _context.Client.Resource<Pod>().CreateAsync(pod, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _expectations.Observed(key, created: true);
            if (e is ApiException api)
            {
                _events.Warning(job, "FailedCreate", $"Error creating: {api.Message}");
            }

            throw;
        }

        _events.Normal(job, "SuccessfulCreate", $"Created pod: {created.Metadata?.Name}");
    }

    private async Task DeletePodAsync(string key, Api.Batch.V1.Job job, Pod pod, CancellationToken ct)
    {
        try
        {
            await _context.Client.Resource<Pod>().DeleteAsync(pod.Metadata!.Name!, pod.Metadata.Namespace,
                new DeleteOptions { Preconditions = new Api.Meta.V1.Preconditions { Uid = pod.Metadata.Uid } }, ct).ConfigureAwait(false);
            _events.Normal(job, "SuccessfulDelete", $"Deleted pod: {pod.Metadata.Name}");
        }
        catch (ApiException e) when (e.IsNotFound || e.IsConflict)
        {
            _expectations.Observed(key, created: false);
        }
    }

    private async Task RemoveFinalizerAsync(Pod pod, CancellationToken ct)
    {
        string patch = $"{{\"metadata\":{{\"$deleteFromPrimitiveList/finalizers\":[\"{JobPlanner.TrackingFinalizer}\"]}}}}";
        try
        {
            await _context.Client.Resource<Pod>().PatchAsync(pod.Metadata!.Name!, pod.Metadata.Namespace, PatchType.StrategicMerge, patch, ct: ct)
                .ConfigureAwait(false);
        }
        catch (ApiException e) when (e.IsNotFound)
        {
            // Already gone.
        }
    }

    /// <summary>A pod from the Job's template: generateName <c>&lt;job&gt;-</c>, the template's labels (the API server
    /// added controller-uid and job-name), the controller reference and the tracking finalizer. For an Indexed Job's
    /// <paramref name="index"/>, as upstream: generateName <c>&lt;job&gt;-&lt;index&gt;-</c>, the index as annotation
    /// and label, hostname <c>&lt;job&gt;-&lt;index&gt;</c> unless the template sets one, and <c>JOB_COMPLETION_INDEX</c>
    /// in every container's environment (from the annotation).</summary>
    public static Pod NewPod(Api.Batch.V1.Job job, int? index = null)
    {
        PodTemplateSpec template = job.Spec?.Template ?? new PodTemplateSpec();
        Pod pod = NewPodFromTemplate(job, template);
        if (index is not int i)
        {
            return pod;
        }

        string value = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
        pod.Metadata!.GenerateName = $"{job.Metadata!.Name}-{value}-";
        (pod.Metadata.Annotations ??= new Dictionary<string, string>(StringComparer.Ordinal))[CompletionIndexes.Key] = value;
        (pod.Metadata.Labels ??= new Dictionary<string, string>(StringComparer.Ordinal))[CompletionIndexes.Key] = value;
        PodSpec spec = pod.Spec!;
        if (string.IsNullOrEmpty(spec.Hostname))
        {
            spec.Hostname = $"{job.Metadata.Name}-{value}";
        }

        foreach (Container container in (spec.InitContainers ?? []).Concat(spec.Containers ?? []))
        {
            container.Env ??= [];
            if (container.Env.All(e => e.Name != "JOB_COMPLETION_INDEX"))
            {
                container.Env.Add(new EnvVar
                {
                    Name = "JOB_COMPLETION_INDEX",
                    ValueFrom = new EnvVarSource { FieldRef = new ObjectFieldSelector { FieldPath = $"metadata.annotations['{CompletionIndexes.Key}']" } },
                });
            }
        }

        return pod;
    }

    private static Pod NewPodFromTemplate(Api.Batch.V1.Job job, PodTemplateSpec template)
    {
        return new Pod
        {
            Metadata = new ObjectMeta
            {
                GenerateName = job.Metadata!.Name + "-",
                Namespace = job.Metadata.Namespace,
                Labels = template.Metadata?.Labels is { } labels ? new Dictionary<string, string>(labels, StringComparer.Ordinal) : null,
                Annotations = template.Metadata?.Annotations is { } annotations ? new Dictionary<string, string>(annotations, StringComparer.Ordinal) : null,
                OwnerReferences =
                [
                    new OwnerReference
                    {
                        ApiVersion = "batch/v1", Kind = "Job", Name = job.Metadata.Name!, Uid = job.Metadata.Uid!, Controller = true, BlockOwnerDeletion = true,
                    },
                ],
                Finalizers = [JobPlanner.TrackingFinalizer],
            },
            Spec = template.Spec is null ? new PodSpec() : ObjectCopy.Clone(template.Spec),
        };
    }

    private static long Revision(Api.Batch.V1.Job job) =>
        long.TryParse(job.Metadata?.ResourceVersion, System.Globalization.CultureInfo.InvariantCulture, out long rv) ? rv : 0;
}
