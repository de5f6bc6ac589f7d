using System.Text.Json.Nodes;
using Korvet.ApiServer.Errors;
using Korvet.ApiServer.Tests.Support;
using static Korvet.ApiServer.Tests.Strategies.StrategyHarness;

namespace Korvet.ApiServer.Tests.Strategies;

public sealed class BatchStrategyTests
{
    private const string Job = """
        {"metadata":{"name":"j"},"spec":{"template":{"spec":{"restartPolicy":"Never","containers":[{"name":"c","image":"busybox"}]}}}}
        """;

    [Fact]
    public async Task JobThroughTheStoreGetsDefaultsAndASelectorFromItsUid()
    {
        await using StoreFixture f = await StoreFixture.CreateAsync();
        var jobs = f.Registry.Find("batch", "v1", "jobs")!;
        JsonObject job = StoreFixture.Parse((await f.Store.CreateAsync(jobs, "default", Obj(Job), StoreFixture.Write, CancellationToken.None)).Body);
        string uid = (string)job["metadata"]!["uid"]!;
        Assert.False(string.IsNullOrEmpty(uid));
        JsonNode spec = job["spec"]!;
        AssertJson($$$"""{"matchLabels":{"batch.kubernetes.io/controller-uid":"{{{uid}}}"}}""", spec["selector"]);
        AssertJson($$$"""
            {"batch.kubernetes.io/controller-uid":"{{{uid}}}","batch.kubernetes.io/job-name":"j","controller-uid":"{{{uid}}}","job-name":"j"}
            """, spec["template"]!["metadata"]!["labels"]);
        foreach ((string key, string value) in new[] { ("parallelism", "1"), ("completions", "1"), ("backoffLimit", "6"),
                     ("completionMode", "\"NonIndexed\""), ("suspend", "false"), ("podReplacementPolicy", "\"TerminatingOrFailed\"") })
        {
            Assert.Equal(value, spec[key]!.ToJsonString());
        }

        Assert.Equal("Never", (string?)spec["template"]!["spec"]!["restartPolicy"]);
    }

    [Fact]
    public void JobWithDefaultRestartPolicyIsRejected()
    {
        string json = """{"metadata":{"name":"j"},"spec":{"template":{"spec":{"containers":[{"name":"c","image":"busybox"}]}}}}""";
        Assert.Equal("Job \"j\" is invalid: spec.template.spec.restartPolicy: Unsupported value: \"Always\": supported values: \"OnFailure\", \"Never\"",
            CreateError("batch", "jobs", json));
    }

    [Fact]
    public void JobParallelismWithoutCompletionsLeavesCompletionsUnset()
    {
        JsonObject job = Defaulted("batch", "jobs", Job.Replace("\"spec\":{\"template\"", "\"spec\":{\"parallelism\":3,\"template\"", StringComparison.Ordinal));
        Assert.Null(job["spec"]!["completions"]);
        Assert.Equal(3, (int)job["spec"]!["parallelism"]!);
    }

    [Fact]
    public void JobSelectorAndTemplateAreImmutable()
    {
        JsonObject old = Defaulted("batch", "jobs", Job);
        var updated = (JsonObject)old.DeepClone();
        updated["spec"]!["template"]!["spec"]!["containers"]![0]!["image"] = "busybox:2";
        Assert.Contains("spec.template: Invalid value: ", UpdateError("batch", "jobs", old, updated), StringComparison.Ordinal);
        var suspended = (JsonObject)old.DeepClone();
        suspended["spec"]!["suspend"] = true;
        Assert.Equal("", UpdateError("batch", "jobs", old, suspended));
    }

    [Fact]
    public void CronJobDefaults()
    {
        JsonObject cron = Defaulted("batch", "cronjobs", """
            {"metadata":{"name":"cj"},"spec":{"schedule":"*/1 * * * *","jobTemplate":{"spec":{"template":{"spec":{"restartPolicy":"OnFailure","containers":[{"name":"c","image":"busybox"}]}}}}}}
            """);
        JsonNode spec = cron["spec"]!;
        Assert.Equal("Allow", (string?)spec["concurrencyPolicy"]);
        Assert.False((bool)spec["suspend"]!);
        Assert.Equal(3, (int)spec["successfulJobsHistoryLimit"]!);
        Assert.Equal(1, (int)spec["failedJobsHistoryLimit"]!);
        Assert.Equal("ClusterFirst", (string?)spec["jobTemplate"]!["spec"]!["template"]!["spec"]!["dnsPolicy"]);
        Assert.Null(spec["jobTemplate"]!["spec"]!["backoffLimit"]);
    }

    [Fact]
    public void CronJobNeedsASchedule()
    {
        Assert.Equal("CronJob \"cj\" is invalid: spec.schedule: Required value",
            CreateError("batch", "cronjobs", """{"metadata":{"name":"cj"},"spec":{"jobTemplate":{"spec":{"template":{"spec":{"restartPolicy":"Never","containers":[{"name":"c","image":"x"}]}}}}}}"""));
    }

    [Fact]
    public async Task InvalidCreateThroughTheStoreIs422WithCauses()
    {
        await using StoreFixture f = await StoreFixture.CreateAsync();
        var pods = f.Registry.Find("", "v1", "pods")!;
        StatusException e = await Assert.ThrowsAsync<StatusException>(() => f.Store.CreateAsync(pods, "default",
            Obj("""{"metadata":{"name":"p"},"spec":{"containers":[{"name":"c"}]}}"""), StoreFixture.Write, CancellationToken.None));
        Assert.Equal(422, e.Code);
        Assert.Equal("Pod \"p\" is invalid: spec.containers[0].image: Required value", e.Message);
        StatusCause cause = Assert.Single(e.Details!.Causes!);
        Assert.Equal(("FieldValueRequired", "Required value", "spec.containers[0].image"), (cause.Reason, cause.Message, cause.Field));
    }
}
