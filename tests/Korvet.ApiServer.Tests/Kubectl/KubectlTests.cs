using System.Diagnostics;

namespace Korvet.ApiServer.Tests.Kubectl;

/// <summary>
/// The real kubectl 1.32 against an in-process korvet server. Manifests are created with <c>--validate=false</c>
/// because the server does not serve OpenAPI yet (kubectl's client-side validation needs /openapi/v3).
/// </summary>
public sealed class KubectlTests : IClassFixture<ApiOnlyCluster>
{
    private const string ConfigMapJson = """
        {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"NAME","labels":{"app":"demo"}},"data":{"greeting":"hello"}}
        """;

    private readonly TestCluster _server;

    public KubectlTests(ApiOnlyCluster server) => _server = server;

    private static void Succeeded((int Exit, string Out, string Err) result) =>
        Assert.True(result.Exit == 0, $"kubectl failed ({result.Exit}): {result.Err}{result.Out}");

    private async Task CreateConfigMapAsync(string name)
    {
        string file = Path.Combine(_server.DataDir, name + ".json");
        await File.WriteAllTextAsync(file, ConfigMapJson.Replace("NAME", name, StringComparison.Ordinal));
        var created = await _server.RunAsync("create", "-f", file, "--validate=false");
        Succeeded(created);
        Assert.Equal($"configmap/{name} created", created.Out.Trim());
    }

    [KubectlFact]
    public async Task GetNamespacesShowsBootstrapNamespacesAsTable()
    {
        var result = await _server.RunAsync("get", "ns");
        Succeeded(result);
        string[] lines = result.Out.Trim().Split('\n');
        Assert.Matches(@"^NAME\s+STATUS\s+AGE$", lines[0].TrimEnd());
        foreach (string ns in new[] { "default", "kube-system", "kube-public", "kube-node-lease" })
        {
            Assert.Contains(lines, l => System.Text.RegularExpressions.Regex.IsMatch(l, $@"^{ns}\s+Active\s+\d+s"));
        }
    }

    [KubectlFact]
    public async Task CreateGetYamlAndDeleteConfigMap()
    {
        await CreateConfigMapAsync("cm-yaml");
        var yaml = await _server.RunAsync("get", "cm", "cm-yaml", "-o", "yaml");
        Succeeded(yaml);
        Assert.Contains("greeting: hello", yaml.Out, StringComparison.Ordinal);
        Assert.Contains("name: cm-yaml", yaml.Out, StringComparison.Ordinal);
        Assert.Contains("namespace: default", yaml.Out, StringComparison.Ordinal);
        Assert.Matches("resourceVersion: \"\\d+\"", yaml.Out);
        Assert.Matches("uid: [0-9a-f-]{36}", yaml.Out);

        var table = await _server.RunAsync("get", "cm", "cm-yaml");
        Succeeded(table);
        Assert.Matches(@"NAME\s+DATA\s+AGE\s*\ncm-yaml\s+1\s+\d+s", table.Out);

        var again = await _server.RunAsync("create", "-f", Path.Combine(_server.DataDir, "cm-yaml.json"), "--validate=false");
        Assert.NotEqual(0, again.Exit);
        Assert.Contains("configmaps \"cm-yaml\" already exists", again.Err, StringComparison.Ordinal);

        var deleted = await _server.RunAsync("delete", "cm", "cm-yaml");
        Succeeded(deleted);
        Assert.Equal("configmap \"cm-yaml\" deleted", deleted.Out.Trim());
        var missing = await _server.RunAsync("get", "cm", "cm-yaml");
        Assert.NotEqual(0, missing.Exit);
        Assert.Contains("Error from server (NotFound): configmaps \"cm-yaml\" not found", missing.Err, StringComparison.Ordinal);
    }

    [KubectlFact]
    public async Task LabelAnnotateAndSelectors()
    {
        await CreateConfigMapAsync("cm-label");
        Succeeded(await _server.RunAsync("label", "cm", "cm-label", "tier=web"));
        Succeeded(await _server.RunAsync("annotate", "cm", "cm-label", "note=x"));
        var selected = await _server.RunAsync("get", "cm", "-l", "tier=web", "-o", "name");
        Succeeded(selected);
        Assert.Equal("configmap/cm-label", selected.Out.Trim());
        var byField = await _server.RunAsync("get", "cm", "--field-selector", "metadata.name=cm-label", "-o", "jsonpath={.items[0].metadata.annotations.note}");
        Succeeded(byField);
        Assert.Equal("x", byField.Out.Trim());
        Succeeded(await _server.RunAsync("delete", "cm", "cm-label", "--wait=true"));
    }

    [KubectlFact]
    public async Task MergePatchReplaceAndWaitForDelete()
    {
        await CreateConfigMapAsync("cm-patch");
        var patched = await _server.RunAsync("patch", "cm", "cm-patch", "--type=merge", "-p", """{"data":{"extra":"1"}}""");
        Succeeded(patched);
        Assert.Equal("configmap/cm-patch patched", patched.Out.Trim());

        string file = Path.Combine(_server.DataDir, "cm-patch-replace.json");
        await File.WriteAllTextAsync(file, ConfigMapJson.Replace("NAME", "cm-patch", StringComparison.Ordinal).Replace("hello", "bye", StringComparison.Ordinal));
        var replaced = await _server.RunAsync("replace", "-f", file, "--validate=false");
        Succeeded(replaced);
        var data = await _server.RunAsync("get", "cm", "cm-patch", "-o", "jsonpath={.data}");
        Assert.Equal("""{"greeting":"bye"}""", data.Out.Trim());

        var jsonPatch = await _server.RunAsync("patch", "cm", "cm-patch", "--type=json", "-p", """[{"op":"add","path":"/data/x","value":"1"}]""");
        Succeeded(jsonPatch);
        var jsonPatched = await _server.RunAsync("get", "cm", "cm-patch", "-o", "jsonpath={.data.x}");
        Assert.Equal("1", jsonPatched.Out.Trim());

        using Process wait = Process.Start(Korvet.TestSupport.Kubectl.StartInfo(_server.Kubeconfig, _server.CacheDir, "wait", "--for=delete", "cm/cm-patch", "--timeout=30s"))!;
        await Task.Delay(500);
        Succeeded(await _server.RunAsync("delete", "cm", "cm-patch", "--wait=false"));
        await wait.WaitForExitAsync();
        string waited = await wait.StandardOutput.ReadToEndAsync();
        Assert.True(wait.ExitCode == 0, await wait.StandardError.ReadToEndAsync());
        Assert.Contains("configmap/cm-patch condition met", waited, StringComparison.Ordinal);
    }

    [KubectlFact]
    public async Task WatchReceivesEvents()
    {
        await CreateConfigMapAsync("cm-watch-a");
        using Process watch = Process.Start(Korvet.TestSupport.Kubectl.StartInfo(_server.Kubeconfig, _server.CacheDir, "get", "cm", "-w"))!;
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var lines = new List<string>();
            while (!lines.Any(l => l.StartsWith("cm-watch-a", StringComparison.Ordinal)))
            {
                lines.Add(await watch.StandardOutput.ReadLineAsync(timeout.Token) ?? throw new InvalidOperationException("watch ended"));
            }

            await CreateConfigMapAsync("cm-watch-b");
            while (!lines.Any(l => l.StartsWith("cm-watch-b", StringComparison.Ordinal)))
            {
                lines.Add(await watch.StandardOutput.ReadLineAsync(timeout.Token) ?? throw new InvalidOperationException("watch ended"));
            }

            Assert.Matches(@"^cm-watch-b\s+1\s+\d+s", lines[^1]);
        }
        finally
        {
            watch.Kill();
            await watch.WaitForExitAsync();
        }
    }

    [KubectlFact]
    public async Task ScaleDeploymentThroughScaleSubresource()
    {
        string file = Path.Combine(_server.DataDir, "deploy.json");
        await File.WriteAllTextAsync(file, """
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},
             "spec":{"replicas":1,"selector":{"matchLabels":{"app":"web"}},
                     "template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"c","image":"busybox"}]}}}}
            """);
        Succeeded(await _server.RunAsync("create", "-f", file, "--validate=false"));
        var scaled = await _server.RunAsync("scale", "deployment", "web", "--replicas=3");
        Succeeded(scaled);
        Assert.Equal("deployment.apps/web scaled", scaled.Out.Trim());
        var replicas = await _server.RunAsync("get", "deploy", "web", "-o", "jsonpath={.spec.replicas} {.metadata.generation}");
        Succeeded(replicas);
        Assert.Equal("3 2", replicas.Out.Trim());
        var wide = await _server.RunAsync("get", "deploy", "web", "-o", "wide");
        Succeeded(wide);
        Assert.Matches(@"NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\s+CONTAINERS\s+IMAGES\s+SELECTOR\s*\nweb\s+0/3\s+0\s+0\s+\d+s\s+c\s+busybox\s+app=web", wide.Out);
        Succeeded(await _server.RunAsync("delete", "deploy", "web"));
    }

    [KubectlFact]
    public async Task ApiResourcesAndApiVersions()
    {
        var resources = await _server.RunAsync("api-resources");
        Succeeded(resources);
        Assert.Matches(@"\npods\s+po\s+v1\s+true\s+Pod", resources.Out);
        Assert.Matches(@"\ndeployments\s+deploy\s+apps/v1\s+true\s+Deployment", resources.Out);
        Assert.Matches(@"\nhorizontalpodautoscalers\s+hpa\s+autoscaling/v2\s+true\s+HorizontalPodAutoscaler", resources.Out);

        var versions = await _server.RunAsync("api-versions");
        Succeeded(versions);
        string[] list = versions.Out.Trim().Split('\n');
        Assert.Contains("apps/v1", list);
        Assert.Contains("v1", list);
        Assert.Contains("autoscaling/v1", list);
        Assert.Contains("flowcontrol.apiserver.k8s.io/v1", list);

        var all = await _server.RunAsync("get", "all", "-n", "kube-public");
        Succeeded(all);
        Assert.Contains("No resources found in kube-public namespace.", all.Err, StringComparison.Ordinal);
    }
}
