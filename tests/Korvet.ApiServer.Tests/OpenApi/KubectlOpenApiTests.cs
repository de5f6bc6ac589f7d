using Xunit.Abstractions;

namespace Korvet.ApiServer.Tests.OpenApi;

/// <summary>The real kubectl 1.32 against an in-process server: what it can do only because of the OpenAPI documents.</summary>
public sealed class KubectlOpenApiTests(ITestOutputHelper output)
{
    private const string Deployment = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          replicas: 1
          selector:
            matchLabels: {app: web}
          template:
            metadata:
              labels: {app: web}
            spec:
              containers:
              - name: a
                image: busybox:1
        """;

    private async Task<(KubectlHarness?, string)> StartAsync()
    {
        string? kubectl = KubectlHarness.FindKubectl();
        if (kubectl is null)
        {
            output.WriteLine("SKIPPED: bundled kubectl.1.32 not found next to kubectl on PATH");
            return (null, "");
        }

        return (await KubectlHarness.StartAsync(), kubectl);
    }

    [Fact]
    public async Task CreateFromFileValidatesWithoutValidateFalse()
    {
        (KubectlHarness? h, string kubectl) = await StartAsync();
        if (h is null)
        {
            return;
        }

        await using (h)
        {
            KubectlResult result = await h.RunAsync(kubectl, "create", "-f", h.WriteFile("d.yaml", Deployment));
            output.WriteLine(result.ToString());
            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.Contains("deployment.apps/web created", result.Stdout);
            // kubectl found fieldValidation on the PATCH operation for apps/v1 Deployment and moved validation server-side.
            Assert.Contains(("Deployment", "Strict"), h.Decoder.Seen);
        }
    }

    [Fact]
    public async Task UnknownFieldsAreLeftToTheServerUnderStrict()
    {
        (KubectlHarness? h, string kubectl) = await StartAsync();
        if (h is null)
        {
            return;
        }

        await using (h)
        {
            string bad = Deployment.Replace("  replicas: 1", "  replicas: 1\n  replicasx: 2", StringComparison.Ordinal);
            KubectlResult result = await h.RunAsync(kubectl, "create", "-f", h.WriteFile("bad.yaml", bad));
            output.WriteLine(result.ToString());
            // No client-side schema error: the body reached the server with fieldValidation=Strict, where the decoder
            // owns the upstream "strict decoding error: unknown field" answer.
            Assert.DoesNotContain("error validating", result.Stderr);
            Assert.Contains(("Deployment", "Strict"), h.Decoder.Seen);
        }
    }

    [Fact]
    public async Task ListManifestsAreValidatedClientSideAgainstTheV2Schema()
    {
        (KubectlHarness? h, string kubectl) = await StartAsync();
        if (h is null)
        {
            return;
        }

        await using (h)
        {
            // kind: List has no PATCH operation, so kubectl validates each item itself with /openapi/v2 (protobuf).
            const string list = """
                apiVersion: v1
                kind: List
                items:
                - apiVersion: v1
                  kind: ConfigMap
                  metadata: {name: c1}
                  datax: {a: b}
                """;
            KubectlResult bad = await h.RunAsync(kubectl, "create", "-f", h.WriteFile("list.yaml", list));
            output.WriteLine(bad.ToString());
            Assert.NotEqual(0, bad.ExitCode);
            Assert.Contains("error validating data: ValidationError(ConfigMap): unknown field \"datax\" in io.k8s.api.core.v1.ConfigMap", bad.Stderr);

            KubectlResult good = await h.RunAsync(kubectl, "create", "-f", h.WriteFile("list.yaml", list.Replace("datax", "data", StringComparison.Ordinal)));
            Assert.True(good.ExitCode == 0, good.ToString());
            Assert.Contains("configmap/c1 created", good.Stdout);
        }
    }

    [Fact]
    public async Task ExplainReadsFieldsFromOpenApiV3()
    {
        (KubectlHarness? h, string kubectl) = await StartAsync();
        if (h is null)
        {
            return;
        }

        await using (h)
        {
            KubectlResult result = await h.RunAsync(kubectl, "explain", "pods.spec.containers");
            output.WriteLine(result.ToString());
            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.Contains("KIND:       Pod", result.Stdout);
            Assert.Contains("FIELD: containers <[]Container>", result.Stdout);
            Assert.Matches(@"\n\s+name\s+<string> -required-", result.Stdout);
            Assert.Matches(@"\n\s+resources\s+<ResourceRequirements>", result.Stdout);
            Assert.Matches(@"\n\s+imagePullPolicy\s+<string>\s+enum: Always, Never, IfNotPresent", result.Stdout);

            KubectlResult limits = await h.RunAsync(kubectl, "explain", "pods.spec.containers.resources");
            Assert.Matches(@"\n\s+limits\s+<map\[string\]Quantity>", limits.Stdout);

            KubectlResult recursive = await h.RunAsync(kubectl, "explain", "deployments.spec.strategy", "--recursive");
            output.WriteLine(recursive.ToString());
            Assert.True(recursive.ExitCode == 0, recursive.ToString());
            Assert.Contains("GROUP:      apps", recursive.Stdout);
            Assert.Matches(@"maxSurge\s+<IntOrString>", recursive.Stdout);
        }
    }

    [Fact]
    public async Task SwaggerV2IsServedAsProtobufToKubectl()
    {
        (KubectlHarness? h, string kubectl) = await StartAsync();
        if (h is null)
        {
            return;
        }

        await using (h)
        {
            KubectlResult explain = await h.RunAsync(kubectl, "explain", "pods.spec.containers.ports", "--output", "plaintext-openapiv2");
            output.WriteLine(explain.ToString());
            Assert.True(explain.ExitCode == 0, explain.ToString());
            Assert.Contains("RESOURCE: ports <[]Object>", explain.Stdout);
            Assert.Matches(@"\n\s+containerPort\s+<integer> -required-", explain.Stdout);

            // kubectl 1.27 reads /openapi/v2 (protobuf only) before apply and for explain.
            string old = Path.Combine(Path.GetDirectoryName(kubectl)!, "kubectl.1.27");
            if (!File.Exists(old))
            {
                output.WriteLine("kubectl.1.27 not bundled; old-client part skipped");
                return;
            }

            KubectlResult apply = await h.RunAsync(old, "apply", "-f", h.WriteFile("d.yaml", Deployment));
            output.WriteLine(apply.ToString());
            Assert.True(apply.ExitCode == 0, apply.ToString());
            Assert.Contains("deployment.apps/web created", apply.Stdout);
            KubectlResult oldExplain = await h.RunAsync(old, "explain", "deployments.spec.replicas");
            Assert.True(oldExplain.ExitCode == 0, oldExplain.ToString());
            Assert.Contains("FIELD: replicas <integer>", oldExplain.Stdout);
        }
    }

    [Fact]
    public async Task ApplyBuildsAStrategicMergePatchKeyedByContainerName()
    {
        (KubectlHarness? h, string kubectl) = await StartAsync();
        if (h is null)
        {
            return;
        }

        await using (h)
        {
            string file = h.WriteFile("d.yaml", Deployment);
            KubectlResult first = await h.RunAsync(kubectl, "apply", "-f", file);
            output.WriteLine(first.ToString());
            Assert.True(first.ExitCode == 0, first.ToString());

            h.WriteFile("d.yaml", Deployment.Replace("busybox:1", "busybox:2", StringComparison.Ordinal) + "\n      - name: b\n        image: nginx\n");
            KubectlResult second = await h.RunAsync(kubectl, "apply", "-f", file, "-v=6");
            output.WriteLine(second.ToString());
            Assert.DoesNotContain("error calculating patch from openapi", second.Stderr);
            // The patch metadata came from the v3 document: kubectl never fell back to v2 or its compiled-in types' path.
            Assert.Contains("/openapi/v3/apis/apps/v1?hash=", second.Stderr);
            Assert.DoesNotContain("/openapi/v2", second.Stderr);
            (string type, string body) = Assert.Single(h.Patcher.Seen);
            output.WriteLine(type + " " + body);
            Assert.Equal("application/strategic-merge-patch+json", type);
            Assert.Contains("\"$setElementOrder/containers\":[{\"name\":\"a\"},{\"name\":\"b\"}]", body);
            Assert.Contains("{\"image\":\"busybox:2\",\"name\":\"a\"}", body);
            Assert.Contains("{\"image\":\"nginx\",\"name\":\"b\"}", body);
        }
    }
}
