using static Korvet.ApiServer.Tests.Kubectl.KubectlAssert;

namespace Korvet.ApiServer.Tests.Kubectl;

/// <summary>kubectl 1.32's <c>create</c> generators, which send protobuf bodies (<c>k8s\0</c> + runtime.Unknown).</summary>
public sealed class KubectlCreateTests : IClassFixture<ApiOnlyCluster>
{
    private readonly TestCluster _server;

    public KubectlCreateTests(ApiOnlyCluster server) => _server = server;

    [KubectlFact]
    public async Task GeneratorsCreateObjectsFromProtobufBodies()
    {
        Succeeded(await _server.RunAsync("create", "namespace", "gen"));
        var steps = new (string[] Args, string Expected)[]
        {
            (["create", "configmap", "cm", "--from-literal=a=1", "--from-literal=b=2"], "configmap/cm created"),
            (["create", "secret", "generic", "sec", "--from-literal=password=s3cret"], "secret/sec created"),
            (["create", "deployment", "web", "--image=nginx:1.27", "--replicas=2"], "deployment.apps/web created"),
            (["create", "service", "clusterip", "svc", "--tcp=80:8080"], "service/svc created"),
            (["create", "job", "once", "--image=busybox", "--", "echo", "hi"], "job.batch/once created"),
            (["create", "serviceaccount", "robot"], "serviceaccount/robot created"),
            (["create", "role", "reader", "--verb=get,list", "--resource=pods"], "role.rbac.authorization.k8s.io/reader created"),
            (["create", "rolebinding", "reader-robot", "--role=reader", "--serviceaccount=gen:robot"], "rolebinding.rbac.authorization.k8s.io/reader-robot created"),
        };
        foreach ((string[] args, string expected) in steps)
        {
            var result = await _server.RunAsync(["-n", "gen", .. args]);
            Succeeded(result);
            Assert.Equal(expected, result.Out.Trim());
        }

        var data = await _server.RunAsync("get", "cm", "cm", "-n", "gen", "-o", "jsonpath={.data.a},{.data.b}");
        Succeeded(data);
        Assert.Equal("1,2", data.Out);

        var secret = await _server.RunAsync("get", "secret", "sec", "-n", "gen", "-o", "jsonpath={.type} {.data.password}");
        Succeeded(secret);
        Assert.Equal("Opaque czNjcmV0", secret.Out);

        var deployment = await _server.RunAsync("get", "deploy", "web", "-n", "gen", "-o", "wide");
        Succeeded(deployment);
        Assert.Matches(@"web\s+0/2\s+0\s+0\s+\d+s\s+nginx\s+nginx:1.27\s+app=web", deployment.Out);

        var job = await _server.RunAsync("get", "job", "once", "-n", "gen", "-o", "jsonpath={.spec.template.spec.containers[0].command}");
        Succeeded(job);
        Assert.Equal("[\"echo\",\"hi\"]", job.Out);

        var names = await _server.RunAsync("get", "sa,role,rolebinding", "-n", "gen", "-o", "name");
        Succeeded(names);
        Assert.Contains("serviceaccount/robot", names.Out, StringComparison.Ordinal);
        Assert.Contains("role.rbac.authorization.k8s.io/reader", names.Out, StringComparison.Ordinal);
        Assert.Contains("rolebinding.rbac.authorization.k8s.io/reader-robot", names.Out, StringComparison.Ordinal);
    }
}
