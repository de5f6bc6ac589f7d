namespace Korvet.IntegrationTests;

/// <summary>Issue 4 acceptance: a node that stops renewing its Lease turns NotReady, is tainted, and its pods are
/// evicted and recreated on other nodes by their controller.</summary>
public sealed class NodeFailureTests(FastNodeFailureCluster cluster) : IClassFixture<FastNodeFailureCluster>
{
    [KubectlFact]
    public async Task PodsOfADeadNodeReappearOnOtherNodes()
    {
        const string ns = "node-death";
        await cluster.OkAsync("create", "namespace", ns);
        await using ExtraNodes doomed = await cluster.StartNodesAsync("doomed", 1);
        string doomedNode = doomed.Names[0];
        await cluster.EventuallyAsync(o => o == "True", TimeSpan.FromSeconds(30), "get", "node", doomedNode, "-o",
            "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}");

        // Only the doomed node takes new pods while the deployment starts.
        string[] others = ["korvet-sim-0", "korvet-sim-1", "korvet-sim-2"];
        await cluster.OkAsync(["cordon", .. others]);
        await cluster.OkAsync("-n", ns, "create", "deployment", "survivor", "--image=nginx", "--replicas=2");
        await cluster.OkAsync("-n", ns, "rollout", "status", "deployment/survivor", "--timeout=60s");
        Assert.Equal($"{doomedNode} {doomedNode}", await cluster.OkAsync("-n", ns, "get", "pods", "-l", "app=survivor", "-o",
            "jsonpath={.items[*].spec.nodeName}"));
        await cluster.OkAsync(["uncordon", .. others]);

        await doomed.DisposeAsync();

        await cluster.EventuallyAsync(o => o.Contains("NotReady", StringComparison.Ordinal), TimeSpan.FromSeconds(60), "get", "node", doomedNode);
        await cluster.EventuallyAsync(o => o.Contains("node.kubernetes.io/unreachable", StringComparison.Ordinal), TimeSpan.FromSeconds(30),
            "get", "node", doomedNode, "-o", "jsonpath={.spec.taints[*].key}");
        // The evicted pods stay Terminating on the dead node (as upstream: nothing confirms they stopped); the
        // Deployment's replacements run elsewhere.
        string pods = await cluster.EventuallyAsync(o =>
        {
            // Rows are "node phase deletionTimestamp"; live pods have an empty third field.
            string[][] live = o.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(r => r.Split(' ')).Where(f => f[2].Length == 0).ToArray();
            return live.Length == 2 && live.All(f => f[1] == "Running" && f[0] != doomedNode);
        }, TimeSpan.FromSeconds(60), "-n", ns, "get", "pods", "-l", "app=survivor", "-o",
            "jsonpath={range .items[*]}{.spec.nodeName} {.status.phase} {.metadata.deletionTimestamp}{\"\\n\"}{end}");
        Assert.Equal(2, pods.Split('\n').Count(r => r.StartsWith(doomedNode, StringComparison.Ordinal)));
    }

    [KubectlFact]
    public async Task APodThatFitsNowhereIsScheduledWhenANodeAppears()
    {
        const string ns = "fits-nowhere";
        await cluster.OkAsync("create", "namespace", ns);
        await cluster.OkAsync("-n", ns, "run", "big", "--image=nginx",
            "--overrides={\"spec\":{\"containers\":[{\"name\":\"big\",\"image\":\"nginx\",\"resources\":{\"requests\":{\"cpu\":\"100\"}}}]}}");
        string message = await cluster.EventuallyAsync(o => o.Contains("Insufficient cpu", StringComparison.Ordinal), TimeSpan.FromSeconds(30),
            "-n", ns, "get", "events", "--field-selector", "involvedObject.name=big,reason=FailedScheduling", "-o",
            "jsonpath={.items[*].message}");
        Assert.Matches(@"0/\d+ nodes are available: (.*, )?\d+ Insufficient cpu", message);
        Assert.Equal("Pending", await cluster.OkAsync("-n", ns, "get", "pod", "big", "-o", "jsonpath={.status.phase}"));

        await using ExtraNodes roomy = await cluster.StartNodesAsync("roomy", 1, cpu: "128");
        await cluster.OkAsync("-n", ns, "wait", "--for=jsonpath={.status.phase}=Running", "pod/big", "--timeout=60s");
        Assert.Equal(roomy.Names[0], await cluster.OkAsync("-n", ns, "get", "pod", "big", "-o", "jsonpath={.spec.nodeName}"));
        string events = await cluster.OkAsync("-n", ns, "get", "events", "--field-selector", "involvedObject.name=big,reason=Scheduled", "-o",
            "jsonpath={.items[*].message}");
        Assert.Contains($"Successfully assigned {ns}/big to {roomy.Names[0]}", events, StringComparison.Ordinal);
        await cluster.OkAsync("-n", ns, "delete", "pod", "big", "--wait=true");
    }
}
