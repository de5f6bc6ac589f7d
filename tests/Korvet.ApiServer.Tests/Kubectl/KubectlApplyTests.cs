using static Korvet.ApiServer.Tests.Kubectl.KubectlAssert;

namespace Korvet.ApiServer.Tests.Kubectl;

/// <summary>Client-side apply (three-way strategic merge), re-apply after edits, and server-side apply with conflicts.</summary>
public sealed class KubectlApplyTests : IClassFixture<ApiOnlyCluster>
{
    private const string Manifest = """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: app-config
          labels:
            app: shop
        data:
          key1: v1
          key2: v2
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: shop
          labels:
            app: shop
        spec:
          replicas: 1
          selector:
            matchLabels:
              app: shop
          template:
            metadata:
              labels:
                app: shop
            spec:
              containers:
              - name: main
                image: nginx:1.25
                env:
                - name: MODE
                  value: "one"
              - name: side
                image: busybox
        """;

    private readonly TestCluster _server;

    public KubectlApplyTests(ApiOnlyCluster server) => _server = server;

    [KubectlFact]
    public async Task ReapplyMergesListItemsByKeyAndDropsRemovedKeys()
    {
        string file = Path.Combine(_server.DataDir, "shop.yaml");
        await File.WriteAllTextAsync(file, Manifest);
        var first = await _server.RunAsync("apply", "-f", file);
        Succeeded(first);
        Assert.Contains("configmap/app-config created", first.Out, StringComparison.Ordinal);
        Assert.Contains("deployment.apps/shop created", first.Out, StringComparison.Ordinal);

        // Another writer adds a container the manifest does not mention; re-applying the edited manifest keeps it.
        Succeeded(await _server.RunAsync("patch", "deploy", "shop", "--type", "strategic",
            "-p", """{"spec":{"template":{"spec":{"containers":[{"name":"extra","image":"alpine"}]}}}}"""));
        await File.WriteAllTextAsync(file, Manifest.Replace("nginx:1.25", "nginx:1.27", StringComparison.Ordinal)
            .Replace("value: \"one\"", "value: \"two\"", StringComparison.Ordinal)
            .Replace("  key2: v2\n", "  key3: v3\n", StringComparison.Ordinal));
        var second = await _server.RunAsync("apply", "-f", file);
        Succeeded(second);
        Assert.Contains("configmap/app-config configured", second.Out, StringComparison.Ordinal);
        Assert.Contains("deployment.apps/shop configured", second.Out, StringComparison.Ordinal);

        var images = await _server.RunAsync("get", "deploy", "shop", "-o",
            "jsonpath={.spec.template.spec.containers[?(@.name==\"main\")].image} {.spec.template.spec.containers[?(@.name==\"extra\")].image} "
            + "{.spec.template.spec.containers[?(@.name==\"main\")].env[0].value} {.metadata.generation}");
        Succeeded(images);
        Assert.Equal("nginx:1.27 alpine two 3", images.Out);

        var data = await _server.RunAsync("get", "cm", "app-config", "-o", "jsonpath={.data}");
        Succeeded(data);
        Assert.Equal("""{"key1":"v1","key3":"v3"}""", data.Out);

        var unchanged = await _server.RunAsync("apply", "-f", file);
        Succeeded(unchanged);
        Assert.Contains("configmap/app-config unchanged", unchanged.Out, StringComparison.Ordinal);
    }

    [KubectlFact]
    public async Task ServerSideApplyCreatesConflictsAndForces()
    {
        const string Applied = """
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: ssa
            data:
              owned: "1"
            """;
        var created = await _server.RunWithInputAsync(Applied, "apply", "--server-side", "-f", "-");
        Succeeded(created);
        Assert.Equal("configmap/ssa serverside-applied", created.Out.Trim());

        Succeeded(await _server.RunAsync("patch", "cm", "ssa", "--type", "merge", "-p", """{"data":{"owned":"2"}}"""));
        string reapplied = Applied.Replace("owned: \"1\"", "owned: \"3\"", StringComparison.Ordinal);
        Failed(await _server.RunWithInputAsync(reapplied, "apply", "--server-side", "-f", "-"),
            "Apply failed with 1 conflict: conflict with \"kubectl-patch\" using v1: .data.owned");

        Succeeded(await _server.RunWithInputAsync(reapplied, "apply", "--server-side", "--force-conflicts", "-f", "-"));
        var value = await _server.RunAsync("get", "cm", "ssa", "-o", "jsonpath={.data.owned} {.metadata.managedFields[*].manager}");
        Succeeded(value);
        Assert.Equal("3 kubectl", value.Out);

        // Dropping a field from the applied configuration removes it when no one else owns it.
        Succeeded(await _server.RunWithInputAsync(reapplied.Replace("  owned: \"3\"\n", "  other: \"x\"\n", StringComparison.Ordinal)
            .Replace("owned: \"3\"", "other: \"x\"", StringComparison.Ordinal), "apply", "--server-side", "-f", "-"));
        var after = await _server.RunAsync("get", "cm", "ssa", "-o", "jsonpath={.data}");
        Succeeded(after);
        Assert.Equal("""{"other":"x"}""", after.Out);
    }
}
