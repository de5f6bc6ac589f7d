using Korvet.Api.Batch.V1;
using Korvet.Api.Core.V1;
using Korvet.Api.Meta.V1;
using Korvet.Client;
using Korvet.Controllers.CronJob;
using Korvet.Controllers.Job;
using Korvet.Controllers.Tests.Support;

namespace Korvet.Controllers.Tests.CronJob;

/// <summary>A real firing: the controllers' clock is shifted past the next minute instead of waiting for it.</summary>
public sealed class CronJobControllerTests(NodesAndJobsCluster cluster) : IClassFixture<NodesAndJobsCluster>
{
    [Fact]
    public async Task EveryMinuteScheduleFiresAndTracksTheJob()
    {
        ResourceClient<Api.Batch.V1.CronJob> cronJobs = cluster.Client.Resource<Api.Batch.V1.CronJob>();
        ResourceClient<Api.Batch.V1.Job> jobs = cluster.Client.Resource<Api.Batch.V1.Job>();
        Api.Batch.V1.CronJob cj = await cronJobs.CreateAsync(new Api.Batch.V1.CronJob
        {
            Metadata = new ObjectMeta { Name = "tick", Namespace = "default" },
            Spec = new CronJobSpec
            {
                Schedule = "*/1 * * * *",
                JobTemplate = new JobTemplateSpec
                {
                    Metadata = new ObjectMeta { Labels = new() { ["app"] = "tick" } },
                    Spec = new JobSpec
                    {
                        Template = new PodTemplateSpec
                        {
                            Spec = new PodSpec { RestartPolicy = "OnFailure", NodeName = "work-0", Containers = [new Container { Name = "c", Image = "busybox" }] },
                        },
                    },
                },
            },
        });
        Assert.Null((await cronJobs.GetAsync("tick", "default")).Status?.LastScheduleTime);

        // Jump the controllers' clock past the next minute boundary after creation.
        DateTimeOffset created = cj.Metadata!.CreationTimestamp!.Value;
        DateTimeOffset fire = CronSchedule.Parse("*/1 * * * *").Next(created, TimeZoneInfo.Local)!.Value;
        cluster.Clock.Shift = fire - DateTimeOffset.UtcNow + TimeSpan.FromSeconds(1);
        await cronJobs.PatchAsync("tick", "default", PatchType.Merge, "{\"metadata\":{\"annotations\":{\"poke\":\"1\"}}}");

        string name = ScheduleMath.JobName("tick", fire);
        Api.Batch.V1.Job job = await NodesAndJobsCluster.EventuallyAsync(() => jobs.TryGetAsync(name, "default"), _ => true, 30);
        Assert.Equal("tick", job.Metadata!.Labels!["app"]);
        Assert.Equal(cj.Metadata.Uid, Assert.Single(job.Metadata.OwnerReferences!).Uid);
        Assert.Equal(fire, DateTimeOffset.Parse(job.Metadata.Annotations![CronJobController.ScheduledTimestampAnnotation], System.Globalization.CultureInfo.InvariantCulture));

        Api.Batch.V1.CronJob after = await NodesAndJobsCluster.EventuallyAsync(() => cronJobs.TryGetAsync("tick", "default"),
            c => c.Status?.LastSuccessfulTime is not null, 60);
        Assert.Equal(fire, after.Status!.LastScheduleTime!.Value);
        Assert.Null(after.Status.Active);
        Assert.True(JobPlanner.IsFinished(await jobs.GetAsync(name, "default")));

        // kubectl create job --from=cronjob: a manual run owned by the CronJob, run by the job controller.
        (int exit, _, string err) = await cluster.RunAsync("create", "job", "manual-tick", "--from=cronjob/tick");
        Assert.True(exit == 0, err);
        Api.Batch.V1.Job manual = await NodesAndJobsCluster.EventuallyAsync(() => jobs.TryGetAsync("manual-tick", "default"), j => JobPlanner.IsFinished(j), 60);
        Assert.Equal("manual", manual.Metadata!.Annotations!["cronjob.kubernetes.io/instantiate"]);
        Assert.Equal(1, manual.Status!.Succeeded);
        cluster.Clock.Shift = TimeSpan.Zero;
    }

    [Fact]
    public void JobFromTemplateCarriesTheScheduledTimestampInTheZone()
    {
        var cj = new Api.Batch.V1.CronJob
        {
            Metadata = new ObjectMeta { Name = "nightly", Namespace = "ns", Uid = "u" },
            Spec = new CronJobSpec { Schedule = "0 2 * * *", JobTemplate = new JobTemplateSpec { Spec = new JobSpec { BackoffLimit = 2 } } },
        };
        DateTimeOffset at = new(2024, 7, 1, 0, 0, 0, TimeSpan.Zero);
        Api.Batch.V1.Job job = CronJobController.NewJob(cj, ScheduleMath.JobName("nightly", at), at, TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin"));
        Assert.Equal("2024-07-01T02:00:00+02:00", job.Metadata!.Annotations![CronJobController.ScheduledTimestampAnnotation]);
        Assert.Equal("nightly-28663200", job.Metadata.Name);
        Assert.Equal(2, job.Spec!.BackoffLimit);
        OwnerReference owner = Assert.Single(job.Metadata.OwnerReferences!);
        Assert.Equal(("CronJob", "nightly", true, true), (owner.Kind, owner.Name, owner.Controller, owner.BlockOwnerDeletion));
        Assert.Equal("2024-07-01T00:00:00Z", CronJobController.NewJob(cj, "x", at, TimeZoneInfo.Utc).Metadata!.Annotations![CronJobController.ScheduledTimestampAnnotation]);
    }
}
