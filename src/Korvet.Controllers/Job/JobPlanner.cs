using Korvet.Api.Batch.V1;
using Korvet.Api.Core.V1;
using Korvet.Api.Meta.V1;

namespace Korvet.Controllers.Job;

/// <summary>
/// The pure part of the Job controller (upstream pkg/controller/job, 1.32 semantics): pod accounting through the
/// <c>batch.kubernetes.io/job-tracking</c> finalizer and <c>status.uncountedTerminatedPods</c> (in Indexed mode
/// succeeded pods are recorded by index in <c>status.completedIndexes</c> instead, and each index runs one pod),
/// the FailureTarget → Failed (BackoffLimitExceeded, DeadlineExceeded) and SuccessCriteriaMet → Complete condition
/// pairs, parallelism/completions arithmetic and the failure backoff. <see cref="Plan"/> reads only its arguments.
/// </summary>
public static class JobPlanner
{
    public const string TrackingFinalizer = "batch.kubernetes.io/job-tracking";

    public const string BackoffLimitExceeded = "BackoffLimitExceeded";
    public const string DeadlineExceeded = "DeadlineExceeded";
    public const string CompletionsReached = "CompletionsReached";

    private const string BackoffMessage = "Job has reached the specified backoff limit";
    private const string DeadlineMessage = "Job was active longer than specified deadline";
    private const string CompletionsMessage = "Reached expected number of succeeded pods";

    /// <param name="job">The Job as cached (not modified).</param>
    /// <param name="pods">The pods the Job controls (controllerRef = this Job).</param>
    /// <param name="now">The controller's clock.</param>
    /// <param name="backoffBase">Delay before re-creating after the first failure; doubles per failure (upstream 10 s).</param>
    /// <param name="backoffMax">Cap of that delay (upstream 6 min).</param>
    /// <param name="counted">UIDs this controller already moved into the counters (a pod seen again with the
    /// finalizer, e.g. from a stale cache, only loses its finalizer and is not counted twice).</param>
    public static JobPlan Plan(Api.Batch.V1.Job job, IReadOnlyList<Pod> pods, DateTimeOffset now, TimeSpan backoffBase, TimeSpan backoffMax,
        IReadOnlySet<string>? counted = null)
    {
        JobSpec spec = job.Spec ?? new JobSpec();
        JobStatus old = job.Status ?? new JobStatus();
        JobStatus status = Copy(old);
        var uncountedSucceeded = new List<string>(old.UncountedTerminatedPods?.Succeeded ?? []);
        var uncountedFailed = new List<string>(old.UncountedTerminatedPods?.Failed ?? []);
        var byUid = pods.Where(p => p.Metadata?.Uid is not null).ToDictionary(p => p.Metadata!.Uid!, StringComparer.Ordinal);
        bool indexed = spec.CompletionMode == "Indexed" && spec.Completions is > 0;
        int indexCount = spec.Completions ?? 0;
        SortedSet<int> completedIndexes = indexed ? CompletionIndexes.Parse(old.CompletedIndexes, indexCount) : [];

        // Step 1: UIDs recorded as uncounted whose finalizer is gone (or pod gone) move to the counters.
        int succeeded = old.Succeeded ?? 0;
        int failed = old.Failed ?? 0;
        // A UID already in `counted` is only dropped (a stale status must not count it twice).
        succeeded += uncountedSucceeded.Count(uid => counted?.Contains(uid) != true && !HasFinalizer(byUid.GetValueOrDefault(uid)));
        uncountedSucceeded.RemoveAll(uid => counted?.Contains(uid) == true || !HasFinalizer(byUid.GetValueOrDefault(uid)));
        failed += uncountedFailed.Count(uid => counted?.Contains(uid) != true && !HasFinalizer(byUid.GetValueOrDefault(uid)));
        uncountedFailed.RemoveAll(uid => counted?.Contains(uid) == true || !HasFinalizer(byUid.GetValueOrDefault(uid)));

        // Step 2: newly finished pods that still carry the finalizer are recorded as uncounted.
        var removeFinalizers = new List<Pod>();
        var active = new List<Pod>();
        int terminating = 0;
        int restarts = 0;
        DateTimeOffset? lastFailure = null;
        foreach (Pod pod in pods)
        {
            string uid = pod.Metadata?.Uid ?? "";
            bool podSucceeded = pod.Status?.Phase == "Succeeded";
            bool podFailed = !podSucceeded && (pod.Status?.Phase == "Failed" || pod.Metadata?.DeletionTimestamp is not null);
            if (podFailed)
            {
                DateTimeOffset at = FinishedAt(pod) ?? now;
                lastFailure = lastFailure is null || at > lastFailure ? at : lastFailure;
            }

            if (pod.Metadata?.DeletionTimestamp is not null && pod.Status?.Phase is not ("Succeeded" or "Failed"))
            {
                terminating++;
            }

            if (!podSucceeded && !podFailed)
            {
                active.Add(pod);
                restarts += pod.Status?.ContainerStatuses?.Sum(c => c.RestartCount) ?? 0;
                continue;
            }

            if (indexed && podSucceeded)
            {
                // Indexed: a success counts once per index, recorded in completedIndexes in the same status write.
                if (CompletionIndexes.Of(pod, indexCount) is int index)
                {
                    completedIndexes.Add(index);
                }

                if (HasFinalizer(pod))
                {
                    removeFinalizers.Add(pod);
                }

                continue;
            }

            if (!HasFinalizer(pod))
            {
                continue;
            }

            List<string> list = podSucceeded ? uncountedSucceeded : uncountedFailed;
            if (counted?.Contains(uid) == true)
            {
                removeFinalizers.Add(pod);
                continue;
            }

            if (!list.Contains(uid))
            {
                list.Add(uid);
            }

            removeFinalizers.Add(pod);
        }

        if (indexed)
        {
            succeeded = completedIndexes.Count;
            status.CompletedIndexes = completedIndexes.Count > 0 ? CompletionIndexes.Format(completedIndexes) : null;
        }

        int totalSucceeded = succeeded + uncountedSucceeded.Count;
        int totalFailed = failed + uncountedFailed.Count;
        status.Succeeded = succeeded;
        status.Failed = failed;
        status.UncountedTerminatedPods = new UncountedTerminatedPods { Succeeded = uncountedSucceeded, Failed = uncountedFailed };
        status.Active = active.Count;
        status.Ready = active.Count(IsReady);
        status.Terminating = terminating;

        var delete = new List<Pod>();
        int create = 0;
        var createIndexes = new List<int>();
        TimeSpan? requeue = null;
        bool finished = HasCondition(old, "Complete") || HasCondition(old, "Failed");
        if (finished)
        {
            // A finished Job only lets go of its pods.
            delete.AddRange(active);
        }
        else if (spec.Suspend == true)
        {
            SetCondition(status, "Suspended", "JobSuspended", "Job suspended", now);
            delete.AddRange(active);
        }
        else
        {
            if (HasCondition(status, "Suspended"))
            {
                SetCondition(status, "Suspended", "JobResumed", "Job resumed", now, "False");
            }

            status.StartTime ??= new Time(now);
            DateTimeOffset start = status.StartTime.Value;
            int backoffLimit = spec.BackoffLimit ?? 6;
            bool onFailure = spec.Template?.Spec?.RestartPolicy == "OnFailure";
            if (!HasCondition(status, "FailureTarget") && !HasCondition(status, "SuccessCriteriaMet"))
            {
                if (totalFailed + (onFailure ? restarts : 0) > backoffLimit)
                {
                    SetCondition(status, "FailureTarget", BackoffLimitExceeded, BackoffMessage, now);
                }
                else if (spec.ActiveDeadlineSeconds is long deadline)
                {
                    DateTimeOffset due = start.AddSeconds(deadline);
                    if (now >= due)
                    {
                        SetCondition(status, "FailureTarget", DeadlineExceeded, DeadlineMessage, now);
                    }
                    else
                    {
                        requeue = due - now;
                    }
                }
            }

            int? completions = spec.Completions;
            int parallelism = spec.Parallelism ?? 1;
            if (!HasCondition(status, "FailureTarget") && !HasCondition(status, "SuccessCriteriaMet") &&
                (completions is int c ? totalSucceeded >= c : totalSucceeded > 0 && active.Count == 0))
            {
                SetCondition(status, "SuccessCriteriaMet", CompletionsReached, CompletionsMessage, now);
            }

            bool inFlight = active.Count > 0 || terminating > 0 || uncountedSucceeded.Count > 0 || uncountedFailed.Count > 0;
            if (Condition(status, "FailureTarget") is JobCondition failure)
            {
                delete.AddRange(active);
                if (!inFlight)
                {
                    SetCondition(status, "Failed", failure.Reason ?? "", failure.Message ?? "", now);
                }
            }
            else if (Condition(status, "SuccessCriteriaMet") is not null)
            {
                delete.AddRange(active);
                if (!inFlight)
                {
                    SetCondition(status, "Complete", CompletionsReached, CompletionsMessage, now);
                    status.CompletionTime = new Time(now);
                }
            }
            else
            {
                int want = completions is int total ? Math.Min(parallelism, Math.Max(0, total - totalSucceeded)) : (totalSucceeded > 0 ? 0 : parallelism);
                List<int> missing = [];
                if (indexed)
                {
                    // One pod per pending index: pods without a valid index, of a completed index, or duplicates go.
                    List<Pod> kept = [];
                    foreach (IGrouping<int?, Pod> group in active.GroupBy(p => CompletionIndexes.Of(p, indexCount)))
                    {
                        if (group.Key is not int index || completedIndexes.Contains(index))
                        {
                            delete.AddRange(group);
                            continue;
                        }

                        List<Pod> ordered = group.OrderByDescending(IsReady).ThenBy(p => p.Metadata?.CreationTimestamp?.Value).ToList();
                        kept.Add(ordered[0]);
                        delete.AddRange(ordered.Skip(1));
                    }

                    HashSet<int> running = kept.Select(p => CompletionIndexes.Of(p, indexCount)!.Value).ToHashSet();
                    missing = Enumerable.Range(0, indexCount).Where(i => !completedIndexes.Contains(i) && !running.Contains(i)).ToList();
                    active = kept.OrderBy(p => CompletionIndexes.Of(p, indexCount)).ToList();
                }

                int diff = want - active.Count;
                if (diff < 0)
                {
                    delete.AddRange(indexed ? active.AsEnumerable().Reverse().Take(-diff)
                        : active.OrderBy(IsReady).ThenByDescending(p => p.Metadata?.CreationTimestamp?.Value).Take(-diff));
                }
                else if (diff > 0)
                {
                    TimeSpan wait = totalFailed == 0 || lastFailure is null ? TimeSpan.Zero : Backoff(totalFailed, backoffBase, backoffMax) - (now - lastFailure.Value);
                    if (wait > TimeSpan.Zero)
                    {
                        requeue = requeue is null || wait < requeue ? wait : requeue;
                    }
                    else
                    {
                        create = indexed ? Math.Min(diff, missing.Count) : diff;
                        createIndexes.AddRange(missing.Take(indexed ? create : 0));
                    }
                }
            }
        }

        if (uncountedSucceeded.Count == 0 && uncountedFailed.Count == 0 && old.UncountedTerminatedPods is null)
        {
            status.UncountedTerminatedPods = null;
        }
        else if (uncountedSucceeded.Count == 0 && uncountedFailed.Count == 0)
        {
            // Explicit empty lists: an omitted list could be read as "unchanged" by a merging writer.
            status.UncountedTerminatedPods = new UncountedTerminatedPods { Succeeded = [], Failed = [] };
        }

        bool changed = !Api.Serialization.ApiJson.SerializeToUtf8Bytes(status).AsSpan()
            .SequenceEqual(Api.Serialization.ApiJson.SerializeToUtf8Bytes(old));
        return new JobPlan(status, changed, removeFinalizers, delete.Distinct().ToList(), create, requeue, createIndexes);
    }

    /// <summary>True when the Job has a Complete or Failed condition that is True.</summary>
    public static bool IsFinished(Api.Batch.V1.Job job) => HasCondition(job.Status, "Complete") || HasCondition(job.Status, "Failed");

    /// <summary>When the Job finished (the Complete/Failed condition's transition time), or null.</summary>
    public static DateTimeOffset? FinishedTime(Api.Batch.V1.Job job) =>
        (Condition(job.Status, "Complete") ?? Condition(job.Status, "Failed"))?.LastTransitionTime?.Value;

    public static bool HasFinalizer(Pod? pod) => pod?.Metadata?.Finalizers?.Contains(TrackingFinalizer) == true;

    public static TimeSpan Backoff(int failures, TimeSpan backoffBase, TimeSpan backoffMax)
    {
        double factor = Math.Pow(2, Math.Min(30, Math.Max(0, failures - 1)));
        TimeSpan delay = backoffBase * factor;
        return delay > backoffMax ? backoffMax : delay;
    }

    private static bool IsReady(Pod pod) => pod.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true;

    private static DateTimeOffset? FinishedAt(Pod pod) =>
        pod.Status?.ContainerStatuses?.Select(c => c.State?.Terminated?.FinishedAt?.Value).Where(t => t is not null).Max();

    private static JobCondition? Condition(JobStatus? status, string type) =>
        status?.Conditions?.FirstOrDefault(c => c.Type == type && c.Status == "True");

    private static bool HasCondition(JobStatus? status, string type) => Condition(status, type) is not null;

    private static void SetCondition(JobStatus status, string type, string reason, string message, DateTimeOffset now, string value = "True")
    {
        status.Conditions ??= [];
        JobCondition? existing = status.Conditions.FirstOrDefault(c => c.Type == type);
        if (existing is not null && existing.Status == value && existing.Reason == reason)
        {
            return;
        }

        status.Conditions.RemoveAll(c => c.Type == type);
        status.Conditions.Add(new JobCondition
        {
            Type = type,
            Status = value,
            Reason = reason,
            Message = message,
            LastProbeTime = new Time(now),
            LastTransitionTime = new Time(now),
        });
    }

    private static JobStatus Copy(JobStatus status) =>
        Api.Serialization.ApiJson.Deserialize<JobStatus>(Api.Serialization.ApiJson.SerializeToUtf8Bytes(status));
}
