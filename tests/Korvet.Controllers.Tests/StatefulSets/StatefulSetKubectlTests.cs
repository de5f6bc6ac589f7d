using Korvet.Api.Apps.V1;
using Korvet.Api.Core.V1;
using Korvet.Client;

namespace Korvet.Controllers.Tests.StatefulSets;

/// <summary>StatefulSets driven by the real kubectl 1.32 on a cluster with three simulated nodes.</summary>
[Collection(StatefulSetCollection.Name)]
public sealed class StatefulSetKubectlTests(StatefulSetCluster cluster)
{
    private static string Manifest(string name, int replicas, string image, string policy = "OrderedReady", string retention = "Retain") => $$"""
        apiVersion: v1
        kind: Service
        metadata:
          name: {{name}}
        spec:
          clusterIP: None
          selector:
            app: {{name}}
          ports:
          - port: 80
        ---
        apiVersion: apps/v1
        kind: StatefulSet
        metadata:
          name: {{name}}
        spec:
          serviceName: {{name}}
          replicas: {{replicas}}
          podManagementPolicy: {{policy}}
          persistentVolumeClaimRetentionPolicy:
            whenDeleted: {{retention}}
            whenScaled: {{retention}}
          selector:
            matchLabels:
              app: {{name}}
          template:
            metadata:
              labels:
                app: {{name}}
            spec:
              containers:
              - name: nginx
                image: {{image}}
                volumeMounts:
                - name: www
                  mountPath: /usr/share/nginx/html
          volumeClaimTemplates:
          - metadata:
              name: www
            spec:
              accessModes: ["ReadWriteOnce"]
              resources:
                requests:
                  storage: 1Gi
        """;

    private Task<string> RolloutStatusAsync(string name) =>
        cluster.OkAsync("rollout", "status", $"statefulset/{name}", "-n", "default", "--timeout=90s");

    [KubectlFact]
    public async Task Apply_rollout_status_image_roll_history_undo_and_restart()
    {
        await using PodRecorder recorder = await PodRecorder.StartAsync(cluster.Client, "default", "app=web");
        await ApplyAsync(Manifest("web", 3, "nginx:1"));
        string status = await RolloutStatusAsync("web");
        Assert.Contains("partitioned roll out complete: 3 new pods have been updated", status);

        // Created in order, each only after its predecessor was Running and Ready.
        Assert.Equal(["web-0", "web-1", "web-2"], recorder.CreationOrder());
        Assert.True(recorder.FirstReady("web-0") >= 0 && recorder.FirstReady("web-1") >= 0, "pods never seen ready");
        Assert.True(recorder.FirstAdded("web-1") > recorder.FirstReady("web-0"), "web-1 created before web-0 was ready");
        Assert.True(recorder.FirstAdded("web-2") > recorder.FirstReady("web-1"), "web-2 created before web-1 was ready");

        string pvcs = await cluster.OkAsync("get", "pvc", "-n", "default", "-o", "name");
        Assert.Contains("persistentvolumeclaim/www-web-0", pvcs);
        Assert.Contains("persistentvolumeclaim/www-web-2", pvcs);
        string get = await cluster.OkAsync("get", "sts", "web", "-n", "default");
        Assert.Matches(@"web\s+3/3", get);

        // Image change: rolled from the highest ordinal down, one at a time.
        int before = recorder.Changes.Count;
        await cluster.OkAsync("set", "image", "statefulset/web", "nginx=nginx:2", "-n", "default");
        await RolloutStatusAsync("web");
        await WaitImagesAsync("web", "nginx:2");
        Assert.Equal(["web-2", "web-1", "web-0"], recorder.Changes.Skip(before).Where(c => c.Deleting || c.Type == WatchEventType.Deleted)
            .Select(c => c.Name).Distinct());
        StatefulSet rolled = await cluster.Client.Resource<StatefulSet>().GetAsync("web", "default");
        Assert.Equal(rolled.Status!.UpdateRevision, rolled.Status.CurrentRevision);
        Assert.Equal((3, 3, 3), (rolled.Status.UpdatedReplicas, rolled.Status.CurrentReplicas, rolled.Status.ReadyReplicas));

        // History lists both revisions; undo goes back to nginx:1 as revision 3.
        string history = await cluster.OkAsync("rollout", "history", "statefulset/web", "-n", "default");
        Assert.Matches(@"(?m)^1\s", history);
        Assert.Matches(@"(?m)^2\s", history);
        string revision1 = await cluster.OkAsync("rollout", "history", "statefulset/web", "-n", "default", "--revision=1");
        Assert.Contains("nginx:1", revision1);
        await cluster.OkAsync("rollout", "undo", "statefulset/web", "-n", "default");
        await RolloutStatusAsync("web");
        await WaitImagesAsync("web", "nginx:1");
        history = await cluster.OkAsync("rollout", "history", "statefulset/web", "-n", "default");
        Assert.Matches(@"(?m)^2\s", history);
        Assert.Matches(@"(?m)^3\s", history);
        Assert.DoesNotMatch(@"(?m)^1\s", history);

        // Restart: a template annotation → a new revision, every pod replaced (new uids).
        Dictionary<string, string> uids = (await ActivePodsAsync("web")).ToDictionary(p => p.Metadata!.Name!, p => p.Metadata!.Uid!);
        await cluster.OkAsync("rollout", "restart", "statefulset/web", "-n", "default");
        await RolloutStatusAsync("web");
        await WaitUntilAsync(async () =>
        {
            List<Pod> pods = await ActivePodsAsync("web");
            return pods.Count == 3 && pods.All(p => uids[p.Metadata!.Name!] != p.Metadata.Uid &&
                p.Metadata.Annotations?.ContainsKey("kubectl.kubernetes.io/restartedAt") == true);
        }, "restarted pods");
    }

    [KubectlFact]
    public async Task Scale_down_highest_first_keeps_claims_and_deleted_pods_come_back_with_their_name()
    {
        await ApplyAsync(Manifest("db", 3, "redis:7"));
        await RolloutStatusAsync("db");

        // A deleted pod is recreated with the same name (and claim).
        Pod victim = await cluster.Client.Resource<Pod>().GetAsync("db-1", "default");
        await cluster.OkAsync("delete", "pod", "db-1", "-n", "default", "--wait=false");
        await WaitUntilAsync(async () => await cluster.Client.Resource<Pod>().TryGetAsync("db-1", "default") is { } p &&
            p.Metadata!.Uid != victim.Metadata!.Uid && p.Status?.Phase == "Running", "db-1 recreated");
        Assert.Equal("www-db-1", (await cluster.Client.Resource<Pod>().GetAsync("db-1", "default")).Spec!.Volumes!
            .Single(v => v.Name == "www").PersistentVolumeClaim!.ClaimName);
        await RolloutStatusAsync("db");

        await using PodRecorder recorder = await PodRecorder.StartAsync(cluster.Client, "default", "app=db");
        await cluster.OkAsync("scale", "statefulset/db", "--replicas=1", "-n", "default");
        await WaitUntilAsync(async () => (await ActivePodsAsync("db")).Select(p => p.Metadata!.Name).SequenceEqual(["db-0"]), "scaled to 1");
        await WaitUntilAsync(() => Task.FromResult(recorder.Changes.Count(c => c.Type == WatchEventType.Deleted) >= 2), "2 deletions seen");
        Assert.Equal(["db-2", "db-1"], recorder.DeletionOrder());
        await cluster.EventuallyAsync(o => o.Contains("1/1", StringComparison.Ordinal), 30, "get", "sts", "db", "-n", "default");

        // Retain (the default) keeps the claims of removed ordinals.
        string pvcs = await cluster.OkAsync("get", "pvc", "-n", "default", "-o", "name");
        Assert.Contains("persistentvolumeclaim/www-db-2", pvcs);
        Assert.Contains("persistentvolumeclaim/www-db-1", pvcs);
    }

    [KubectlFact]
    public async Task Parallel_policy_creates_all_pods_at_once()
    {
        await ApplyAsync(Manifest("par", 3, "nginx:1", "Parallel"));
        await RolloutStatusAsync("par");
        List<Pod> pods = await ActivePodsAsync("par");
        Assert.Equal(["par-0", "par-1", "par-2"], pods.Select(p => p.Metadata!.Name!).Order());
    }

    [KubectlFact]
    public async Task Delete_retention_policy_removes_claims_with_scaled_down_pods_and_with_the_set()
    {
        await ApplyAsync(Manifest("ret", 3, "nginx:1", "Parallel", "Delete"));
        await RolloutStatusAsync("ret");
        await cluster.EventuallyAsync(o => o.Contains("www-ret-2", StringComparison.Ordinal), 30, "get", "pvc", "-n", "default", "-o", "name");
        PersistentVolumeClaim claim = await cluster.Client.Resource<PersistentVolumeClaim>().GetAsync("www-ret-0", "default");
        await WaitUntilAsync(async () => (await cluster.Client.Resource<PersistentVolumeClaim>().GetAsync("www-ret-0", "default")).Metadata!
            .OwnerReferences?.SingleOrDefault()?.Kind == "StatefulSet", "claim owned by the set");

        await cluster.OkAsync("scale", "statefulset/ret", "--replicas=1", "-n", "default");
        await WaitUntilAsync(async () =>
        {
            string names = string.Join(",", (await cluster.Client.Resource<PersistentVolumeClaim>().ListAsync("default",
                new Api.Meta.V1.ListOptions { LabelSelector = "app=ret" })).Items.Select(c => c.Metadata!.Name).Order());
            return names == "www-ret-0";
        }, "claims of scaled-down pods deleted");
        Assert.Equal(claim.Metadata!.Uid, (await cluster.Client.Resource<PersistentVolumeClaim>().GetAsync("www-ret-0", "default")).Metadata!.Uid);

        await cluster.OkAsync("delete", "statefulset", "ret", "-n", "default");
        await WaitUntilAsync(async () => await cluster.Client.Resource<PersistentVolumeClaim>().TryGetAsync("www-ret-0", "default") is null,
            "claim deleted with the set");
    }

    [KubectlFact]
    public async Task Partition_updates_only_high_ordinals_and_on_delete_waits_for_deletes()
    {
        await ApplyAsync(Manifest("part", 3, "nginx:1", "Parallel"));
        await RolloutStatusAsync("part");
        await cluster.OkAsync("patch", "statefulset/part", "-n", "default", "-p",
            """{"spec":{"updateStrategy":{"rollingUpdate":{"partition":2}},"template":{"spec":{"containers":[{"name":"nginx","image":"nginx:2"}]}}}}""");
        string status = await RolloutStatusAsync("part");
        Assert.Contains("partitioned roll out complete: 1 new pods have been updated", status);
        await WaitUntilAsync(async () => (await ActivePodsAsync("part")).Select(p => p.Spec!.Containers![0].Image).SequenceEqual(["nginx:1", "nginx:1", "nginx:2"]),
            "only part-2 updated");
        await Task.Delay(1000);
        Assert.Equal(["nginx:1", "nginx:1", "nginx:2"], (await ActivePodsAsync("part")).Select(p => p.Spec!.Containers![0].Image));
        StatefulSet set = await cluster.Client.Resource<StatefulSet>().GetAsync("part", "default");
        Assert.NotEqual(set.Status!.CurrentRevision, set.Status.UpdateRevision);
        Assert.Equal((2, 1), (set.Status.CurrentReplicas, set.Status.UpdatedReplicas));

        // OnDelete: a template change replaces nothing until a pod is deleted; the replacement has the new template.
        await cluster.OkAsync("patch", "statefulset/part", "-n", "default", "--type=merge", "-p",
            """{"spec":{"updateStrategy":{"type":"OnDelete","rollingUpdate":null},"template":{"spec":{"containers":[{"name":"nginx","image":"nginx:3"}]}}}}""");
        await Task.Delay(1500);
        Assert.Equal(["nginx:1", "nginx:1", "nginx:2"], (await ActivePodsAsync("part")).Select(p => p.Spec!.Containers![0].Image));
        await cluster.OkAsync("delete", "pod", "part-0", "-n", "default", "--wait=false");
        await WaitUntilAsync(async () => (await ActivePodsAsync("part")).Select(p => p.Spec!.Containers![0].Image).SequenceEqual(["nginx:3", "nginx:1", "nginx:2"]),
            "part-0 recreated at the update revision");
    }

    private async Task ApplyAsync(string manifest)
    {
        (int exit, string stdout, string stderr) = await cluster.RunWithInputAsync(manifest, "apply", "-f", "-", "-n", "default");
        Assert.True(exit == 0, stderr + stdout);
    }

    private async Task<List<Pod>> ActivePodsAsync(string app) =>
        [.. (await cluster.Client.Resource<Pod>().ListAsync("default", new Api.Meta.V1.ListOptions { LabelSelector = $"app={app}" })).Items
            .Where(p => p.Metadata?.DeletionTimestamp is null).OrderBy(p => p.Metadata!.Name, StringComparer.Ordinal)];

    private Task WaitImagesAsync(string app, string image) => WaitUntilAsync(async () =>
    {
        List<Pod> pods = await ActivePodsAsync(app);
        return pods.Count == 3 && pods.All(p => p.Spec!.Containers![0].Image == image);
    }, $"all {app} pods on {image}");

    private static Task WaitUntilAsync(Func<Task<bool>> check, string what) => ReplicaSets.WorkloadCluster.WaitUntilAsync(check, what, 60);
}
