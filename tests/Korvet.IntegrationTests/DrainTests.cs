namespace Korvet.IntegrationTests;

/// <summary>
/// kubectl drain against PodDisruptionBudgets: the eviction subresource refuses (429) what a budget forbids, the
/// disruption controller gives the disruption back once a replacement is Ready, and drain retries until done — or
/// times out reporting the budget.
/// </summary>
public sealed class DrainTests(SimulatedCluster cluster) : IClassFixture<SimulatedCluster>
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(60);

    [KubectlFact]
    public async Task DrainEvictsOnePodAtATimeWithinTheBudget()
    {
        const string ns = "drain-budget";
        await cluster.OkAsync("create", "namespace", ns);
        await cluster.OkAsync("-n", ns, "create", "deployment", "web", "--image=nginx", "--replicas=4");
        await cluster.OkAsync("-n", ns, "rollout", "status", "deployment/web", "--timeout=60s");
        await cluster.OkAsync("-n", ns, "create", "pdb", "web", "--selector=app=web", "--min-available=3");
        string table = await cluster.EventuallyAsync(o => Columns(o) is ["web", "3", "N/A", "1", _], Settle, "-n", ns, "get", "pdb", "web", "--no-headers");
        Assert.Contains("ALLOWED DISRUPTIONS", await cluster.OkAsync("-n", ns, "get", "pdb"), StringComparison.Ordinal);

        // The node with the most web pods: with two or more, the second eviction must wait for the first's replacement.
        string[] nodes = (await cluster.OkAsync("-n", ns, "get", "pods", "-l", "app=web", "-o", "jsonpath={.items[*].spec.nodeName}"))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries);
        IGrouping<string, string> busiest = nodes.GroupBy(n => n).OrderByDescending(g => g.Count()).First();
        string node = busiest.Key;
        try
        {
            (int exit, string stdout, string stderr) = await cluster.RunAsync("drain", node, "--ignore-daemonsets", "--timeout=60s");
            Assert.True(exit == 0, $"drain failed ({exit}): {stderr}{stdout}; pdb was {table}");
            Assert.Contains($"node/{node} drained", stdout, StringComparison.Ordinal);
            Assert.Equal(busiest.Count(), EvictedWebPods(stdout));
            if (busiest.Count() > 1)
            {
                Assert.Contains("Cannot evict pod as it would violate the pod's disruption budget.", stderr + stdout, StringComparison.Ordinal);
            }

            await cluster.EventuallyAsync(o =>
            {
                string[] rows = o.Split('\n', StringSplitOptions.RemoveEmptyEntries);
                return rows.Length == 4 && rows.All(r => r.Split(' ') is [var n, "Running", "True"] && n != node);
            }, Settle, "-n", ns, "get", "pods", "-l", "app=web", "-o",
                "jsonpath={range .items[*]}{.spec.nodeName} {.status.phase} {.status.conditions[?(@.type==\"Ready\")].status}{\"\\n\"}{end}");
            await cluster.EventuallyAsync(o => Columns(o) is ["web", "3", "N/A", "1", _], Settle, "-n", ns, "get", "pdb", "web", "--no-headers");
        }
        finally
        {
            await cluster.RunAsync("uncordon", node);
            await cluster.RunAsync("delete", "namespace", ns, "--wait=false");
        }
    }

    [KubectlFact]
    public async Task DrainTimesOutOnABudgetThatAllowsNoDisruption()
    {
        const string ns = "drain-blocked";
        await cluster.OkAsync("create", "namespace", ns);
        await cluster.OkAsync("-n", ns, "create", "deployment", "db", "--image=nginx", "--replicas=2");
        await cluster.OkAsync("-n", ns, "rollout", "status", "deployment/db", "--timeout=60s");
        await cluster.OkAsync("-n", ns, "create", "pdb", "db", "--selector=app=db", "--max-unavailable=0");
        await cluster.EventuallyAsync(o => o == "2 2 2 0", Settle, "-n", ns, "get", "pdb", "db", "-o",
            "jsonpath={.status.expectedPods} {.status.desiredHealthy} {.status.currentHealthy} {.status.disruptionsAllowed}");
        string node = (await cluster.OkAsync("-n", ns, "get", "pods", "-l", "app=db", "-o", "jsonpath={.items[0].spec.nodeName}")).Trim();
        string pod = (await cluster.OkAsync("-n", ns, "get", "pods", "-l", "app=db", "-o", "jsonpath={.items[0].metadata.name}")).Trim();
        try
        {
            (int exit, string stdout, string stderr) = await cluster.RunAsync("drain", node, "--ignore-daemonsets", "--pod-selector=app=db", "--timeout=12s");
            Assert.NotEqual(0, exit);
            Assert.Contains("Cannot evict pod as it would violate the pod's disruption budget.", stderr + stdout, StringComparison.Ordinal);
            Assert.Contains("global timeout reached", stderr + stdout, StringComparison.Ordinal);
            Assert.Equal(node, await cluster.OkAsync("-n", ns, "get", "pod", pod, "-o", "jsonpath={.spec.nodeName}"));
            Assert.Equal("", await cluster.OkAsync("-n", ns, "get", "pod", pod, "-o", "jsonpath={.metadata.deletionTimestamp}"));
        }
        finally
        {
            await cluster.RunAsync("uncordon", node);
            await cluster.RunAsync("-n", ns, "delete", "pdb", "db");
            await cluster.RunAsync("delete", "namespace", ns, "--wait=false");
        }
    }

    private static string[] Columns(string row) => row.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static int EvictedWebPods(string output) =>
        output.Split('\n').Count(line => line.StartsWith("pod/web-", StringComparison.Ordinal) && line.TrimEnd().EndsWith(" evicted", StringComparison.Ordinal));
}
