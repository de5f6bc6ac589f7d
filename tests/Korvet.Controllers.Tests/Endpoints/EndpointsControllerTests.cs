using Korvet.Api.Core.V1;
using Korvet.Api.Meta.V1;
using Korvet.Controllers.Tests.Lifecycle;
using CoreEndpoints = Korvet.Api.Core.V1.Endpoints;
using Slice = Korvet.Api.Discovery.V1.EndpointSlice;

namespace Korvet.Controllers.Tests.Endpoints;

/// <summary>Endpoints and EndpointSlices follow pods' readiness and IPs, set through the status subresource.</summary>
[Collection(LifecycleCollection.Name)]
public sealed class EndpointsControllerTests(LifecycleCluster cluster)
{
    private const string Ns = "ep";

    private async Task<Pod> CreatePodAsync(string name, int port)
    {
        var pod = new Pod
        {
            Metadata = new ObjectMeta { Name = name, Namespace = Ns, Labels = new() { ["app"] = "web" } },
            Spec = new PodSpec
            {
                Containers = [new Container { Name = "c", Image = "nginx", Ports = [new ContainerPort { Name = "http", ContainerPortValue = port }] }],
            },
        };
        return await cluster.Client.Resource<Pod>().CreateAsync(pod);
    }

    private Task SetStatusAsync(string name, string ip, bool ready) =>
        Objects.UpdatePodStatusAsync(cluster.Client, Ns, name, status =>
        {
            status.Phase = "Running";
            status.PodIP = ip;
            status.PodIPs = [new PodIP { IP = ip }];
            status.Conditions = [.. (status.Conditions ?? []).Where(c => c.Type != "Ready"),
                new PodCondition { Type = "Ready", Status = ready ? "True" : "False" }];
        });

    [KubectlFact]
    public async Task EndpointsAndSlicesFollowPodReadiness()
    {
        await Objects.CreateNamespaceAsync(cluster.Client, Ns);
        await cluster.Client.Resource<Service>().CreateAsync(new Service
        {
            Metadata = new ObjectMeta { Name = "web", Namespace = Ns },
            Spec = new ServiceSpec
            {
                Selector = new() { ["app"] = "web" },
                Ports = [new ServicePort { Name = "http", Port = 80, TargetPort = "http" }],
            },
        });
        await CreatePodAsync("a", 8080);
        await CreatePodAsync("b", 8080);
        await SetStatusAsync("a", "10.42.0.10", ready: true);
        await SetStatusAsync("b", "10.42.0.11", ready: false);

        await LifecycleCluster.UntilAsync(async () =>
        {
            CoreEndpoints? e = await cluster.Client.Resource<CoreEndpoints>().TryGetAsync("web", Ns);
            return e?.Subsets is [{ Addresses: [{ IP: "10.42.0.10" }], NotReadyAddresses: [{ IP: "10.42.0.11" }] }];
        }, "endpoints with a ready and a not-ready address");
        CoreEndpoints endpoints = await cluster.Client.Resource<CoreEndpoints>().GetAsync("web", Ns);
        Assert.Equal(8080, endpoints.Subsets![0].Ports!.Single().Port);
        Assert.Equal(("Pod", "a"), (endpoints.Subsets[0].Addresses![0].TargetRef!.Kind, endpoints.Subsets[0].Addresses![0].TargetRef!.Name));

        var (exit, output, err) = await cluster.RunAsync("get", "endpoints", "web", "-n", Ns);
        Assert.True(exit == 0, err);
        Assert.Contains("10.42.0.10:8080", output, StringComparison.Ordinal);

        string selector = "kubernetes.io/service-name=web";
        await LifecycleCluster.UntilAsync(async () =>
        {
            List<Slice> slices = (await cluster.Client.Resource<Slice>().ListAsync(Ns, new ListOptions { LabelSelector = selector })).Items;
            return slices is [{ Endpoints.Count: 2 }];
        }, "one slice with two endpoints");
        Slice slice = Assert.Single((await cluster.Client.Resource<Slice>().ListAsync(Ns, new ListOptions { LabelSelector = selector })).Items);
        Assert.Equal("IPv4", slice.AddressType);
        Assert.Equal("endpointslice-controller.k8s.io", slice.Metadata!.Labels!["endpointslice.kubernetes.io/managed-by"]);
        Assert.Equal(("Service", "web"), (slice.Metadata.OwnerReferences![0].Kind, slice.Metadata.OwnerReferences[0].Name));
        Assert.Equal(8080, slice.Ports!.Single().Port);
        var byPod = slice.Endpoints!.ToDictionary(e => e.TargetRef!.Name!);
        Assert.Equal((true, true, false), (byPod["a"].Conditions!.Ready, byPod["a"].Conditions!.Serving, byPod["a"].Conditions!.Terminating));
        Assert.Equal(false, byPod["b"].Conditions!.Ready);

        // b becomes ready, a goes away.
        await SetStatusAsync("b", "10.42.0.11", ready: true);
        await cluster.Client.Resource<Pod>().DeleteAsync("a", Ns);
        await LifecycleCluster.UntilAsync(async () =>
        {
            CoreEndpoints? e = await cluster.Client.Resource<CoreEndpoints>().TryGetAsync("web", Ns);
            return e?.Subsets is [{ Addresses: [{ IP: "10.42.0.11" }], NotReadyAddresses: null }];
        }, "endpoints with only b ready");
        await LifecycleCluster.UntilAsync(async () =>
        {
            List<Slice> slices = (await cluster.Client.Resource<Slice>().ListAsync(Ns, new ListOptions { LabelSelector = selector })).Items;
            return slices is [{ Endpoints: [{ Conditions.Ready: true }] }];
        }, "one slice with b ready");

        // The bootstrap kubernetes endpoints (no selector) are left as the server wrote them.
        CoreEndpoints kubernetes = await cluster.Client.Resource<CoreEndpoints>().GetAsync("kubernetes", "default");
        Assert.Null(kubernetes.Subsets![0].Addresses![0].TargetRef);

        // Deleting the service removes its Endpoints, and its slices through their owner reference.
        (exit, _, err) = await cluster.RunAsync("delete", "service", "web", "-n", Ns);
        Assert.True(exit == 0, err);
        await LifecycleCluster.UntilAsync(async () => await cluster.Client.Resource<CoreEndpoints>().TryGetAsync("web", Ns) is null, "endpoints removal");
        await LifecycleCluster.UntilAsync(async () =>
            (await cluster.Client.Resource<Slice>().ListAsync(Ns, new ListOptions { LabelSelector = selector })).Items.Count == 0, "slice removal");
    }
}
