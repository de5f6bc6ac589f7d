namespace Korvet.ApiServer.Tests.Kubectl;

/// <summary>Version skew: the bundled kubectl 1.30, 1.31 and 1.33 (the server reports 1.32) apply, get and delete a
/// multi-document manifest. A minor that is not installed is reported and passed over.</summary>
public sealed class KubectlSkewTests : IClassFixture<ApiOnlyCluster>
{
    private readonly TestCluster _server;

    public KubectlSkewTests(ApiOnlyCluster server) => _server = server;

    private Task<(int Exit, string Out, string Err)> RunAsync(string binary, params string[] args) =>
        ProcessRunner.RunAsync(Korvet.TestSupport.Kubectl.StartInfoFor(binary, _server.Kubeconfig,
            Path.Combine(_server.CacheDir, Path.GetFileName(binary)), args));

    [KubectlMinorFact("1.30")]
    public Task Kubectl130() => ApplyGetDeleteAsync("1.30");

    [KubectlMinorFact("1.31")]
    public Task Kubectl131() => ApplyGetDeleteAsync("1.31");

    [KubectlMinorFact("1.33")]
    public Task Kubectl133() => ApplyGetDeleteAsync("1.33");

    private async Task ApplyGetDeleteAsync(string minor)
    {
        string binary = Korvet.TestSupport.Kubectl.Locate(minor)!;
        string ns = "skew-" + minor.Replace('.', '-');
        string file = Path.Combine(_server.DataDir, ns + ".yaml");
        await File.WriteAllTextAsync(file, $$"""
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: conf, namespace: {{ns}}}
            data: {minor: "{{minor}}"}
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web, namespace: {{ns}}}
            spec:
              replicas: 2
              selector:
                matchLabels: {app: web}
              template:
                metadata:
                  labels: {app: web}
                spec: {containers: [{name: c, image: nginx}]}
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: web, namespace: {{ns}}}
            spec:
              selector: {app: web}
              ports: [{port: 80}]
            """);

        var created = await RunAsync(binary, "create", "namespace", ns);
        Assert.True(created.Exit == 0, created.Err);

        var applied = await RunAsync(binary, "apply", "-f", file);
        Assert.True(applied.Exit == 0, applied.Err);
        Assert.Contains("service/web created", applied.Out, StringComparison.Ordinal);
        Assert.Contains("deployment.apps/web created", applied.Out, StringComparison.Ordinal);

        var again = await RunAsync(binary, "apply", "-f", file);
        Assert.True(again.Exit == 0, again.Err);
        Assert.Contains("configmap/conf unchanged", again.Out, StringComparison.Ordinal);

        var table = await RunAsync(binary, "get", "deploy,cm", "-n", ns);
        Assert.True(table.Exit == 0, table.Err);
        Assert.Matches(@"deployment\.apps/web\s+0/2", table.Out);
        Assert.Matches(@"configmap/conf\s+1\s", table.Out);

        var value = await RunAsync(binary, "get", "cm", "conf", "-n", ns, "-o", "jsonpath={.data.minor}");
        Assert.Equal(minor, value.Out);

        var deleted = await RunAsync(binary, "delete", "-f", file, "--wait=true", "--timeout=30s");
        Assert.True(deleted.Exit == 0, deleted.Err);
        Assert.Contains("configmap \"conf\" deleted", deleted.Out, StringComparison.Ordinal);
        Assert.Contains("deployment.apps \"web\" deleted", deleted.Out, StringComparison.Ordinal);
        Assert.Contains("service \"web\" deleted", deleted.Out, StringComparison.Ordinal);
        var left = await RunAsync(binary, "get", "all", "-n", ns, "-o", "name");
        Assert.True(left.Exit == 0, left.Err);
        Assert.Equal("", left.Out.Trim());
    }
}

/// <summary>A fact that is skipped, saying so, when the bundled kubectl of that minor is absent.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class KubectlMinorFactAttribute : FactAttribute
{
    public KubectlMinorFactAttribute(string minor)
    {
        if (Korvet.TestSupport.Kubectl.Locate(minor) is null)
        {
            Skip = $"kubectl.{minor} is not bundled beside `kubectl` on PATH; the {minor} skew test is skipped";
        }
    }
}
