using Korvet.Api.Core.V1;
using Korvet.Api.Meta.V1;
using Korvet.Controllers.Namespace;
using Korvet.Controllers.Tests.Lifecycle;
using CoreNamespace = Korvet.Api.Core.V1.Namespace;
using CoreServiceAccount = Korvet.Api.Core.V1.ServiceAccount;

namespace Korvet.Controllers.Tests.Namespace;

[Collection(LifecycleCollection.Name)]
public sealed class NamespaceLifecycleTests(LifecycleCluster cluster)
{
    [KubectlFact]
    public async Task KubectlDeleteNamespaceRemovesEverythingAndReturns()
    {
        var (exit, _, err) = await cluster.RunAsync("create", "namespace", "doomed");
        Assert.True(exit == 0, err);
        await cluster.Client.Resource<ConfigMap>().CreateAsync(new ConfigMap
        {
            Metadata = new ObjectMeta { Name = "cfg", Namespace = "doomed" }, Data = new() { ["k"] = "v" },
        });
        await Objects.CreateChainAsync(cluster.Client, "doomed", "web");
        await cluster.Client.Resource<Service>().CreateAsync(new Service
        {
            Metadata = new ObjectMeta { Name = "svc", Namespace = "doomed" },
            Spec = new ServiceSpec { Selector = new() { ["app"] = "chain" }, Ports = [new ServicePort { Port = 80 }] },
        });

        (exit, string output, err) = await cluster.RunAsync("delete", "namespace", "doomed", "--timeout=60s");
        Assert.True(exit == 0, err);
        Assert.Contains("namespace \"doomed\" deleted", output, StringComparison.Ordinal);
        Assert.Null(await cluster.Client.Resource<CoreNamespace>().TryGetAsync("doomed"));
        foreach (string kind in new[] { "configmaps", "deployments", "replicasets", "pods", "services", "endpoints", "serviceaccounts" })
        {
            (exit, output, err) = await cluster.RunAsync("get", kind, "-n", "doomed", "-o", "name");
            Assert.True(exit == 0, err);
            Assert.Equal("", output.Trim());
        }
    }

    [Fact]
    public async Task TerminatingNamespaceRefusesNewContentUntilGone()
    {
        await Objects.CreateNamespaceAsync(cluster.Client, "held");
        await cluster.Client.Resource<ConfigMap>().CreateAsync(new ConfigMap
        {
            Metadata = new ObjectMeta { Name = "pinned", Namespace = "held", Finalizers = ["example.com/hold"] },
        });
        await cluster.Client.Resource<CoreNamespace>().DeleteAsync("held");

        // The content cannot go while its finalizer stays: the namespace waits in Terminating with the conditions.
        await LifecycleCluster.UntilAsync(async () =>
        {
            CoreNamespace ns = await cluster.Client.Resource<CoreNamespace>().GetAsync("held");
            return ns.Status?.Conditions?.Any(c => c.Type == "NamespaceFinalizersRemaining" && c.Status == "True") == true;
        }, "the NamespaceFinalizersRemaining condition");
        CoreNamespace terminating = await cluster.Client.Resource<CoreNamespace>().GetAsync("held");
        Assert.Equal("Terminating", terminating.Status!.Phase);
        Assert.Contains(NamespaceController.KubernetesFinalizer, terminating.Spec!.Finalizers!);
        NamespaceCondition remaining = terminating.Status.Conditions!.Single(c => c.Type == "NamespaceContentRemaining");
        Assert.Equal(("True", "SomeResourcesRemain"), (remaining.Status, remaining.Reason));
        Assert.Contains("configmaps. has 1 resource instances", remaining.Message, StringComparison.Ordinal);

        var refused = await Assert.ThrowsAsync<Korvet.Client.ApiException>(() => cluster.Client.Resource<ConfigMap>().CreateAsync(
            new ConfigMap { Metadata = new ObjectMeta { Name = "late", Namespace = "held" } }));
        Assert.Equal(403, (int)refused.StatusCode);
        Assert.Contains("unable to create new content in namespace held because it is being terminated", refused.Message, StringComparison.Ordinal);

        await cluster.Client.Resource<ConfigMap>().PatchAsync("pinned", "held", Korvet.Client.PatchType.Merge, """{"metadata":{"finalizers":null}}""");
        await LifecycleCluster.UntilAsync(async () => await cluster.Client.Resource<CoreNamespace>().TryGetAsync("held") is null,
            "the namespace to go once its content is gone");
    }

    [KubectlFact]
    public async Task DefaultServiceAccountAppearsAndComesBack()
    {
        var (exit, _, err) = await cluster.RunAsync("create", "namespace", "sa-test");
        Assert.True(exit == 0, err);
        await LifecycleCluster.UntilAsync(async () => await cluster.Client.Resource<CoreServiceAccount>().TryGetAsync("default", "sa-test") is not null,
            "the default ServiceAccount");
        CoreServiceAccount first = await cluster.Client.Resource<CoreServiceAccount>().GetAsync("default", "sa-test");

        (exit, _, err) = await cluster.RunAsync("delete", "serviceaccount", "default", "-n", "sa-test");
        Assert.True(exit == 0, err);
        await LifecycleCluster.UntilAsync(async () =>
            (await cluster.Client.Resource<CoreServiceAccount>().TryGetAsync("default", "sa-test"))?.Metadata?.Uid is { } uid && uid != first.Metadata!.Uid,
            "the default ServiceAccount to be recreated");
        (exit, string output, err) = await cluster.RunAsync("get", "serviceaccounts", "-n", "kube-system", "-o", "name");
        Assert.True(exit == 0, err);
        Assert.Contains("serviceaccount/default", output, StringComparison.Ordinal);
    }
}
