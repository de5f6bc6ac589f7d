using Korvet.Api.Core.V1;
using Korvet.Api.Meta.V1;
using Korvet.Client;
using Korvet.Controllers.DaemonSets;

namespace Korvet.Controllers.Tests.DaemonSets;

/// <summary>The DaemonSet life cycle through the real kubectl on a cluster with three simulated nodes and a scheduler.
/// Tests that taint or label nodes undo it before they end (the cluster is shared by the class).</summary>
public sealed class DaemonSetKubectlTests(DaemonSetCluster cluster) : IClassFixture<DaemonSetCluster>
{
    private static readonly string[] ThreeNodes = DaemonSetCluster.Nodes;

    [KubectlFact]
    public async Task OnePodPerNodeThenImageRollsNodeByNodeWithHistoryUndoAndRestart()
    {
        const string ns = "ds-life";
        await cluster.OkAsync("create", "namespace", ns);
        await cluster.ApplyAsync(ns, DaemonSetCluster.Manifest("agent", "agent:1"));
        await cluster.OkAsync("-n", ns, "rollout", "status", "daemonset/agent", "--timeout=60s");
        Assert.Equal(ThreeNodes.Select(n => $"{n} Running agent:1"), await cluster.PodRowsAsync(ns, "app=agent"));
        string columns = await cluster.OkAsync("-n", ns, "get", "ds", "agent", "--no-headers");
        Assert.Matches(@"^agent\s+3\s+3\s+3\s+3\s+3\s+<none>", columns);

        using KubernetesClient client = cluster.NewClient();
        Pod pod = (await client.Resource<Pod>().ListAsync(ns, new ListOptions { LabelSelector = "app=agent" })).Items[0];
        Assert.True(pod.Metadata!.Labels!.ContainsKey("controller-revision-hash"));
        Assert.Equal("1", pod.Metadata.Labels["pod-template-generation"]);
        Assert.Equal(("DaemonSet", true, true), (pod.Metadata.OwnerReferences![0].Kind, pod.Metadata.OwnerReferences[0].Controller, pod.Metadata.OwnerReferences[0].BlockOwnerDeletion));
        Assert.Equal(pod.Spec!.NodeName, DaemonNodes.TargetNode(new Pod { Spec = new PodSpec { Affinity = pod.Spec.Affinity } }));
        Assert.Contains(pod.Spec.Tolerations!, t => t.Key == "node.kubernetes.io/unreachable" && t.Effect == "NoExecute" && t.TolerationSeconds is null);

        // maxUnavailable 1: while the image changes, at least two nodes keep a ready pod at every moment.
        using var stop = new CancellationTokenSource();
        Task<int> watcher = await MinReadyNodesAsync(client, ns, "app=agent", stop.Token);
        await cluster.OkAsync("-n", ns, "set", "image", "daemonset/agent", "agent=agent:2");
        await cluster.OkAsync("-n", ns, "rollout", "status", "daemonset/agent", "--timeout=60s");
        await stop.CancelAsync();
        Assert.Equal(2, await watcher);
        Assert.Equal(ThreeNodes.Select(n => $"{n} Running agent:2"), await WaitRowsAsync(ns, "agent:2"));

        string history = await cluster.OkAsync("-n", ns, "rollout", "history", "daemonset/agent");
        Assert.Matches(@"(?m)^1\s", history);
        Assert.Matches(@"(?m)^2\s", history);
        await cluster.OkAsync("-n", ns, "rollout", "undo", "daemonset/agent");
        await cluster.OkAsync("-n", ns, "rollout", "status", "daemonset/agent", "--timeout=60s");
        Assert.Equal(ThreeNodes.Select(n => $"{n} Running agent:1"), await WaitRowsAsync(ns, "agent:1"));
        string afterUndo = await cluster.OkAsync("-n", ns, "get", "controllerrevisions", "-l", "app=agent", "-o",
            "jsonpath={range .items[*]}{.revision} {.metadata.ownerReferences[0].kind}{\"\\n\"}{end}");
        Assert.Equal(["2 DaemonSet", "3 DaemonSet"], afterUndo.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order());

        string before = await cluster.OkAsync("-n", ns, "get", "pods", "-l", "app=agent", "-o", "name");
        await cluster.OkAsync("-n", ns, "rollout", "restart", "daemonset/agent");
        await cluster.OkAsync("-n", ns, "rollout", "status", "daemonset/agent", "--timeout=60s");
        string after = await cluster.EventuallyAsync(o => o.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length == 3, 30,
            "-n", ns, "get", "pods", "-l", "app=agent", "-o", "name");
        Assert.Empty(before.Split('\n', StringSplitOptions.RemoveEmptyEntries).Intersect(after.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
    }

    [KubectlFact]
    public async Task NodeSelectorLimitsTheSetAndFollowsLabelChanges()
    {
        const string ns = "ds-selector";
        await cluster.OkAsync("create", "namespace", ns);
        await cluster.OkAsync("label", "node", ThreeNodes[1], "role=edge");
        try
        {
            await cluster.ApplyAsync(ns, DaemonSetCluster.Manifest("edge", "edge:1", "nodeSelector:\n  role: edge"));
            await cluster.OkAsync("-n", ns, "rollout", "status", "daemonset/edge", "--timeout=60s");
            Assert.Equal([$"{ThreeNodes[1]} Running edge:1"], await cluster.PodRowsAsync(ns, "app=edge"));
            Assert.Equal("1", await cluster.OkAsync("-n", ns, "get", "ds", "edge", "-o", "jsonpath={.status.desiredNumberScheduled}"));

            await cluster.OkAsync("label", "node", ThreeNodes[2], "role=edge");
            await cluster.OkAsync("label", "node", ThreeNodes[1], "role-");
            await cluster.EventuallyAsync(o => o == "1 1 1", 30, "-n", ns, "get", "ds", "edge", "-o",
                "jsonpath={.status.desiredNumberScheduled} {.status.currentNumberScheduled} {.status.numberReady}");
            Assert.Equal([$"{ThreeNodes[2]} Running edge:1"], await WaitRowsAsync(ns, "edge:1", "app=edge", 1));
        }
        finally
        {
            await cluster.RunAsync("label", "node", ThreeNodes[1], "role-");
            await cluster.RunAsync("label", "node", ThreeNodes[2], "role-");
        }
    }

    [KubectlFact]
    public async Task TaintedNodeGetsNoPodUnlessTolerated()
    {
        const string ns = "ds-taint";
        await cluster.OkAsync("create", "namespace", ns);
        await cluster.OkAsync("taint", "node", ThreeNodes[0], "dedicated=gpu:NoSchedule");
        try
        {
            await cluster.ApplyAsync(ns, DaemonSetCluster.Manifest("plain", "plain:1"));
            await cluster.ApplyAsync(ns, DaemonSetCluster.Manifest("tolerant", "tolerant:1",
                "tolerations:\n- key: dedicated\n  operator: Equal\n  value: gpu\n  effect: NoSchedule"));
            await cluster.OkAsync("-n", ns, "rollout", "status", "daemonset/plain", "--timeout=60s");
            await cluster.OkAsync("-n", ns, "rollout", "status", "daemonset/tolerant", "--timeout=60s");
            Assert.Equal(ThreeNodes.Skip(1).Select(n => $"{n} Running plain:1"), await cluster.PodRowsAsync(ns, "app=plain"));
            Assert.Equal(ThreeNodes.Select(n => $"{n} Running tolerant:1"), await cluster.PodRowsAsync(ns, "app=tolerant"));
            Assert.Equal("2", await cluster.OkAsync("-n", ns, "get", "ds", "plain", "-o", "jsonpath={.status.desiredNumberScheduled}"));

            // An untolerated NoExecute taint takes the pod away; NoSchedule alone keeps existing ones.
            await cluster.OkAsync("taint", "node", ThreeNodes[1], "evict=now:NoExecute");
            await cluster.EventuallyAsync(o => o == "1 1", 30, "-n", ns, "get", "ds", "plain", "-o",
                "jsonpath={.status.desiredNumberScheduled} {.status.currentNumberScheduled}");
            Assert.Equal([$"{ThreeNodes[2]} Running plain:1"], await WaitRowsAsync(ns, "plain:1", "app=plain", 1));
        }
        finally
        {
            await cluster.RunAsync("taint", "node", ThreeNodes[0], "dedicated-");
            await cluster.RunAsync("taint", "node", ThreeNodes[1], "evict-");
        }

        await cluster.EventuallyAsync(o => o == "3 3 3", 30, "-n", ns, "get", "ds", "plain", "-o",
            "jsonpath={.status.desiredNumberScheduled} {.status.currentNumberScheduled} {.status.numberReady}");
    }

    [KubectlFact]
    public async Task DeletedAndFailedDaemonPodsAreReplacedOnTheirNode()
    {
        const string ns = "ds-replace";
        await cluster.OkAsync("create", "namespace", ns);
        await cluster.ApplyAsync(ns, DaemonSetCluster.Manifest("keeper", "keeper:1"));
        await cluster.OkAsync("-n", ns, "rollout", "status", "daemonset/keeper", "--timeout=60s");
        using KubernetesClient client = cluster.NewClient();
        Pod victim = (await client.Resource<Pod>().ListAsync(ns, new ListOptions { FieldSelector = "spec.nodeName=" + ThreeNodes[0] })).Items.Single();
        await cluster.OkAsync("-n", ns, "delete", "pod", victim.Metadata!.Name!);
        await cluster.OkAsync("-n", ns, "rollout", "status", "daemonset/keeper", "--timeout=60s");
        List<Pod> now = await PodsOnAsync(client, ns, ThreeNodes[0], 1);
        Assert.NotEqual(victim.Metadata.Uid, now[0].Metadata!.Uid);

        // A pod the kubelet reports Failed is deleted and replaced (first failure: no backoff).
        await Lifecycle.Objects.UpdatePodStatusAsync(client, ns, now[0].Metadata!.Name!, status => status.Phase = "Failed");
        await ReplicaSets.WorkloadCluster.WaitUntilAsync(async () =>
            (await PodsOnAsync(client, ns, ThreeNodes[0], null)).Any(p => p.Metadata!.Uid != now[0].Metadata!.Uid && p.Status?.Phase == "Running"),
            "a replacement for the failed pod");
        await cluster.OkAsync("-n", ns, "rollout", "status", "daemonset/keeper", "--timeout=60s");
        string events = await cluster.OkAsync("-n", ns, "get", "events", "--field-selector", "reason=FailedDaemonPod", "-o", "name");
        Assert.NotEmpty(events.Trim());
    }

    [KubectlFact]
    public async Task OnDeleteUpdatesOnlyPodsThatAreDeleted()
    {
        const string ns = "ds-ondelete";
        await cluster.OkAsync("create", "namespace", ns);
        await cluster.ApplyAsync(ns, DaemonSetCluster.Manifest("manual", "manual:1", strategy: "  updateStrategy:\n    type: OnDelete"));
        await cluster.EventuallyAsync(o => o == "3", 60, "-n", ns, "get", "ds", "manual", "-o", "jsonpath={.status.numberAvailable}");
        await cluster.OkAsync("-n", ns, "set", "image", "daemonset/manual", "agent=manual:2");
        await cluster.EventuallyAsync(o => o == "0 3", 30, "-n", ns, "get", "ds", "manual", "-o",
            "jsonpath={.status.updatedNumberScheduled} {.status.numberAvailable}");
        await Task.Delay(1000);
        Assert.Equal(ThreeNodes.Select(n => $"{n} Running manual:1"), await cluster.PodRowsAsync(ns, "app=manual"));
        await cluster.OkAsync("-n", ns, "delete", "pods", "-l", "app=manual", "--field-selector", "spec.nodeName=" + ThreeNodes[2]);
        await cluster.EventuallyAsync(o => o == "1 3", 30, "-n", ns, "get", "ds", "manual", "-o",
            "jsonpath={.status.updatedNumberScheduled} {.status.numberAvailable}");
        Assert.Contains($"{ThreeNodes[2]} Running manual:2", await cluster.PodRowsAsync(ns, "app=manual"));
    }

    [KubectlFact]
    public async Task SurgeStartsTheNewPodBeforeTheOldOneGoes()
    {
        const string ns = "ds-surge";
        await cluster.OkAsync("create", "namespace", ns);
        await cluster.ApplyAsync(ns, DaemonSetCluster.Manifest("surge", "surge:1",
            strategy: "  updateStrategy:\n    type: RollingUpdate\n    rollingUpdate:\n      maxUnavailable: 0\n      maxSurge: 1"));
        await cluster.OkAsync("-n", ns, "rollout", "status", "daemonset/surge", "--timeout=60s");
        using KubernetesClient client = cluster.NewClient();
        using var stop = new CancellationTokenSource();
        Task<int> watcher = await MinReadyNodesAsync(client, ns, "app=surge", stop.Token);
        await cluster.OkAsync("-n", ns, "set", "image", "daemonset/surge", "agent=surge:2");
        await cluster.OkAsync("-n", ns, "rollout", "status", "daemonset/surge", "--timeout=60s");
        await stop.CancelAsync();
        Assert.Equal(3, await watcher);
        Assert.Equal(ThreeNodes.Select(n => $"{n} Running surge:2"), await WaitRowsAsync(ns, "surge:2", "app=surge"));
    }

    private async Task<List<string>> WaitRowsAsync(string ns, string image, string selector = "app=agent", int count = 3)
    {
        List<string> rows = [];
        await ReplicaSets.WorkloadCluster.WaitUntilAsync(async () =>
        {
            rows = await cluster.PodRowsAsync(ns, selector);
            return rows.Count == count && rows.All(r => r.EndsWith($"Running {image}", StringComparison.Ordinal));
        }, $"{count} running pods with {image}", 30);
        return rows;
    }

    private static async Task<List<Pod>> PodsOnAsync(KubernetesClient client, string ns, string node, int? count)
    {
        List<Pod> pods = [];
        await ReplicaSets.WorkloadCluster.WaitUntilAsync(async () =>
        {
            pods = [.. (await client.Resource<Pod>().ListAsync(ns, new ListOptions { FieldSelector = "spec.nodeName=" + node })).Items
                .Where(p => p.Metadata?.DeletionTimestamp is null && p.Status?.Phase == "Running")];
            return count is null || pods.Count == count;
        }, $"pods on {node}", 30);
        return pods;
    }

    /// <summary>Samples (every 50 ms) how many nodes have a Ready, not terminating pod; returns the minimum seen.</summary>
    /// <summary>
    /// Lists the pods, then follows every change from that list's resourceVersion (a watch, so no state is missed the
    /// way 50 ms polling missed short dips), and returns the fewest distinct nodes that had a ready, non-terminating pod
    /// at any moment until <paramref name="ct"/> fires. Returns once the list is read; await the task for the minimum.
    /// </summary>
    private static async Task<Task<int>> MinReadyNodesAsync(KubernetesClient client, string ns, string selector, CancellationToken ct)
    {
        ResourceList<Pod> list = await client.Resource<Pod>().ListAsync(ns, new ListOptions { LabelSelector = selector }, CancellationToken.None);
        var pods = list.Items.ToDictionary(p => p.Metadata!.Uid!, StringComparer.Ordinal);
        return FollowAsync();

        async Task<int> FollowAsync()
        {
            int min = ReadyNodes(pods.Values);
            try
            {
                await foreach (WatchEvent<Pod> e in client.Resource<Pod>().WatchAsync(ns,
                                   new ListOptions { LabelSelector = selector, ResourceVersion = list.ResourceVersion }, ct))
                {
                    if (e.Type == WatchEventType.Bookmark)
                    {
                        continue;
                    }

                    if (e.Type == WatchEventType.Deleted)
                    {
                        pods.Remove(e.Object.Metadata!.Uid!);
                    }
                    else
                    {
                        pods[e.Object.Metadata!.Uid!] = e.Object;
                    }

                    min = Math.Min(min, ReadyNodes(pods.Values));
                }
            }
            catch (OperationCanceledException)
            {
                // Stopped by the test.
            }

            return min;
        }
    }

    private static int ReadyNodes(IEnumerable<Pod> pods) =>
        pods.Where(p => p.Metadata?.DeletionTimestamp is null && p.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true)
            .Select(p => p.Spec?.NodeName).Distinct().Count();
}
