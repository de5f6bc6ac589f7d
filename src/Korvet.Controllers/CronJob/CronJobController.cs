using System.Globalization;
using Korvet.Api.Batch.V1;
using Korvet.Api.Core.V1;
using Korvet.Api.Meta.V1;
using Korvet.Client;
using Korvet.Client.Cache;
using Korvet.Client.Events;
using Korvet.Client.Queue;
using Microsoft.Extensions.Logging;

namespace Korvet.Controllers.CronJob;

/// <summary>
/// The CronJob controller (upstream cronjob_controllerv2): per CronJob key, reconcile <c>status.active</c> with the
/// Jobs it controls, record lastSuccessfulTime, trim finished Jobs beyond the history limits, then — unless suspended
/// — run the most recent due activation (<see cref="ScheduleMath"/>) under the concurrency policy, and requeue the key
/// for the next activation on the controller's <see cref="TimeProvider"/> (tests drive it with a fake clock). Job
/// names are <c>&lt;cronjob&gt;-&lt;scheduled unix minutes&gt;</c>, so a retried sync can never start one activation twice.
/// </summary>
public sealed class CronJobController : IController
{
    public const string ScheduledTimestampAnnotation = "batch.kubernetes.io/cronjob-scheduled-timestamp";
    public const string OwnerIndex = "cronJobOwnerUid";

    private readonly ControllerContext _context;
    private readonly SharedIndexInformer<Api.Batch.V1.CronJob> _cronJobs;
    private readonly SharedIndexInformer<Api.Batch.V1.Job> _jobs;
    private readonly WorkQueue<string> _queue;
    private readonly EventRecorder _events;
    private readonly ILogger _logger;

    public CronJobController(ControllerContext context)
    {
        _context = context;
        _cronJobs = context.Informers.For<Api.Batch.V1.CronJob>();
        _jobs = context.Informers.For<Api.Batch.V1.Job>();
        _jobs.Store.AddIndex(OwnerIndex, j => ControllerOf(j) is { } o ? [o.Uid] : []);
        _queue = new WorkQueue<string>(time: context.Time);
        _events = context.Events("cronjob-controller");
        _logger = context.LoggerFactory.CreateLogger<CronJobController>();
        _cronJobs.AddEventHandler(c => _queue.Add(ObjectKey.Of(c)), (_, c) => _queue.Add(ObjectKey.Of(c)));
        _jobs.AddEventHandler(OnJob, (_, j) => OnJob(j), OnJob);
    }

    public string Name => "cronjob-controller";

    private static OwnerReference? ControllerOf(Api.Batch.V1.Job job) =>
        job.Metadata?.OwnerReferences?.FirstOrDefault(o => o.Controller == true && o.Kind == "CronJob" && o.ApiVersion == "batch/v1");

    private void OnJob(Api.Batch.V1.Job job)
    {
        if (ControllerOf(job) is { } owner)
        {
            _queue.Add(ObjectKey.Of(job.Metadata!.Namespace, owner.Name));
        }
    }

    public Task RunAsync(CancellationToken ct) => QueueWorkers.RunAsync(_queue, _context.Options.ConcurrentSyncs, SyncAsync, _logger, ct);

    public async Task SyncAsync(string key, CancellationToken ct)
    {
        Api.Batch.V1.CronJob? cached = _cronJobs.Store.Get(key);
        if (cached?.Metadata?.Uid is not string uid)
        {
            return;
        }

        Api.Batch.V1.CronJob cj = ObjectCopy.Clone(cached);
        CronJobSpec spec = cj.Spec ?? new CronJobSpec();
        cj.Status ??= new CronJobStatus();
        string before = Json(cj.Status);
        List<Api.Batch.V1.Job> jobs = _jobs.Store.ByIndex(OwnerIndex, uid);
        ReconcileActive(cj, jobs);
        await CleanupHistoryAsync(cj, jobs, ct).ConfigureAwait(false);

        DateTimeOffset now = _context.Time.GetUtcNow();
        TimeSpan? requeue = null;
        if (cj.Metadata!.DeletionTimestamp is null && spec.Suspend != true && Schedule(cj) is (CronSchedule schedule, TimeZoneInfo zone))
        {
            ScheduleDecision decision = ScheduleMath.MostRecent(schedule, zone, cj.Metadata.CreationTimestamp?.Value ?? now,
                cj.Status.LastScheduleTime?.Value, spec.StartingDeadlineSeconds, now);
            if (decision.Next is DateTimeOffset next)
            {
                requeue = next - now + TimeSpan.FromMilliseconds(100);
            }

            if (decision.Missed > 100)
            {
                _events.Warning(cj, "TooManyMissedTimes",
                    "too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew");
            }

            if (decision.Scheduled is DateTimeOffset scheduled)
            {
                await StartAsync(cj, scheduled, zone, jobs, now, ct).ConfigureAwait(false);
            }
        }

        if (Json(cj.Status) != before)
        {
            await _context.Client.Resource<Api.Batch.V1.CronJob>().UpdateStatusAsync(cj, ct).ConfigureAwait(false);
        }

        if (requeue is TimeSpan delay)
        {
            _queue.AddAfter(key, delay);
        }
    }

    private (CronSchedule, TimeZoneInfo)? Schedule(Api.Batch.V1.CronJob cj)
    {
        if (!CronSchedule.TryParse(cj.Spec?.Schedule ?? "", out CronSchedule? schedule, out string? error))
        {
            _events.Warning(cj, "UnparseableSchedule", $"unparseable schedule: \"{cj.Spec?.Schedule}\" : {error}");
            return null;
        }

        string? zoneId = cj.Spec?.TimeZone ?? schedule.TimeZoneId;
        if (string.IsNullOrEmpty(zoneId))
        {
            return (schedule, TimeZoneInfo.Local);
        }

        try
        {
            return (schedule, TimeZoneInfo.FindSystemTimeZoneById(zoneId));
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            _events.Warning(cj, "UnknownTimeZone", $"invalid timeZone: \"{zoneId}\": unknown time zone {zoneId}");
            return null;
        }
    }

    private void ReconcileActive(Api.Batch.V1.CronJob cj, List<Api.Batch.V1.Job> jobs)
    {
        CronJobStatus status = cj.Status!;
        var byUid = jobs.ToDictionary(j => j.Metadata!.Uid!, StringComparer.Ordinal);
        foreach (Api.Batch.V1.Job job in jobs)
        {
            bool listed = status.Active?.Any(r => r.Uid == job.Metadata!.Uid) == true;
            bool finished = Job.JobPlanner.IsFinished(job);
            if (listed && finished)
            {
                status.Active!.RemoveAll(r => r.Uid == job.Metadata!.Uid);
                string condition = job.Status!.Conditions!.First(c => c.Status == "True" && c.Type is "Complete" or "Failed").Type;
                _events.Normal(cj, "SawCompletedJob", $"Saw completed job: {job.Metadata!.Name}, condition: {condition}");
            }
            else if (!listed && !finished)
            {
                if (job.Metadata?.Annotations?.ContainsKey(ScheduledTimestampAnnotation) == true)
                {
                    // Ours, but the status write that listed it was lost (e.g. a conflict): list it now.
                    status.Active ??= [];
                    status.Active.Add(Reference(job));
                }
                else
                {
                    _events.Warning(cj, "UnexpectedJob", $"Saw a job that the controller did not create or forgot: {job.Metadata!.Name}");
                }
            }

            if (finished && job.Status?.Conditions?.Any(c => c.Type == "Complete" && c.Status == "True") == true &&
                job.Status.CompletionTime is Time done && (status.LastSuccessfulTime is null || done.Value > status.LastSuccessfulTime.Value))
            {
                status.LastSuccessfulTime = done;
            }
        }

        status.Active?.RemoveAll(r => r.Uid is null || !byUid.ContainsKey(r.Uid));
        if (status.Active is { Count: 0 })
        {
            status.Active = null;
        }
    }

    private async Task CleanupHistoryAsync(Api.Batch.V1.CronJob cj, List<Api.Batch.V1.Job> jobs, CancellationToken ct)
    {
        async Task TrimAsync(string type, int? limit)
        {
            if (limit is not int keep)
            {
                return;
            }

            var finished = jobs.Where(j => j.Status?.Conditions?.Any(c => c.Type == type && c.Status == "True") == true && j.Metadata?.DeletionTimestamp is null)
                .OrderBy(j => j.Status?.StartTime?.Value ?? j.Metadata?.CreationTimestamp?.Value ?? DateTimeOffset.MinValue)
                .ToList();
            foreach (Api.Batch.V1.Job job in finished.Take(Math.Max(0, finished.Count - keep)))
            {
                try
                {
                    await _context.Client.Resource<Api.Batch.V1.Job>().DeleteAsync(job.Metadata!.Name!, job.Metadata.Namespace,
                        new DeleteOptions { PropagationPolicy = "Background" }, ct).ConfigureAwait(false);
                    _events.Normal(cj, "SuccessfulDelete", $"Deleted job {job.Metadata.Name}");
                }
                catch (ApiException e) when (e.IsNotFound)
                {
                    // Already gone.
                }
            }
        }

        await TrimAsync("Complete", cj.Spec?.SuccessfulJobsHistoryLimit).ConfigureAwait(false);
        await TrimAsync("Failed", cj.Spec?.FailedJobsHistoryLimit).ConfigureAwait(false);
    }

    private async Task StartAsync(Api.Batch.V1.CronJob cj, DateTimeOffset scheduled, TimeZoneInfo zone, List<Api.Batch.V1.Job> jobs, DateTimeOffset now,
        CancellationToken ct)
    {
        CronJobSpec spec = cj.Spec!;
        CronJobStatus status = cj.Status!;
        if (spec.StartingDeadlineSeconds is long deadline && scheduled.AddSeconds(deadline) < now)
        {
            _events.Warning(cj, "MissSchedule", $"Missed scheduled time to start a job: {scheduled.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)}");
            return;
        }

        string name = ScheduleMath.JobName(cj.Metadata!.Name!, scheduled);
        if (jobs.Any(j => j.Metadata?.Name == name) || status.Active?.Any(r => r.Name == name) == true)
        {
            // Started by an earlier sync whose status write was lost: record the activation as processed.
            if (status.LastScheduleTime is null || status.LastScheduleTime.Value < scheduled)
            {
                status.LastScheduleTime = new Time(scheduled);
            }

            return;
        }

        if (spec.ConcurrencyPolicy == "Forbid" && status.Active is { Count: > 0 })
        {
            _events.Normal(cj, "JobAlreadyActive", "Not starting job because prior execution is running and concurrency policy is Forbid");
            return;
        }

        if (spec.ConcurrencyPolicy == "Replace")
        {
            foreach (ObjectReference active in status.Active?.ToList() ?? [])
            {
                try
                {
                    await _context.Client.Resource<Api.Batch.V1.Job>().DeleteAsync(active.Name!, active.Namespace,
                        new DeleteOptions { PropagationPolicy = "Background" }, ct).ConfigureAwait(false);
                    _events.Normal(cj, "SuccessfulDelete", $"Deleted job {active.Name}");
                }
                catch (ApiException e) when (e.IsNotFound)
                {
                    // Already gone.
                }

                status.Active!.Remove(active);
            }
        }

        Api.Batch.V1.Job job = NewJob(cj, name, scheduled, zone);
        Api.Batch.V1.Job created;
        try
        {
            created = await _context.Client.Resource<Api.Batch.V1.Job>().CreateAsync(job, ct).ConfigureAwait(false);
            _events.Normal(cj, "SuccessfulCreate", $"Created job {name}");
        }
        catch (ApiException e) when (e.IsAlreadyExists)
        {
            created = await _context.Client.Resource<Api.Batch.V1.Job>().GetAsync(name, cj.Metadata.Namespace, ct).ConfigureAwait(false);
            if (created.Metadata?.OwnerReferences?.Any(o => o.Uid == cj.Metadata.Uid) != true)
            {
                return;
            }
        }

        status.Active ??= [];
        status.Active.Add(Reference(created));
        status.LastScheduleTime = new Time(scheduled);
    }

    private static ObjectReference Reference(Api.Batch.V1.Job job) => new()
    {
        Kind = "Job",
        Namespace = job.Metadata!.Namespace,
        Name = job.Metadata.Name,
        Uid = job.Metadata.Uid,
        ApiVersion = "batch/v1",
        ResourceVersion = job.Metadata.ResourceVersion,
    };

    /// <summary>The Job of one activation (upstream getJobFromTemplate2).</summary>
    public static Api.Batch.V1.Job NewJob(Api.Batch.V1.CronJob cj, string name, DateTimeOffset scheduled, TimeZoneInfo zone)
    {
        JobTemplateSpec template = cj.Spec?.JobTemplate ?? new JobTemplateSpec();
        var annotations = template.Metadata?.Annotations is { } a ? new Dictionary<string, string>(a, StringComparer.Ordinal) : [];
        DateTimeOffset local = TimeZoneInfo.ConvertTime(scheduled, zone);
        annotations[ScheduledTimestampAnnotation] = local.Offset == TimeSpan.Zero
            ? local.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)
            : local.ToString("yyyy-MM-ddTHH:mm:sszzz", CultureInfo.InvariantCulture);
        return new Api.Batch.V1.Job
        {
            Metadata = new ObjectMeta
            {
                Name = name,
                Namespace = cj.Metadata!.Namespace,
                Labels = template.Metadata?.Labels is { } l ? new Dictionary<string, string>(l, StringComparer.Ordinal) : null,
                Annotations = annotations,
                OwnerReferences =
                [
                    new OwnerReference
                    {
                        ApiVersion = "batch/v1", Kind = "CronJob", Name = cj.Metadata.Name!, Uid = cj.Metadata.Uid!, Controller = true, BlockOwnerDeletion = true,
                    },
                ],
            },
            Spec = template.Spec is null ? new JobSpec() : ObjectCopy.Clone(template.Spec),
        };
    }

    private static string Json(object value) => System.Text.Encoding.UTF8.GetString(Api.Serialization.ApiJson.SerializeToUtf8Bytes(value));
}
