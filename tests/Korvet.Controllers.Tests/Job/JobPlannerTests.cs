using Korvet.Api.Batch.V1;
using Korvet.Api.Core.V1;
using Korvet.Api.Meta.V1;
using Korvet.Controllers.Job;

namespace Korvet.Controllers.Tests.Job;

public sealed class JobPlannerTests
{
    private static readonly DateTimeOffset Now = new(2024, 5, 1, 10, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Base = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Max = TimeSpan.FromMinutes(6);

    private static Api.Batch.V1.Job NewJob(int? completions = 3, int parallelism = 2, int backoffLimit = 6, long? deadline = null, JobStatus? status = null) => new()
    {
        Metadata = new ObjectMeta { Name = "j", Namespace = "default", Uid = "job-uid" },
        Spec = new JobSpec
        {
            Completions = completions,
            Parallelism = parallelism,
            BackoffLimit = backoffLimit,
            ActiveDeadlineSeconds = deadline,
            Template = new PodTemplateSpec { Spec = new PodSpec { RestartPolicy = "Never", Containers = [new Container { Name = "c" }] } },
        },
        Status = status,
    };

    private static Pod NewPod(string uid, string phase, bool finalizer = true, bool ready = false, bool deleting = false, DateTimeOffset? finished = null) => new()
    {
        Metadata = new ObjectMeta
        {
            Name = "p-" + uid,
            Uid = uid,
            Finalizers = finalizer ? [JobPlanner.TrackingFinalizer] : null,
            DeletionTimestamp = deleting ? new Time(Now) : null,
        },
        Status = new PodStatus
        {
            Phase = phase,
            Conditions = ready ? [new PodCondition { Type = "Ready", Status = "True" }] : null,
            ContainerStatuses = finished is null ? null :
                [new ContainerStatus { Name = "c", State = new ContainerState { Terminated = new ContainerStateTerminated { FinishedAt = new Time(finished.Value) } } }],
        },
    };

    private static Pod Indexed(Pod pod, int index)
    {
        pod.Metadata!.Annotations = new Dictionary<string, string> { [CompletionIndexes.Key] = index.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        return pod;
    }

    private static Api.Batch.V1.Job IndexedJob(int completions, int parallelism, JobStatus? status = null)
    {
        Api.Batch.V1.Job job = NewJob(completions, parallelism, status: status);
        job.Spec!.CompletionMode = "Indexed";
        return job;
    }

    [Fact]
    public void IndexedJobStartsTheLowestPendingIndexes()
    {
        JobPlan plan = JobPlanner.Plan(IndexedJob(3, 2), [], Now, Base, Max);
        Assert.Equal([0, 1], plan.CreateIndexes);
        Assert.Equal(2, plan.Create);

        // Index 0 succeeded, 1 runs: 0 is recorded in completedIndexes (not as an uncounted pod), 2 starts.
        Pod done = Indexed(NewPod("a", "Succeeded"), 0);
        Pod running = Indexed(NewPod("b", "Running"), 1);
        plan = JobPlanner.Plan(IndexedJob(3, 2, new JobStatus { StartTime = new Time(Now) }), [done, running], Now, Base, Max);
        Assert.Equal("0", plan.Status.CompletedIndexes);
        Assert.Equal(1, plan.Status.Succeeded);
        Assert.Empty(plan.Status.UncountedTerminatedPods?.Succeeded ?? []);
        Assert.Equal([done], plan.RemoveFinalizers);
        Assert.Equal([2], plan.CreateIndexes);
    }

    [Fact]
    public void IndexedJobDropsDuplicatesAndPodsOfCompletedIndexesAndCompletesWhenAllIndexesSucceeded()
    {
        var status = new JobStatus { StartTime = new Time(Now), CompletedIndexes = "0", Succeeded = 1 };
        Pod ofDone = Indexed(NewPod("a", "Running"), 0);
        Pod first = Indexed(NewPod("b", "Running", ready: true), 1);
        Pod duplicate = Indexed(NewPod("c", "Running"), 1);
        Pod noIndex = NewPod("d", "Running");
        JobPlan plan = JobPlanner.Plan(IndexedJob(3, 3, status), [ofDone, first, duplicate, noIndex], Now, Base, Max);
        Assert.Equal(["a", "c", "d"], plan.Delete.Select(p => p.Metadata!.Uid).Order());
        Assert.Equal([2], plan.CreateIndexes);

        Pod last = Indexed(NewPod("e", "Succeeded", finalizer: false), 2);
        Pod second = Indexed(NewPod("b", "Succeeded", finalizer: false), 1);
        plan = JobPlanner.Plan(IndexedJob(3, 3, status), [second, last], Now, Base, Max);
        Assert.Equal("0-2", plan.Status.CompletedIndexes);
        Assert.Equal(3, plan.Status.Succeeded);
        Assert.Contains(plan.Status.Conditions!, c => c.Type == "Complete" && c.Status == "True");
        Assert.Equal(0, plan.Create);
    }

    [Theory]
    [InlineData(new[] { 0, 1, 2, 5, 7, 8 }, "0-2,5,7-8")]
    [InlineData(new[] { 3 }, "3")]
    [InlineData(new int[0], "")]
    public void CompletedIndexesRoundTrip(int[] indexes, string text)
    {
        Assert.Equal(text, CompletionIndexes.Format(indexes));
        Assert.Equal(indexes, CompletionIndexes.Parse(text, 100));
        Assert.Equal([0, 1, 2], CompletionIndexes.Parse("0-2,x,7-8", 3));
    }

    [Fact]
    public void NewJobStartsParallelismPods()
    {
        JobPlan plan = JobPlanner.Plan(NewJob(), [], Now, Base, Max);
        Assert.Equal(2, plan.Create);
        Assert.True(plan.StatusChanged);
        Assert.Equal(Now, plan.Status.StartTime!.Value);
        Assert.Equal(0, plan.Status.Active);
        Assert.Empty(plan.Delete);
    }

    [Fact]
    public void NeverStartsMoreThanTheRemainingCompletions()
    {
        var status = new JobStatus { Succeeded = 2, StartTime = new Time(Now) };
        JobPlan plan = JobPlanner.Plan(NewJob(status: status), [NewPod("a", "Running", ready: true)], Now, Base, Max);
        Assert.Equal(0, plan.Create);
        Assert.Equal(1, plan.Status.Active);
        Assert.Equal(1, plan.Status.Ready);
    }

    [Fact]
    public void FinishedPodIsRecordedAsUncountedBeforeItsFinalizerGoes()
    {
        var status = new JobStatus { StartTime = new Time(Now) };
        Pod done = NewPod("a", "Succeeded");
        JobPlan plan = JobPlanner.Plan(NewJob(status: status), [done, NewPod("b", "Running")], Now, Base, Max);
        Assert.Equal(["a"], plan.Status.UncountedTerminatedPods!.Succeeded!);
        Assert.Equal(0, plan.Status.Succeeded);
        Assert.Same(done, Assert.Single(plan.RemoveFinalizers));
        Assert.Equal(1, plan.Create); // 3 - 1 succeeded = 2 wanted, 1 active
        Assert.True(plan.StatusChanged);
    }

    [Fact]
    public void UncountedPodWithoutFinalizerMovesToTheCounter()
    {
        var status = new JobStatus { StartTime = new Time(Now), Succeeded = 1, UncountedTerminatedPods = new UncountedTerminatedPods { Succeeded = ["a"], Failed = ["x"] } };
        JobPlan plan = JobPlanner.Plan(NewJob(status: status), [NewPod("a", "Succeeded", finalizer: false)], Now, Base, Max);
        Assert.Equal(2, plan.Status.Succeeded);
        Assert.Equal(1, plan.Status.Failed); // "x" is gone entirely: counted too
        Assert.Empty(plan.Status.UncountedTerminatedPods!.Succeeded ?? []);
        Assert.Empty(plan.RemoveFinalizers);
    }

    [Fact]
    public void CountedPodsAreNotCountedTwice()
    {
        var status = new JobStatus { StartTime = new Time(Now), Succeeded = 1 };
        JobPlan plan = JobPlanner.Plan(NewJob(status: status), [NewPod("a", "Succeeded", finalizer: false), NewPod("b", "Running")], Now, Base, Max);
        Assert.Equal(1, plan.Status.Succeeded);
        Assert.Null(plan.Status.UncountedTerminatedPods);
        Assert.Equal(1, plan.Create);
    }

    [Fact]
    public void ReachingCompletionsCompletesOnceNothingIsInFlight()
    {
        var status = new JobStatus { StartTime = new Time(Now.AddMinutes(-1)), Succeeded = 2, UncountedTerminatedPods = new UncountedTerminatedPods { Succeeded = ["c"] } };
        JobPlan first = JobPlanner.Plan(NewJob(status: status), [NewPod("c", "Succeeded")], Now, Base, Max);
        JobCondition criteria = Assert.Single(first.Status.Conditions!);
        Assert.Equal(("SuccessCriteriaMet", "True", "CompletionsReached"), (criteria.Type, criteria.Status, criteria.Reason));
        Assert.Null(first.Status.CompletionTime);

        var job = NewJob(status: first.Status);
        job.Status!.UncountedTerminatedPods = new UncountedTerminatedPods { Succeeded = ["c"] };
        JobPlan second = JobPlanner.Plan(job, [NewPod("c", "Succeeded", finalizer: false)], Now, Base, Max);
        Assert.Equal(3, second.Status.Succeeded);
        Assert.Equal(["SuccessCriteriaMet", "Complete"], second.Status.Conditions!.Select(c => c.Type));
        Assert.Equal("Reached expected number of succeeded pods", second.Status.Conditions![1].Message);
        Assert.Equal(Now, second.Status.CompletionTime!.Value);
        Assert.True(JobPlanner.IsFinished(new Api.Batch.V1.Job { Status = second.Status }));
        Assert.Equal(0, second.Create);
    }

    [Fact]
    public void TooManyFailuresFailTheJobWithBackoffLimitExceeded()
    {
        var status = new JobStatus { StartTime = new Time(Now.AddMinutes(-1)), Failed = 2 };
        JobPlan plan = JobPlanner.Plan(NewJob(backoffLimit: 1, status: status), [NewPod("r", "Running")], Now, Base, Max);
        Assert.Equal("FailureTarget", Assert.Single(plan.Status.Conditions!).Type);
        Assert.Equal(JobPlanner.BackoffLimitExceeded, plan.Status.Conditions![0].Reason);
        Assert.Equal("r", Assert.Single(plan.Delete).Metadata!.Uid);
        Assert.Equal(0, plan.Create);

        JobPlan done = JobPlanner.Plan(NewJob(backoffLimit: 1, status: plan.Status), [], Now, Base, Max);
        Assert.Equal(["FailureTarget", "Failed"], done.Status.Conditions!.Select(c => c.Type));
        Assert.Equal("Job has reached the specified backoff limit", done.Status.Conditions![1].Message);
    }

    [Fact]
    public void DeletedUnfinishedPodCountsAsFailed()
    {
        var status = new JobStatus { StartTime = new Time(Now) };
        JobPlan plan = JobPlanner.Plan(NewJob(status: status), [NewPod("d", "Running", deleting: true)], Now, Base, Max);
        Assert.Equal(["d"], plan.Status.UncountedTerminatedPods!.Failed!);
        Assert.Equal(1, plan.Status.Terminating);
        Assert.Equal(0, plan.Status.Active);
    }

    [Fact]
    public void RecreationWaitsForTheBackoff()
    {
        var status = new JobStatus { StartTime = new Time(Now.AddMinutes(-1)), Failed = 1 };
        JobPlan plan = JobPlanner.Plan(NewJob(completions: 1, parallelism: 1, status: status),
            [NewPod("f", "Failed", finalizer: false, finished: Now.AddSeconds(-4))], Now, Base, Max);
        Assert.Equal(0, plan.Create);
        Assert.Equal(TimeSpan.FromSeconds(6), plan.RequeueAfter);
        JobPlan later = JobPlanner.Plan(NewJob(completions: 1, parallelism: 1, status: status),
            [NewPod("f", "Failed", finalizer: false, finished: Now.AddSeconds(-11))], Now, Base, Max);
        Assert.Equal(1, later.Create);
        Assert.Equal(TimeSpan.FromSeconds(40), JobPlanner.Backoff(3, Base, Max));
        Assert.Equal(Max, JobPlanner.Backoff(30, Base, Max));
    }

    [Fact]
    public void ActiveDeadlineFailsTheJobAndIsRequeuedBefore()
    {
        var status = new JobStatus { StartTime = new Time(Now.AddSeconds(-5)), Active = 2, Ready = 0, Terminating = 0, Succeeded = 0, Failed = 0 };
        JobPlan early = JobPlanner.Plan(NewJob(deadline: 30, status: status), [NewPod("a", "Running"), NewPod("b", "Running")], Now, Base, Max);
        Assert.Equal(TimeSpan.FromSeconds(25), early.RequeueAfter);
        Assert.False(early.StatusChanged);

        status.StartTime = new Time(Now.AddSeconds(-30));
        JobPlan late = JobPlanner.Plan(NewJob(deadline: 30, status: status), [NewPod("a", "Running"), NewPod("b", "Running")], Now, Base, Max);
        Assert.Equal(JobPlanner.DeadlineExceeded, Assert.Single(late.Status.Conditions!).Reason);
        Assert.Equal(2, late.Delete.Count);
    }

    [Fact]
    public void WorkQueueJobCompletesWhenOnePodSucceededAndNoneRun()
    {
        var status = new JobStatus { StartTime = new Time(Now), Succeeded = 1 };
        JobPlan plan = JobPlanner.Plan(NewJob(completions: null, parallelism: 3, status: status), [], Now, Base, Max);
        Assert.Equal(["SuccessCriteriaMet", "Complete"], plan.Status.Conditions!.Select(c => c.Type));
        Assert.Equal(0, plan.Create);
    }

    [Fact]
    public void SuspendedJobDeletesItsPodsAndStartsNone()
    {
        Api.Batch.V1.Job job = NewJob(status: new JobStatus());
        job.Spec!.Suspend = true;
        JobPlan plan = JobPlanner.Plan(job, [NewPod("a", "Running")], Now, Base, Max);
        Assert.Equal(0, plan.Create);
        Assert.Single(plan.Delete);
        Assert.Equal("Suspended", Assert.Single(plan.Status.Conditions!).Type);
    }

    [Fact]
    public void AlreadyCountedPodOnlyLosesItsFinalizer()
    {
        var status = new JobStatus { StartTime = new Time(Now), Failed = 1 };
        Pod stale = NewPod("f", "Failed");
        JobPlan plan = JobPlanner.Plan(NewJob(status: status), [stale], Now, Base, Max, new HashSet<string> { "f" });
        Assert.Equal(1, plan.Status.Failed);
        Assert.Null(plan.Status.UncountedTerminatedPods);
        Assert.Same(stale, Assert.Single(plan.RemoveFinalizers));
    }
}
