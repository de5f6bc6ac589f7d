namespace Korvet.IntegrationTests;

/// <summary>Issue 4 acceptance: run/expose, ReplicationController self-healing, namespace deletion, Jobs and CronJobs
/// through the real kubectl 1.32 on a cluster with simulated nodes.</summary>
public sealed class WorkloadTests(SimulatedCluster cluster) : IClassFixture<SimulatedCluster>
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(60);

    [KubectlFact]
    public async Task RunAndExposeGiveEndpointsWithThePodIp()
    {
        const string ns = "run-expose";
        await cluster.OkAsync("create", "namespace", ns);
        await cluster.OkAsync("-n", ns, "run", "nginx", "--image=nginx", "--port=80");
        await cluster.OkAsync("-n", ns, "wait", "--for=condition=Ready", "pod/nginx", "--timeout=60s");
        string podIp = await cluster.OkAsync("-n", ns, "get", "pod", "nginx", "-o", "jsonpath={.status.podIP}");
        Assert.Matches(@"^\d+\.\d+\.\d+\.\d+$", podIp);
        await cluster.OkAsync("-n", ns, "expose", "pod", "nginx", "--port=80");
        await cluster.EventuallyAsync(o => o == podIp + ":80", Settle, "-n", ns, "get", "endpoints", "nginx", "-o",
            "jsonpath={.subsets[0].addresses[0].ip}:{.subsets[0].ports[0].port}");
        await cluster.EventuallyAsync(o => o == podIp, Settle, "-n", ns, "get", "endpointslices", "-l",
            "kubernetes.io/service-name=nginx", "-o", "jsonpath={.items[0].endpoints[0].addresses[0]}");
    }

    [KubectlFact]
    public async Task ReplicationControllerKeepsItsCountWhenPodsAreDeleted()
    {
        const string ns = "rc-heal";
        await cluster.OkAsync("create", "namespace", ns);
        const string manifest = """
            apiVersion: v1
            kind: ReplicationController
            metadata:
              name: heal
            spec:
              replicas: 3
              selector:
                app: heal
              template:
                metadata:
                  labels:
                    app: heal
                spec:
                  containers:
                  - name: c
                    image: busybox
                    command: ["sleep", "3600"]
            """;
        (int exit, _, string err) = await cluster.RunWithInputAsync(manifest, "-n", ns, "apply", "-f", "-");
        Assert.True(exit == 0, err);
        string names = await RunningAsync(ns, "app=heal", 3);
        string victim = names.Split(' ')[0];
        await cluster.OkAsync("-n", ns, "delete", "pod", victim, "--wait=true");
        string after = await RunningAsync(ns, "app=heal", 3);
        Assert.DoesNotContain(victim, after.Split(' '));
        Assert.Equal("3", await cluster.EventuallyAsync(o => o == "3", Settle, "-n", ns, "get", "rc", "heal", "-o",
            "jsonpath={.status.readyReplicas}"));
    }

    [KubectlFact]
    public async Task DeletingANamespaceRemovesEverythingInside()
    {
        const string ns = "doomed";
        await cluster.OkAsync("create", "namespace", ns);
        await cluster.OkAsync("-n", ns, "create", "deployment", "d", "--image=nginx", "--replicas=2");
        await cluster.OkAsync("-n", ns, "create", "configmap", "cm", "--from-literal=a=b");
        await cluster.OkAsync("-n", ns, "create", "service", "clusterip", "d", "--tcp=80:80");
        await RunningAsync(ns, "app=d", 2);
        await cluster.OkAsync("delete", "namespace", ns, "--timeout=90s");
        (int exit, _, string err) = await cluster.RunAsync("get", "namespace", ns);
        Assert.NotEqual(0, exit);
        Assert.Contains("NotFound", err, StringComparison.Ordinal);
        (exit, string all, _) = await cluster.RunAsync("get", "pods,rs,deploy,cm,svc", "-n", ns, "-o", "name");
        Assert.True(exit == 0, all);
        Assert.Equal("", all.Trim());
    }

    [KubectlFact]
    public async Task JobRunsToCompletion()
    {
        const string ns = "jobs";
        await cluster.OkAsync("create", "namespace", ns);
        await cluster.OkAsync("-n", ns, "create", "job", "once", "--image=busybox", "--", "true");
        await cluster.OkAsync("-n", ns, "wait", "--for=condition=complete", "job/once", "--timeout=60s");
        Assert.Equal("1", await cluster.OkAsync("-n", ns, "get", "job", "once", "-o", "jsonpath={.status.succeeded}"));
        string table = await cluster.OkAsync("-n", ns, "get", "job", "once");
        Assert.Contains("1/1", table, StringComparison.Ordinal);
    }

    [KubectlFact]
    public async Task CronJobFiresAndItsJobCompletes()
    {
        const string ns = "cron";
        await cluster.OkAsync("create", "namespace", ns);
        await cluster.OkAsync("-n", ns, "create", "cronjob", "tick", "--image=busybox", "--schedule=* * * * *", "--", "true");
        // The next minute boundary is at most 60 s away; its job then needs a moment to complete.
        await cluster.EventuallyAsync(o => o.Length > 0, TimeSpan.FromSeconds(90), "-n", ns, "get", "cronjob", "tick", "-o",
            "jsonpath={.status.lastScheduleTime}");
        await cluster.EventuallyAsync(o => o.Contains("Complete", StringComparison.Ordinal), Settle, "-n", ns, "get", "jobs", "-o",
            "jsonpath={.items[*].status.conditions[*].type}");
    }

    /// <summary>Waits until exactly <paramref name="count"/> pods of the selector are Running; returns their names.</summary>
    private async Task<string> RunningAsync(string ns, string selector, int count)
    {
        string rows = await cluster.EventuallyAsync(o =>
        {
            string[] lines = o.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            return lines.Length == count && lines.All(l => l.EndsWith(" Running", StringComparison.Ordinal));
        }, Settle, "-n", ns, "get", "pods", "-l", selector, "-o",
            "jsonpath={range .items[*]}{.metadata.name} {.status.phase}{\"\\n\"}{end}");
        return string.Join(' ', rows.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')[0]));
    }
}
