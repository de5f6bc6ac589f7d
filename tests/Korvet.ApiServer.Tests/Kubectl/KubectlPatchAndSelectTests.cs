using static Korvet.ApiServer.Tests.Kubectl.KubectlAssert;

namespace Korvet.ApiServer.Tests.Kubectl;

/// <summary>patch (json, merge, strategic), replace, label/annotate, set-based label and per-kind field selectors, delete -l.</summary>
public sealed class KubectlPatchAndSelectTests : IClassFixture<ApiOnlyCluster>
{
    private readonly TestCluster _server;

    public KubectlPatchAndSelectTests(ApiOnlyCluster server) => _server = server;

    [KubectlFact]
    public async Task PatchTypesAndReplace()
    {
        Succeeded(await _server.RunAsync("create", "configmap", "p1", "--from-literal=a=1", "--from-literal=b=2"));
        Succeeded(await _server.RunAsync("patch", "cm", "p1", "--type", "json", "-p", """[{"op":"remove","path":"/data/a"},{"op":"add","path":"/data/c","value":"3"}]"""));
        Succeeded(await _server.RunAsync("patch", "cm", "p1", "--type", "merge", "-p", """{"data":{"b":null,"d":"4"}}"""));
        var data = await _server.RunAsync("get", "cm", "p1", "-o", "jsonpath={.data}");
        Succeeded(data);
        Assert.Equal("""{"c":"3","d":"4"}""", data.Out);

        Failed(await _server.RunAsync("patch", "cm", "p1", "--type", "json", "-p", """[{"op":"test","path":"/data/c","value":"9"}]"""),
            "testing value /data/c failed");

        Succeeded(await _server.RunAsync("create", "deployment", "pd", "--image=nginx"));
        Succeeded(await _server.RunAsync("patch", "deploy", "pd", "-p",
            """{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","image":"busybox"}]}}}}"""));
        var containers = await _server.RunAsync("get", "deploy", "pd", "-o", "jsonpath={.spec.template.spec.containers[*].name}");
        Succeeded(containers);
        Assert.Equal("sidecar nginx", containers.Out);

        var yaml = await _server.RunAsync("get", "cm", "p1", "-o", "yaml");
        Succeeded(yaml);
        string file = Path.Combine(_server.DataDir, "p1.yaml");
        await File.WriteAllTextAsync(file, yaml.Out.Replace("d: \"4\"", "d: \"5\"", StringComparison.Ordinal));
        Succeeded(await _server.RunAsync("replace", "-f", file));
        Failed(await _server.RunAsync("replace", "-f", file), "the object has been modified");

        Succeeded(await _server.RunAsync("scale", "deploy", "pd", "--replicas=3"));
        Succeeded(await _server.RunAsync("wait", "--for=jsonpath={.spec.replicas}=3", "deploy/pd", "--timeout=10s"));
    }

    [KubectlFact]
    public async Task LabelsAnnotationsAndSelectors()
    {
        foreach ((string name, string tier) in new[] { ("s1", "front"), ("s2", "back"), ("s3", "cache") })
        {
            Succeeded(await _server.RunAsync("create", "configmap", name, "--from-literal=x=y"));
            Succeeded(await _server.RunAsync("label", "cm", name, "tier=" + tier, "group=sel"));
        }

        Succeeded(await _server.RunAsync("annotate", "cm", "s1", "note=hello"));
        var annotation = await _server.RunAsync("get", "cm", "s1", "-o", "jsonpath={.metadata.annotations.note}");
        Assert.Equal("hello", annotation.Out);

        var setBased = await _server.RunAsync("get", "cm", "-l", "group=sel,tier in (front,cache)", "-o", "name", "--sort-by=.metadata.name");
        Succeeded(setBased);
        Assert.Equal("configmap/s1\nconfigmap/s3", setBased.Out.Trim());

        var notIn = await _server.RunAsync("get", "cm", "-l", "group,tier notin (front)", "-o", "name");
        Succeeded(notIn);
        Assert.Equal("configmap/s2\nconfigmap/s3", notIn.Out.Trim());

        var shown = await _server.RunAsync("get", "cm", "s2", "--show-labels");
        Succeeded(shown);
        Assert.Contains("group=sel,tier=back", shown.Out, StringComparison.Ordinal);

        var byField = await _server.RunAsync("get", "cm", "--field-selector", "metadata.name!=s1", "-l", "group=sel", "-o", "name");
        Succeeded(byField);
        Assert.Equal("configmap/s2\nconfigmap/s3", byField.Out.Trim());

        var allNs = await _server.RunAsync("get", "ns", "--field-selector", "status.phase=Active", "-o", "name");
        Succeeded(allNs);
        Assert.Contains("namespace/kube-system", allNs.Out, StringComparison.Ordinal);

        Failed(await _server.RunAsync("get", "cm", "--field-selector", "spec.nodeName=x"),
            "\"spec.nodeName\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\"");
        var pods = await _server.RunAsync("get", "pods", "-A", "--field-selector", "spec.nodeName=node-1,status.phase=Running");
        Succeeded(pods);

        var deleted = await _server.RunAsync("delete", "cm", "-l", "tier in (back,cache)", "--wait");
        Succeeded(deleted);
        Assert.Contains("configmap \"s2\" deleted", deleted.Out, StringComparison.Ordinal);
        Assert.Contains("configmap \"s3\" deleted", deleted.Out, StringComparison.Ordinal);
    }
}
