using Korvet.Api.Apps.V1;
using Korvet.Api.Core.V1;
using Korvet.Api.IntStr;
using Korvet.Api.Meta.V1;
using Korvet.Client;
using Korvet.Controllers.Deployments;
using Korvet.Controllers.Tests.ReplicaSets;
using Deployment = Korvet.Api.Apps.V1.Deployment;

namespace Korvet.Controllers.Tests.Deployments;

/// <summary>End to end against a real server with the workload controllers; the test plays the kubelet.</summary>
[Collection(WorkloadCollection.Name)]
public sealed class DeploymentControllerTests(WorkloadCluster cluster)
{
    private ResourceClient<Deployment> Deployments => cluster.Client.Resource<Deployment>();

    private ResourceClient<ReplicaSet> Sets => cluster.Client.Resource<ReplicaSet>();

    [Fact]
    public async Task Rollout_to_a_new_image_respects_surge_and_unavailable_at_every_observed_moment()
    {
        const int replicas = 4;
        await using (cluster.StartKubelet("default", "app=roll", intervalMs: 150, perRound: 1))
        {
            await Deployments.CreateAsync(Make("roll", replicas, surge: 1, unavailable: 1));
            await WaitCompleteAsync("roll", 1);
            List<ReplicaSet> first = await OwnedSetsAsync("roll");
            ReplicaSet original = Assert.Single(first);
            Assert.Equal("roll-" + original.Metadata!.Labels![PodTemplateHash.LabelKey], original.Metadata.Name);
            Assert.Equal("1", original.Metadata.Annotations![Revisions.RevisionAnnotation]);
            Assert.Equal("4", original.Metadata.Annotations[Revisions.DesiredReplicasAnnotation]);
            Assert.Equal("5", original.Metadata.Annotations[Revisions.MaxReplicasAnnotation]);

            await Deployments.PatchAsync("roll", "default", PatchType.StrategicMerge,
                """{"spec":{"template":{"spec":{"containers":[{"name":"c","image":"nginx:2"}]}}}}""");
            int samples = 0;
            await WorkloadCluster.WaitUntilAsync(async () =>
            {
                List<ReplicaSet> sets = await OwnedSetsAsync("roll");
                int specSum = sets.Sum(s => s.Spec!.Replicas ?? 0);
                int ready = (await cluster.ActivePodsAsync("default", "app=roll")).Count(p => p.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true);
                Assert.True(specSum <= replicas + 1, $"replica sets sum to {specSum} > {replicas + 1}");
                Assert.True(ready >= replicas - 1, $"only {ready} ready pods < {replicas - 1}");
                samples++;
                Deployment d = await Deployments.GetAsync("roll", "default");
                return d.Status is { UpdatedReplicas: replicas, Replicas: replicas, AvailableReplicas: replicas } && d.Status.ObservedGeneration == d.Metadata!.Generation;
            }, "rollout to nginx:2", seconds: 60);
            Assert.True(samples > 3);
        }

        Deployment done = await Deployments.GetAsync("roll", "default");
        Assert.Equal("2", done.Metadata!.Annotations![Revisions.RevisionAnnotation]);
        Assert.Equal(0, done.Status!.UnavailableReplicas ?? 0);
        Assert.Contains(done.Status.Conditions!, c => c is { Type: "Available", Status: "True", Reason: "MinimumReplicasAvailable" });
        Assert.Contains(done.Status.Conditions!, c => c is { Type: "Progressing", Status: "True", Reason: "NewReplicaSetAvailable" });
        List<ReplicaSet> after = await OwnedSetsAsync("roll");
        Assert.Equal(2, after.Count);
        Assert.Equal(0, after.Single(s => s.Metadata!.Annotations![Revisions.RevisionAnnotation] == "1").Spec!.Replicas);
        List<Pod> pods = await cluster.ActivePodsAsync("default", "app=roll");
        await WorkloadCluster.WaitUntilAsync(async () => (await cluster.ActivePodsAsync("default", "app=roll")).All(p => p.Spec!.Containers![0].Image == "nginx:2"), "only new pods");
        _ = pods;
    }

    [KubectlFact]
    public async Task Kubectl_rollout_status_history_undo_restart_pause_resume()
    {
        await using IAsyncDisposable kubelet = cluster.StartKubelet("default", "app=kc", intervalMs: 100);
        (int exit, string output, string error) = await cluster.RunAsync("create", "deployment", "kc", "--image=nginx:1", "--replicas=3", "-n", "default");
        Assert.True(exit == 0, output + error);
        (exit, output, error) = await cluster.RunAsync("rollout", "status", "deployment/kc", "-n", "default", "--timeout=60s");
        Assert.True(exit == 0, output + error);
        Assert.Contains("deployment \"kc\" successfully rolled out", output);

        (exit, output, error) = await cluster.RunAsync("set", "image", "deployment/kc", "nginx=nginx:2", "-n", "default");
        Assert.True(exit == 0, output + error);
        (exit, output, error) = await cluster.RunAsync("rollout", "status", "deployment/kc", "-n", "default", "--timeout=60s");
        Assert.True(exit == 0, output + error);
        Assert.Contains("successfully rolled out", output);
        await WaitCompleteAsync("kc", 2);

        (exit, output, error) = await cluster.RunAsync("rollout", "history", "deployment/kc", "-n", "default");
        Assert.True(exit == 0, output + error);
        Assert.Matches(@"(?m)^1\s", output);
        Assert.Matches(@"(?m)^2\s", output);

        string firstSet = (await OwnedSetsAsync("kc")).Single(s => s.Spec!.Template!.Spec!.Containers![0].Image == "nginx:1").Metadata!.Name!;
        (exit, output, error) = await cluster.RunAsync("rollout", "undo", "deployment/kc", "-n", "default");
        Assert.True(exit == 0, output + error);
        Assert.Contains("rolled back", output);
        (exit, output, error) = await cluster.RunAsync("rollout", "status", "deployment/kc", "-n", "default", "--timeout=60s");
        Assert.True(exit == 0, output + error);
        await WaitCompleteAsync("kc", 3);
        ReplicaSet reused = await Sets.GetAsync(firstSet, "default");
        Assert.Equal("3", reused.Metadata!.Annotations![Revisions.RevisionAnnotation]);
        Assert.Equal("1", reused.Metadata.Annotations[Revisions.RevisionHistoryAnnotation]);
        Assert.Equal(3, reused.Spec!.Replicas);
        Assert.Equal(2, (await OwnedSetsAsync("kc")).Count);
        (exit, output, error) = await cluster.RunAsync("rollout", "history", "deployment/kc", "-n", "default");
        Assert.True(exit == 0, output + error);
        Assert.Matches(@"(?m)^3\s", output);
        Assert.DoesNotMatch(@"(?m)^1\s", output);

        (exit, output, error) = await cluster.RunAsync("rollout", "pause", "deployment/kc", "-n", "default");
        Assert.True(exit == 0, output + error);
        (exit, output, error) = await cluster.RunAsync("set", "image", "deployment/kc", "nginx=nginx:3", "-n", "default");
        Assert.True(exit == 0, output + error);
        await WorkloadCluster.WaitUntilAsync(async () => (await Deployments.GetAsync("kc", "default")).Status?.Conditions?.Any(c => c is { Type: "Progressing", Reason: "DeploymentPaused", Status: "Unknown" }) == true, "paused condition");
        await Task.Delay(500);
        Assert.DoesNotContain(await OwnedSetsAsync("kc"), s => s.Spec!.Template!.Spec!.Containers![0].Image == "nginx:3");

        (exit, output, error) = await cluster.RunAsync("rollout", "resume", "deployment/kc", "-n", "default");
        Assert.True(exit == 0, output + error);
        (exit, output, error) = await cluster.RunAsync("rollout", "status", "deployment/kc", "-n", "default", "--timeout=60s");
        Assert.True(exit == 0, output + error);
        await WaitCompleteAsync("kc", 4);
        Assert.Contains(await OwnedSetsAsync("kc"), s => s.Spec!.Template!.Spec!.Containers![0].Image == "nginx:3" && s.Spec.Replicas == 3);

        (exit, output, error) = await cluster.RunAsync("rollout", "restart", "deployment/kc", "-n", "default");
        Assert.True(exit == 0, output + error);
        (exit, output, error) = await cluster.RunAsync("rollout", "status", "deployment/kc", "-n", "default", "--timeout=60s");
        Assert.True(exit == 0, output + error);
        await WaitCompleteAsync("kc", 5);
        Assert.Contains(await OwnedSetsAsync("kc"), s => s.Spec!.Template!.Metadata!.Annotations?.ContainsKey("kubectl.kubernetes.io/restartedAt") == true && s.Spec.Replicas == 3);

        (exit, output, error) = await cluster.RunAsync("scale", "deployment/kc", "--replicas=5", "-n", "default");
        Assert.True(exit == 0, output + error);
        (exit, output, error) = await cluster.RunAsync("rollout", "status", "deployment/kc", "-n", "default", "--timeout=60s");
        Assert.True(exit == 0, output + error);
        await WorkloadCluster.WaitUntilAsync(async () => (await cluster.ActivePodsAsync("default", "app=kc")).Count == 5, "5 pods");
    }

    [Fact]
    public async Task Recreate_removes_every_old_pod_before_creating_new_ones()
    {
        await using IAsyncDisposable kubelet = cluster.StartKubelet("default", "app=rec", intervalMs: 100);
        Deployment d = Make("rec", 3, surge: 0, unavailable: 0);
        d.Spec!.Strategy = new DeploymentStrategy { Type = "Recreate" };
        await Deployments.CreateAsync(d);
        await WaitCompleteAsync("rec", 1);
        await Deployments.PatchAsync("rec", "default", PatchType.StrategicMerge, """{"spec":{"template":{"spec":{"containers":[{"name":"c","image":"nginx:2"}]}}}}""");
        await WorkloadCluster.WaitUntilAsync(async () =>
        {
            List<Pod> pods = await cluster.ActivePodsAsync("default", "app=rec");
            Assert.False(pods.Any(p => p.Spec!.Containers![0].Image == "nginx:1") && pods.Any(p => p.Spec!.Containers![0].Image == "nginx:2"), "old and new pods at once");
            Deployment now = await Deployments.GetAsync("rec", "default");
            return now.Status is { UpdatedReplicas: 3, AvailableReplicas: 3, Replicas: 3 } && now.Status.ObservedGeneration == now.Metadata!.Generation;
        }, "recreate rollout", seconds: 60);
    }

    [Fact]
    public async Task Revision_history_limit_deletes_the_oldest_empty_sets()
    {
        await using IAsyncDisposable kubelet = cluster.StartKubelet("default", "app=hist", intervalMs: 100);
        Deployment d = Make("hist", 1, surge: 1, unavailable: 0);
        d.Spec!.RevisionHistoryLimit = 1;
        await Deployments.CreateAsync(d);
        await WaitCompleteAsync("hist", 1);
        for (int i = 2; i <= 4; i++)
        {
            await Deployments.PatchAsync("hist", "default", PatchType.StrategicMerge, ImagePatch("nginx:" + i));
            await WaitCompleteAsync("hist", i);
        }

        await WorkloadCluster.WaitUntilAsync(async () => (await OwnedSetsAsync("hist")).Count == 2, "two sets left");
        Assert.Equal(["3", "4"], (await OwnedSetsAsync("hist")).Select(s => s.Metadata!.Annotations![Revisions.RevisionAnnotation]).Order());
    }

    [Fact]
    public async Task Progress_deadline_exceeded_when_pods_never_become_ready()
    {
        Deployment d = Make("stuck", 2, surge: 1, unavailable: 0);
        d.Spec!.ProgressDeadlineSeconds = 2;
        await Deployments.CreateAsync(d);
        await WorkloadCluster.WaitUntilAsync(async () => (await Deployments.GetAsync("stuck", "default")).Status?.Conditions?
            .Any(c => c is { Type: "Progressing", Status: "False", Reason: "ProgressDeadlineExceeded" }) == true, "ProgressDeadlineExceeded", seconds: 20);
        Deployment now = await Deployments.GetAsync("stuck", "default");
        Assert.Contains(now.Status!.Conditions!, c => c is { Type: "Available", Status: "False", Reason: "MinimumReplicasUnavailable" });
    }

    private static string ImagePatch(string image) =>
        "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"" + image + "\"}]}}}}";

    private async Task WaitCompleteAsync(string name, int revision) =>
        await WorkloadCluster.WaitUntilAsync(async () =>
        {
            Deployment d = await Deployments.GetAsync(name, "default");
            int replicas = d.Spec!.Replicas ?? 1;
            return d.Status is { } s && s.UpdatedReplicas == replicas && s.Replicas == replicas && s.AvailableReplicas == replicas &&
                   s.ObservedGeneration == d.Metadata!.Generation &&
                   d.Metadata.Annotations?.GetValueOrDefault(Revisions.RevisionAnnotation) == revision.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }, $"{name} revision {revision} complete", seconds: 60);

    private async Task<List<ReplicaSet>> OwnedSetsAsync(string name)
    {
        Deployment d = await Deployments.GetAsync(name, "default");
        return [.. (await Sets.ListAsync("default")).Items.Where(s => s.Metadata?.OwnerReferences?.Any(o => o.Uid == d.Metadata!.Uid && o.Controller == true) == true)];
    }

    private static Deployment Make(string name, int replicas, int surge, int unavailable) => new()
    {
        Metadata = new ObjectMeta { Name = name, Namespace = "default" },
        Spec = new DeploymentSpec
        {
            Replicas = replicas,
            Selector = new LabelSelector { MatchLabels = new() { ["app"] = name } },
            Strategy = new DeploymentStrategy
            {
                Type = "RollingUpdate",
                RollingUpdate = new RollingUpdateDeployment { MaxSurge = IntOrString.FromInt(surge), MaxUnavailable = IntOrString.FromInt(unavailable) },
            },
            Template = new PodTemplateSpec
            {
                Metadata = new ObjectMeta { Labels = new() { ["app"] = name } },
                Spec = new PodSpec { Containers = [new Container { Name = "c", Image = "nginx:1" }] },
            },
        },
    };
}
