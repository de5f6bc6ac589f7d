using static Korvet.ApiServer.Tests.Kubectl.KubectlAssert;

namespace Korvet.ApiServer.Tests.Kubectl;

/// <summary>kubectl 1.32's <c>--validate</c> (Strict by default, warn, false = Ignore) against server-side field validation.</summary>
public sealed class KubectlFieldValidationTests : IClassFixture<ApiOnlyCluster>
{
    private readonly TestCluster _server;

    public KubectlFieldValidationTests(ApiOnlyCluster server) => _server = server;

    private static string Deployment(string name) => $"""
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: {name}
        spec:
          replicas: 1
          replicasx: 3
          selector:
            matchLabels:
              app: {name}
          template:
            metadata:
              labels:
                app: {name}
            spec:
              containers:
              - name: web
                image: nginx:1.27
        """;

    [KubectlFact]
    public async Task ValidateStrictWarnAndFalse()
    {
        var strict = await _server.RunWithInputAsync(Deployment("strict"), "create", "-f", "-");
        Failed(strict, "strict decoding error: unknown field \"spec.replicasx\"");
        Failed(await _server.RunAsync("get", "deploy", "strict"), "NotFound");

        var warn = await _server.RunWithInputAsync(Deployment("warned"), "create", "-f", "-", "--validate=warn");
        Succeeded(warn);
        Assert.Contains("deployment.apps/warned created", warn.Out, StringComparison.Ordinal);
        Assert.Contains("Warning: unknown field \"spec.replicasx\"", warn.Err, StringComparison.Ordinal);

        var ignore = await _server.RunWithInputAsync(Deployment("ignored"), "create", "-f", "-", "--validate=false");
        Succeeded(ignore);
        Assert.DoesNotContain("Warning", ignore.Err, StringComparison.Ordinal);

        foreach (string name in new[] { "warned", "ignored" })
        {
            var yaml = await _server.RunAsync("get", "deploy", name, "-o", "yaml");
            Succeeded(yaml);
            Assert.Contains("replicas: 1", yaml.Out, StringComparison.Ordinal);
            Assert.DoesNotContain("replicasx", yaml.Out, StringComparison.Ordinal);
        }
    }
}
