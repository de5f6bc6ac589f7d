using System.Text.Json;

namespace Korvet.IntegrationTests;

/// <summary>
/// Unmodified helm 3 against a whole cluster (three simulated nodes): the chart <c>helm create</c> writes, installed,
/// upgraded, rolled back, tested and uninstalled with <c>--wait</c>, and a chart whose pre-install hook is a Job.
/// Helm reads discovery and OpenAPI, keeps releases in labelled Secrets, three-way patches on upgrade, watches
/// readiness and hook Jobs: each step fails here if Korvet answers differently from Kubernetes.
/// </summary>
public sealed class HelmTests(SimulatedCluster cluster) : IClassFixture<SimulatedCluster>
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(60);

    [HelmFact]
    public async Task A_created_chart_installs_upgrades_rolls_back_tests_and_uninstalls()
    {
        string work = ChartsDir();
        await HelmOkAsync(work, "create", "demo");
        await HelmOkAsync(work, "lint", "./demo");

        string install = await HelmOkAsync(work, "install", "demo", "./demo", "-n", "helm-a", "--create-namespace", "--wait", "--timeout", "60s");
        Assert.Contains("STATUS: deployed", install, StringComparison.Ordinal);
        Assert.Equal("1", await cluster.OkAsync("get", "deploy", "demo", "-n", "helm-a", "-o", "jsonpath={.status.readyReplicas}"));
        Assert.Equal("sh.helm.release.v1.demo.v1", await cluster.OkAsync("get", "secret", "-n", "helm-a", "-l", "owner=helm,name=demo,status=deployed",
            "-o", "jsonpath={.items[*].metadata.name}"));

        await HelmOkAsync(work, "upgrade", "demo", "./demo", "-n", "helm-a", "--set", "replicaCount=3", "--wait", "--timeout", "60s");
        Assert.Equal("3", await cluster.OkAsync("get", "deploy", "demo", "-n", "helm-a", "-o", "jsonpath={.status.readyReplicas}"));
        string history = await HelmOkAsync(work, "history", "demo", "-n", "helm-a", "-o", "json");
        Assert.Equal(["superseded", "deployed"], Statuses(history));

        await HelmOkAsync(work, "rollback", "demo", "1", "-n", "helm-a", "--wait", "--timeout", "60s");
        await cluster.EventuallyAsync(s => s == "1 1", Settle, "get", "deploy", "demo", "-n", "helm-a", "-o",
            "jsonpath={.spec.replicas} {.status.replicas}");
        using (JsonDocument list = JsonDocument.Parse(await HelmOkAsync(work, "list", "-n", "helm-a", "-o", "json")))
        {
            JsonElement release = Assert.Single(list.RootElement.EnumerateArray());
            Assert.Equal("3", release.GetProperty("revision").GetString());
            Assert.Equal("deployed", release.GetProperty("status").GetString());
        }

        // The chart's test hook is a Pod that must run to completion (restartPolicy Never) on a node.
        string test = await HelmOkAsync(work, "test", "demo", "-n", "helm-a", "--timeout", "60s");
        Assert.Contains("demo-test-connection", test, StringComparison.Ordinal);
        Assert.Matches(@"Phase:\s+Succeeded", test);

        using (JsonDocument values = JsonDocument.Parse(await HelmOkAsync(work, "get", "values", "demo", "-n", "helm-a", "--all", "-o", "json")))
        {
            Assert.Equal(1, values.RootElement.GetProperty("replicaCount").GetInt32());
        }

        await HelmOkAsync(work, "uninstall", "demo", "-n", "helm-a", "--wait", "--timeout", "60s");
        Assert.Equal("", await cluster.OkAsync("get", "deploy,svc,sa,secret", "-n", "helm-a", "-l", "app.kubernetes.io/instance=demo", "-o", "name"));
        Assert.Equal("", await cluster.OkAsync("get", "secret", "-n", "helm-a", "-l", "owner=helm", "-o", "name"));
        Assert.Equal("[]", (await HelmOkAsync(work, "list", "-n", "helm-a", "-o", "json")).Trim());
    }

    [HelmFact]
    public async Task A_pre_install_hook_job_runs_to_completion_before_the_release_and_is_deleted_after()
    {
        string chart = Path.Combine(ChartsDir(), "hooked");
        Directory.CreateDirectory(Path.Combine(chart, "templates"));
        await File.WriteAllTextAsync(Path.Combine(chart, "Chart.yaml"), "apiVersion: v2\nname: hooked\nversion: 0.1.0\n");
        await File.WriteAllTextAsync(Path.Combine(chart, "values.yaml"), "message: hello\n");
        await File.WriteAllTextAsync(Path.Combine(chart, "templates", "config.yaml"), """
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: {{ .Release.Name }}-config
            data:
              message: {{ .Values.message | quote }}
            """);
        await File.WriteAllTextAsync(Path.Combine(chart, "templates", "migrate.yaml"), """
            apiVersion: batch/v1
            kind: Job
            metadata:
              name: {{ .Release.Name }}-migrate
              annotations:
                "helm.sh/hook": pre-install,pre-upgrade
                "helm.sh/hook-delete-policy": before-hook-creation,hook-succeeded
            spec:
              backoffLimit: 0
              template:
                spec:
                  restartPolicy: Never
                  containers:
                  - name: migrate
                    image: busybox
                    command: ["true"]
            """);

        string work = Path.GetDirectoryName(chart)!;
        await HelmOkAsync(work, "install", "hooked", "./hooked", "-n", "helm-b", "--create-namespace", "--wait", "--wait-for-jobs", "--timeout", "60s");
        Assert.Equal("hello", await cluster.OkAsync("get", "configmap", "hooked-config", "-n", "helm-b", "-o", "jsonpath={.data.message}"));
        // hook-succeeded: helm deletes the Job once it has completed.
        await cluster.EventuallyAsync(s => s.Length == 0, Settle, "get", "jobs", "-n", "helm-b", "-o", "name");

        await HelmOkAsync(work, "upgrade", "hooked", "./hooked", "-n", "helm-b", "--set", "message=again", "--wait", "--timeout", "60s");
        Assert.Equal("again", await cluster.OkAsync("get", "configmap", "hooked-config", "-n", "helm-b", "-o", "jsonpath={.data.message}"));
        string status = await HelmOkAsync(work, "status", "hooked", "-n", "helm-b", "--show-resources");
        Assert.Contains("STATUS: deployed", status, StringComparison.Ordinal);
        Assert.Contains("REVISION: 2", status, StringComparison.Ordinal);
    }

    private string ChartsDir()
    {
        string dir = Path.Combine(cluster.DataDir, "charts-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        return dir;
    }

    private async Task<string> HelmOkAsync(string workDir, params string[] args)
    {
        (int exit, string stdout, string stderr) = await Helm.RunAsync(cluster.Kubeconfig, cluster.CacheDir, workDir, args);
        Assert.True(exit == 0, $"helm {string.Join(' ', args)} failed ({exit}): {stderr}{stdout}");
        return stdout;
    }

    private static List<string?> Statuses(string historyJson)
    {
        using JsonDocument history = JsonDocument.Parse(historyJson);
        return history.RootElement.EnumerateArray().Select(r => r.GetProperty("status").GetString()).ToList();
    }
}
