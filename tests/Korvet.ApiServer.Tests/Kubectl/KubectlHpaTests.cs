using Korvet.ApiServer.Registry;
using static Korvet.ApiServer.Tests.Kubectl.KubectlAssert;

namespace Korvet.ApiServer.Tests.Kubectl;

/// <summary>kubectl 1.32's autoscale (which posts autoscaling/v1) and get/apply of HPAs through both versions.</summary>
public sealed class KubectlHpaTests : IClassFixture<ApiOnlyCluster>
{
    private const string MemoryHpa = """
        apiVersion: autoscaling/v2
        kind: HorizontalPodAutoscaler
        metadata:
          name: mem
        spec:
          scaleTargetRef:
            apiVersion: apps/v1
            kind: Deployment
            name: web
          minReplicas: 1
          maxReplicas: 3
          metrics:
          - type: Resource
            resource:
              name: memory
              target:
                type: AverageValue
                averageValue: 100Mi
        """;

    private readonly TestCluster _server;

    public KubectlHpaTests(ApiOnlyCluster server) => _server = server;

    [KubectlFact]
    public async Task AutoscaleThroughV1ReadsBackAsV2()
    {
        Succeeded(await _server.RunAsync("create", "namespace", "hpa"));
        Succeeded(await _server.RunAsync("-n", "hpa", "create", "deployment", "web", "--image=nginx"));
        var autoscale = await _server.RunAsync("-n", "hpa", "autoscale", "deployment", "web", "--cpu-percent=50", "--min=2", "--max=5");
        Succeeded(autoscale);
        Assert.Equal("horizontalpodautoscaler.autoscaling/web autoscaled", autoscale.Out.Trim());

        var yaml = await _server.RunAsync("-n", "hpa", "get", "hpa", "web", "-o", "yaml");
        Succeeded(yaml);
        Assert.Contains("apiVersion: autoscaling/v2\n", yaml.Out, StringComparison.Ordinal);
        Assert.Matches(@"metrics:\n  - resource:\n      name: cpu\n      target:\n        averageUtilization: 50\n        type: Utilization\n    type: Resource\n", yaml.Out);
        Assert.DoesNotContain("targetCPUUtilizationPercentage", yaml.Out, StringComparison.Ordinal);
        Assert.Contains("  minReplicas: 2\n", yaml.Out, StringComparison.Ordinal);

        var table = await _server.RunAsync("-n", "hpa", "get", "hpa");
        Succeeded(table);
        Assert.Matches(@"^NAME\s+REFERENCE\s+TARGETS\s+MINPODS\s+MAXPODS\s+REPLICAS\s+AGE\nweb\s+Deployment/web\s+cpu: <unknown>/50%\s+2\s+5\s+0\s+\d+s\n$", table.Out);

        // The full resource name: kubectl's shortcut expander drops the version of a short name (hpa.v1.autoscaling reads
        // the preferred v2 against kube-apiserver too).
        var v1 = await _server.RunAsync("-n", "hpa", "get", "horizontalpodautoscalers.v1.autoscaling", "web", "-o", "jsonpath={.apiVersion} {.spec.targetCPUUtilizationPercentage}");
        Succeeded(v1);
        Assert.Equal("autoscaling/v1 50", v1.Out);

        var describe = await _server.RunAsync("-n", "hpa", "describe", "hpa", "web");
        Succeeded(describe);
        Assert.Matches(@"Reference:\s+Deployment/web\n", describe.Out);
        Assert.Matches(@"resource cpu on pods\s+\(as a percentage of request\):\s+<unknown> / 50%\n", describe.Out);
        Assert.Matches(@"Min replicas:\s+2\nMax replicas:\s+5\n", describe.Out);

        // A v1 patch of the target shows in v2.
        Succeeded(await _server.RunAsync("-n", "hpa", "patch", "horizontalpodautoscalers.v1.autoscaling", "web", "-p", """{"spec":{"targetCPUUtilizationPercentage":65}}"""));
        var patched = await _server.RunAsync("-n", "hpa", "get", "hpa", "web", "-o", "jsonpath={.spec.metrics[0].resource.target.averageUtilization}");
        Succeeded(patched);
        Assert.Equal("65", patched.Out);
    }

    [KubectlFact]
    public async Task AppliedV2MetricsShowInV1Annotation()
    {
        Succeeded(await _server.RunAsync("create", "namespace", "hpa-apply"));
        string file = Path.Combine(_server.DataDir, "mem-hpa.yaml");
        await File.WriteAllTextAsync(file, MemoryHpa);
        var apply = await _server.RunAsync("-n", "hpa-apply", "apply", "-f", file);
        Succeeded(apply);
        Assert.Equal("horizontalpodautoscaler.autoscaling/mem created", apply.Out.Trim());

        var v1 = await _server.RunAsync("-n", "hpa-apply", "get", "horizontalpodautoscalers.v1.autoscaling", "mem", "-o",
            "jsonpath={.metadata.annotations.autoscaling\\.alpha\\.kubernetes\\.io/metrics}|{.spec.targetCPUUtilizationPercentage}");
        Succeeded(v1);
        Assert.Equal("""[{"type":"Resource","resource":{"name":"memory","targetAverageValue":"100Mi"}}]|""", v1.Out);

        var table = await _server.RunAsync("-n", "hpa-apply", "get", "hpa", "mem", "--no-headers");
        Succeeded(table);
        Assert.Matches(@"^mem\s+Deployment/web\s+memory: <unknown>/100Mi\s+1\s+3\s+0\s+\d+s\n$", table.Out);

        // Re-applying the unchanged manifest changes nothing; the last-applied annotation is v2's, not v1's.
        var again = await _server.RunAsync("-n", "hpa-apply", "apply", "-f", file);
        Succeeded(again);
        Assert.Equal("horizontalpodautoscaler.autoscaling/mem unchanged", again.Out.Trim());
        var v2 = await _server.RunAsync("-n", "hpa-apply", "get", "hpa", "mem", "-o", "jsonpath={.metadata.annotations}");
        Succeeded(v2);
        Assert.DoesNotContain(HpaConversion.MetricSpecsAnnotation, v2.Out, StringComparison.Ordinal);
    }

    [KubectlFact]
    public async Task ClientSideApplyOfAV1ManifestPatchesTheV1Form()
    {
        Succeeded(await _server.RunAsync("create", "namespace", "hpa-v1"));
        const string manifest = """
            apiVersion: autoscaling/v1
            kind: HorizontalPodAutoscaler
            metadata:
              name: legacy
            spec:
              scaleTargetRef:
                apiVersion: apps/v1
                kind: Deployment
                name: web
              maxReplicas: 4
              targetCPUUtilizationPercentage: 40
            """;
        string file = Path.Combine(_server.DataDir, "legacy-hpa.yaml");
        await File.WriteAllTextAsync(file, manifest);
        Succeeded(await _server.RunAsync("-n", "hpa-v1", "apply", "-f", file));
        await File.WriteAllTextAsync(file, manifest.Replace("targetCPUUtilizationPercentage: 40", "targetCPUUtilizationPercentage: 60", StringComparison.Ordinal));
        var again = await _server.RunAsync("-n", "hpa-v1", "apply", "-f", file);
        Succeeded(again);
        Assert.Equal("horizontalpodautoscaler.autoscaling/legacy configured", again.Out.Trim());

        var v2 = await _server.RunAsync("-n", "hpa-v1", "get", "hpa", "legacy", "-o",
            "jsonpath={.apiVersion} {.spec.metrics[0].resource.name} {.spec.metrics[0].resource.target.averageUtilization} {.spec.minReplicas}");
        Succeeded(v2);
        Assert.Equal("autoscaling/v2 cpu 60 1", v2.Out);
    }
}
