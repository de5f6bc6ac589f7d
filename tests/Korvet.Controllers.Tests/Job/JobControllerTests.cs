using Korvet.Agent.Simulation;
using Korvet.Api.Batch.V1;
using Korvet.Api.Core.V1;
using Korvet.Api.Meta.V1;
using Korvet.Client;
using Korvet.Controllers.Job;
using Korvet.Controllers.Tests.Support;

namespace Korvet.Controllers.Tests.Job;

/// <summary>The job and TTL controllers with simulated nodes (pods name their node: no scheduler here).</summary>
public sealed class JobControllerTests(NodesAndJobsCluster cluster) : IClassFixture<NodesAndJobsCluster>
{
    private static Api.Batch.V1.Job NewJob(string name, int completions, int parallelism, int backoffLimit = 6, Dictionary<string, string>? annotations = null,
        int? ttl = null) => new()
    {
        Metadata = new ObjectMeta { Name = name, Namespace = "default" },
        Spec = new JobSpec
        {
            Completions = completions,
            Parallelism = parallelism,
            BackoffLimit = backoffLimit,
            TtlSecondsAfterFinished = ttl,
            Template = new PodTemplateSpec
            {
                Metadata = new ObjectMeta { Annotations = annotations },
                Spec = new PodSpec { RestartPolicy = "Never", NodeName = "work-1", Containers = [new Container { Name = "main", Image = "busybox" }] },
            },
        },
    };

    [Fact]
    public async Task IndexedJobRunsEachIndexOnceAndRecordsCompletedIndexes()
    {
        ResourceClient<Api.Batch.V1.Job> jobs = cluster.Client.Resource<Api.Batch.V1.Job>();
        Api.Batch.V1.Job job = NewJob("indexed", 3, 2);
        job.Spec!.CompletionMode = "Indexed";
        await jobs.CreateAsync(job);
        Api.Batch.V1.Job done = await NodesAndJobsCluster.EventuallyAsync(() => jobs.TryGetAsync("indexed", "default"),
            j => JobPlanner.IsFinished(j), 60);
        Assert.Equal("0-2", done.Status!.CompletedIndexes);
        Assert.Equal(3, done.Status.Succeeded);
        Assert.Equal("Complete", done.Status.Conditions!.Last().Type);

        List<Pod> pods = (await cluster.Client.Resource<Pod>().ListAsync("default", new ListOptions { LabelSelector = "batch.kubernetes.io/job-name=indexed" })).Items;
        Assert.Equal(["0", "1", "2"], pods.Select(p => p.Metadata!.Annotations![CompletionIndexes.Key]).Order());
        Assert.All(pods, p =>
        {
            string index = p.Metadata!.Labels![CompletionIndexes.Key];
            Assert.StartsWith($"indexed-{index}-", p.Metadata.Name, StringComparison.Ordinal);
            Assert.Equal($"indexed-{index}", p.Spec!.Hostname);
            Assert.Equal($"metadata.annotations['{CompletionIndexes.Key}']",
                Assert.Single(p.Spec.Containers![0].Env!, e => e.Name == "JOB_COMPLETION_INDEX").ValueFrom!.FieldRef!.FieldPath);
        });
    }

    [Fact]
    public async Task JobWithThreeCompletionsAndParallelismTwoCompletes()
    {
        ResourceClient<Api.Batch.V1.Job> jobs = cluster.Client.Resource<Api.Batch.V1.Job>();
        await jobs.CreateAsync(NewJob("three", 3, 2));
        Api.Batch.V1.Job done = await NodesAndJobsCluster.EventuallyAsync(() => jobs.TryGetAsync("three", "default"),
            j => JobPlanner.IsFinished(j), 60);
        List<Pod> pods = (await cluster.Client.Resource<Pod>().ListAsync("default", new ListOptions { LabelSelector = "batch.kubernetes.io/job-name=three" })).Items;
        string dump = string.Join("\n", pods.Select(p =>
            $"{p.Metadata!.Name} {p.Status?.Phase} created={p.Metadata.CreationTimestamp?.Value:O} deleted={p.Metadata.DeletionTimestamp?.Value:O} " +
            $"finalizers={string.Join(',', p.Metadata.Finalizers ?? [])} finished={p.Status?.ContainerStatuses?.FirstOrDefault()?.State?.Terminated?.FinishedAt?.Value:O}")) +
            "\nstatus: " + Api.Serialization.ApiJson.SerializeToObject(done.Status!).ToJsonString();
        if (pods.Count != 3 || done.Status!.Succeeded != 3)
        {
            (_, string events, _) = await cluster.RunAsync("get", "events", "--field-selector", "involvedObject.name=three", "-o",
                "custom-columns=REASON:.reason,MESSAGE:.message,COUNT:.count");
            Assert.Fail(dump + "\nevents:\n" + events);
        }

        Assert.Equal(0, done.Status!.Failed);
        Assert.Equal(0, done.Status.Active);
        Assert.Equal(["SuccessCriteriaMet", "Complete"], done.Status.Conditions!.Select(c => c.Type));
        Assert.Equal("CompletionsReached", done.Status.Conditions![1].Reason);
        Assert.NotNull(done.Status.CompletionTime);
        Assert.True(done.Status.StartTime!.Value <= done.Status.CompletionTime!.Value);
        Assert.Empty(done.Status.UncountedTerminatedPods?.Succeeded ?? []);

        Assert.All(pods, p =>
        {
            Assert.Equal("Succeeded", p.Status!.Phase);
            Assert.Empty(p.Metadata!.Finalizers ?? []);
            Assert.Equal(done.Metadata!.Uid, p.Metadata.Labels!["controller-uid"]);
            Assert.Equal("three", p.Metadata.Labels["job-name"]);
            OwnerReference owner = Assert.Single(p.Metadata.OwnerReferences!);
            Assert.Equal(("Job", true), (owner.Kind, owner.Controller));
        });

        (int exit, string output, string err) = await cluster.RunAsync("get", "jobs", "three", "--no-headers");
        Assert.True(exit == 0, err);
        Assert.Matches(@"^three\s+Complete\s+3/3\s+", output);
    }

    [Fact]
    public async Task FailingPodsExceedTheBackoffLimit()
    {
        ResourceClient<Api.Batch.V1.Job> jobs = cluster.Client.Resource<Api.Batch.V1.Job>();
        await jobs.CreateAsync(NewJob("fails", 1, 1, backoffLimit: 1, annotations: new() { [SimulatedPodStatus.ExitCodeAnnotation] = "1" }));
        Api.Batch.V1.Job failed = await NodesAndJobsCluster.EventuallyAsync(() => jobs.TryGetAsync("fails", "default"),
            j => JobPlanner.IsFinished(j), 60);
        List<Pod> pods = (await cluster.Client.Resource<Pod>().ListAsync("default", new ListOptions { LabelSelector = "batch.kubernetes.io/job-name=fails" })).Items;
        string dump = string.Join("\n", pods.Select(p =>
            $"{p.Metadata!.Name} {p.Metadata.Uid} {p.Status?.Phase} created={p.Metadata.CreationTimestamp?.Value:O} deleted={p.Metadata.DeletionTimestamp?.Value:O} " +
            $"finalizers={string.Join(',', p.Metadata.Finalizers ?? [])} finished={p.Status?.ContainerStatuses?.FirstOrDefault()?.State?.Terminated?.FinishedAt?.Value:O}")) +
            "\nstatus: " + Api.Serialization.ApiJson.SerializeToObject(failed.Status!).ToJsonString();
        Assert.True(failed.Status!.Failed == 2, dump);
        Assert.Equal(0, failed.Status.Succeeded);
        JobCondition condition = failed.Status.Conditions!.Single(c => c.Type == "Failed");
        Assert.Equal(("True", "BackoffLimitExceeded", "Job has reached the specified backoff limit"), (condition.Status, condition.Reason, condition.Message));
        Assert.Contains(failed.Status.Conditions!, c => c.Type == "FailureTarget");
        Assert.Null(failed.Status.CompletionTime);
    }

    [Fact]
    public async Task FinishedJobIsDeletedAfterItsTtl()
    {
        ResourceClient<Api.Batch.V1.Job> jobs = cluster.Client.Resource<Api.Batch.V1.Job>();
        Api.Batch.V1.Job created = await jobs.CreateAsync(NewJob("short-lived", 1, 1, ttl: 1));
        DateTime until = DateTime.UtcNow.AddSeconds(60);
        while (await jobs.TryGetAsync("short-lived", "default") is { } j && j.Metadata!.Uid == created.Metadata!.Uid && j.Metadata.DeletionTimestamp is null)
        {
            Assert.True(DateTime.UtcNow < until, "job not deleted after its TTL");
            await Task.Delay(100);
        }
    }
}
