using Korvet.ApiServer.Registry;
using Korvet.ApiServer.Routing;

namespace Korvet.ApiServer.Tests.Unit;

public sealed class RoutingAndRegistryTests
{
    [Theory]
    [InlineData("GET", "/api/v1/namespaces/ns/pods/web/status", null, "get", "", "v1", "ns", "pods", "web", "status")]
    [InlineData("GET", "/api/v1/pods", null, "list", "", "v1", "", "pods", "", "")]
    [InlineData("GET", "/api/v1/namespaces/ns/pods", "true", "watch", "", "v1", "ns", "pods", "", "")]
    [InlineData("GET", "/api/v1/watch/namespaces/ns/pods/web", null, "watch", "", "v1", "ns", "pods", "web", "")]
    [InlineData("GET", "/api/v1/namespaces/kube-system", null, "get", "", "v1", "kube-system", "namespaces", "kube-system", "")]
    [InlineData("PUT", "/api/v1/namespaces/x/finalize", null, "update", "", "v1", "x", "namespaces", "x", "finalize")]
    [InlineData("POST", "/apis/apps/v1/namespaces/ns/deployments", null, "create", "apps", "v1", "ns", "deployments", "", "")]
    [InlineData("PATCH", "/apis/apps/v1/namespaces/ns/deployments/d/scale", null, "patch", "apps", "v1", "ns", "deployments", "d", "scale")]
    [InlineData("DELETE", "/apis/rbac.authorization.k8s.io/v1/clusterroles", null, "deletecollection", "rbac.authorization.k8s.io", "v1", "", "clusterroles", "", "")]
    [InlineData("DELETE", "/api/v1/nodes/n1", null, "delete", "", "v1", "", "nodes", "n1", "")]
    public void ParsesResourcePaths(string method, string path, string? watch, string verb, string group, string version, string ns,
        string resource, string name, string subresource)
    {
        RequestInfo info = RequestInfoParser.Parse(method, path, watch);
        Assert.True(info.IsResourceRequest);
        Assert.Equal((verb, group, version, ns, resource, name, subresource),
            (info.Verb, info.Group, info.Version, info.Namespace, info.Resource, info.Name, info.Subresource));
    }

    [Theory]
    [InlineData("/version")]
    [InlineData("/api")]
    [InlineData("/api/v1")]
    [InlineData("/apis/apps")]
    [InlineData("/apis/apps/v1")]
    [InlineData("/openapi/v3")]
    public void NonResourcePathsAreNotResourceRequests(string path) =>
        Assert.False(RequestInfoParser.Parse("GET", path, null).IsResourceRequest);

    [Fact]
    public void RegistryMatchesUpstreamCategoriesAndSubresources()
    {
        ResourceRegistry registry = ResourceRegistry.CreateBuiltin();
        var all = registry.All.Where(r => r.Categories.Contains("all")).Select(r => r.Plural).ToHashSet();
        Assert.Equal(
            new HashSet<string> { "pods", "services", "replicationcontrollers", "deployments", "replicasets", "statefulsets", "daemonsets", "jobs", "cronjobs", "horizontalpodautoscalers" },
            all);

        ResourceDefinition deployments = registry.Find("apps", "v1", "deployments")!;
        SubresourceDefinition scale = deployments.FindSubresource("scale")!;
        Assert.Equal(("autoscaling", "v1", "Scale"), (scale.Group, scale.Version, scale.Kind));
        Assert.Equal(["deploy"], deployments.ShortNames);

        ResourceDefinition pods = registry.Find("", "v1", "pods")!;
        Assert.Equal("Eviction", pods.FindSubresource("eviction")!.Kind);
        Assert.Equal("policy", pods.FindSubresource("eviction")!.Group);
        Assert.Equal(["attach", "binding", "ephemeralcontainers", "eviction", "exec", "log", "portforward", "proxy", "status"],
            pods.Subresources.Select(s => s.Name));
        Assert.Equal("TokenRequest", registry.Find("", "v1", "serviceaccounts")!.FindSubresource("token")!.Kind);
        Assert.DoesNotContain("deletecollection", registry.Find("", "v1", "namespaces")!.Verbs);
        Assert.Equal("v2", registry.FindGroup("autoscaling")!.PreferredVersion);
        Assert.Equal(["crd", "crds"], registry.Find("apiextensions.k8s.io", "v1", "customresourcedefinitions")!.ShortNames);
        Assert.Equal("deployments.apps", deployments.QualifiedName);
        Assert.Equal("/registry/apps/deployments/", deployments.KeyPrefix);
        Assert.Equal("/registry/core/pods/", pods.KeyPrefix);
    }

    [Fact]
    public void EveryRequestedGroupVersionIsServed()
    {
        ResourceRegistry registry = ResourceRegistry.CreateBuiltin();
        string[] expected =
        [
            "v1", "apps/v1", "batch/v1", "autoscaling/v1", "autoscaling/v2", "coordination.k8s.io/v1", "discovery.k8s.io/v1",
            "events.k8s.io/v1", "networking.k8s.io/v1", "policy/v1", "rbac.authorization.k8s.io/v1", "scheduling.k8s.io/v1",
            "storage.k8s.io/v1", "authentication.k8s.io/v1", "authorization.k8s.io/v1", "apiextensions.k8s.io/v1",
            "admissionregistration.k8s.io/v1", "certificates.k8s.io/v1", "node.k8s.io/v1", "flowcontrol.apiserver.k8s.io/v1",
        ];
        var served = registry.All.Select(r => r.ApiVersion).ToHashSet();
        Assert.All(expected, gv => Assert.Contains(gv, served));
    }
}
