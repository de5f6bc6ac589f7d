namespace Korvet.IntegrationTests;

/// <summary>Issue 4 acceptance: the Deployment life cycle through the real kubectl 1.32 on a cluster with simulated
/// nodes, a scheduler and the controller manager.</summary>
public sealed class DeploymentTests(SimulatedCluster cluster) : IClassFixture<SimulatedCluster>
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(60);

    [KubectlFact]
    public async Task CreateScaleSetImageRolloutUndoRestartPauseResume()
    {
        const string ns = "deploy-life";
        await cluster.OkAsync("create", "namespace", ns);
        await cluster.OkAsync("-n", ns, "create", "deployment", "web", "--image=nginx", "--replicas=3");
        await cluster.OkAsync("-n", ns, "rollout", "status", "deployment/web", "--timeout=60s");
        await RunningPodsAsync(ns, "app=web", 3, image: "nginx");

        await cluster.OkAsync("-n", ns, "scale", "deployment/web", "--replicas=5");
        await cluster.OkAsync("-n", ns, "rollout", "status", "deployment/web", "--timeout=60s");
        await RunningPodsAsync(ns, "app=web", 5, image: "nginx");

        await cluster.OkAsync("-n", ns, "set", "image", "deployment/web", "nginx=nginx:1.27");
        await cluster.OkAsync("-n", ns, "rollout", "status", "deployment/web", "--timeout=60s");
        await RunningPodsAsync(ns, "app=web", 5, image: "nginx:1.27");

        string history = await cluster.OkAsync("-n", ns, "rollout", "history", "deployment/web");
        Assert.Contains("REVISION", history, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^1\s", history);
        Assert.Matches(@"(?m)^2\s", history);

        await cluster.OkAsync("-n", ns, "rollout", "undo", "deployment/web");
        await cluster.OkAsync("-n", ns, "rollout", "status", "deployment/web", "--timeout=60s");
        await RunningPodsAsync(ns, "app=web", 5, image: "nginx");
        Assert.Equal("nginx", await cluster.OkAsync("-n", ns, "get", "deployment", "web", "-o",
            "jsonpath={.spec.template.spec.containers[0].image}"));

        string rsBefore = await cluster.OkAsync("-n", ns, "get", "rs", "-l", "app=web", "-o", "name");
        await cluster.OkAsync("-n", ns, "rollout", "restart", "deployment/web");
        await cluster.OkAsync("-n", ns, "rollout", "status", "deployment/web", "--timeout=60s");
        string rsAfter = await cluster.OkAsync("-n", ns, "get", "rs", "-l", "app=web", "-o", "name");
        Assert.NotEqual(rsBefore.Trim(), rsAfter.Trim());
        await RunningPodsAsync(ns, "app=web", 5, image: "nginx");

        await cluster.OkAsync("-n", ns, "rollout", "pause", "deployment/web");
        await cluster.OkAsync("-n", ns, "set", "image", "deployment/web", "nginx=nginx:1.28");
        await Task.Delay(1500);
        Assert.Equal("", await cluster.OkAsync("-n", ns, "get", "pods", "-l", "app=web", "-o",
            "jsonpath={.items[?(@.spec.containers[0].image==\"nginx:1.28\")].metadata.name}"));
        await cluster.OkAsync("-n", ns, "rollout", "resume", "deployment/web");
        await cluster.OkAsync("-n", ns, "rollout", "status", "deployment/web", "--timeout=60s");
        await RunningPodsAsync(ns, "app=web", 5, image: "nginx:1.28");
    }

    [KubectlFact]
    public async Task DeleteWithCascadeOrphanLeavesTheReplicaSetAndForegroundRemovesEverything()
    {
        const string ns = "deploy-cascade";
        await cluster.OkAsync("create", "namespace", ns);
        await cluster.OkAsync("-n", ns, "create", "deployment", "keep", "--image=nginx", "--replicas=2");
        await cluster.OkAsync("-n", ns, "rollout", "status", "deployment/keep", "--timeout=60s");
        await cluster.OkAsync("-n", ns, "delete", "deployment", "keep", "--cascade=orphan");
        await Task.Delay(1000);
        string rs = await cluster.OkAsync("-n", ns, "get", "rs", "-l", "app=keep", "-o", "jsonpath={.items[*].metadata.name}");
        Assert.StartsWith("keep-", rs, StringComparison.Ordinal);
        Assert.Equal("", await cluster.OkAsync("-n", ns, "get", "rs", rs, "-o", "jsonpath={.metadata.ownerReferences}"));
        await RunningPodsAsync(ns, "app=keep", 2, image: "nginx");

        await cluster.OkAsync("-n", ns, "create", "deployment", "gone", "--image=nginx", "--replicas=2");
        await cluster.OkAsync("-n", ns, "rollout", "status", "deployment/gone", "--timeout=60s");
        await cluster.OkAsync("-n", ns, "delete", "deployment", "gone", "--cascade=foreground", "--timeout=60s");
        await cluster.EventuallyAsync(o => o.Trim().Length == 0, Settle, "-n", ns, "get", "rs,pods", "-l", "app=gone", "-o", "name");
    }

    private async Task RunningPodsAsync(string ns, string selector, int count, string image)
    {
        // Exactly `count` pods of the selector, all Running with the image (old pods may still be terminating briefly).
        await cluster.EventuallyAsync(output =>
        {
            string[] rows = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            return rows.Length == count && rows.All(r => r == $"Running {image}");
        }, Settle, "-n", ns, "get", "pods", "-l", selector, "-o",
            "jsonpath={range .items[*]}{.status.phase} {.spec.containers[0].image}{\"\\n\"}{end}");
    }
}
