using Korvet.Api.Core.V1;
using Korvet.Api.IntStr;
using Korvet.Api.Meta.V1;
using Korvet.Controllers.Endpoints;
using Korvet.Controllers.EndpointSlice;

namespace Korvet.Controllers.Tests.Endpoints;

public sealed class EndpointBuildersTests
{
    internal static Pod MakePod(string name, string? ip, bool ready, string? portName = null, int portNumber = 0, string node = "n1",
        bool terminating = false, string phase = "Running")
    {
        var container = new Container { Name = "c", Ports = portName is null ? null : [new ContainerPort { Name = portName, ContainerPortValue = portNumber, Protocol = "TCP" }] };
        return new Pod
        {
            Metadata = new ObjectMeta
            {
                Name = name, Namespace = "ns", Uid = "uid-" + name, Labels = new() { ["app"] = "web" },
                DeletionTimestamp = terminating ? new Time(DateTimeOffset.UnixEpoch) : null,
            },
            Spec = new PodSpec { NodeName = node, Containers = [container] },
            Status = new PodStatus
            {
                Phase = phase, PodIP = ip,
                Conditions = [new PodCondition { Type = "Ready", Status = ready ? "True" : "False" }],
            },
        };
    }

    internal static Service MakeService(IntOrString target, bool publishNotReady = false) => new()
    {
        Metadata = new ObjectMeta { Name = "web", Namespace = "ns", Labels = new() { ["team"] = "a" } },
        Spec = new ServiceSpec
        {
            Selector = new() { ["app"] = "web" }, ClusterIP = "10.43.0.10", PublishNotReadyAddresses = publishNotReady,
            Ports = [new ServicePort { Name = "http", Port = 80, Protocol = "TCP", TargetPort = target }],
        },
    };

    [Fact]
    public void EndpointsSplitReadyAndNotReadyAndResolveNamedPortsPerPod()
    {
        Pod a = MakePod("a", "10.42.0.2", ready: true, "web", 8080);
        Pod b = MakePod("b", "10.42.0.3", ready: false, "web", 8080);
        Pod c = MakePod("c", "10.42.0.4", ready: true, "web", 9090, node: "n2");
        Pod noIp = MakePod("d", null, ready: true, "web", 8080);
        Pod noPort = MakePod("e", "10.42.0.6", ready: true);
        Pod done = MakePod("f", "10.42.0.7", ready: true, "web", 8080, phase: "Succeeded");
        Pod leaving = MakePod("g", "10.42.0.8", ready: true, "web", 8080, terminating: true);

        List<EndpointSubset> subsets = EndpointsBuilder.Subsets(MakeService("web"), [c, b, a, noIp, noPort, done, leaving]);

        Assert.Equal(2, subsets.Count);
        EndpointSubset at8080 = subsets.Single(s => s.Ports![0].Port == 8080);
        Assert.Equal(["10.42.0.2"], at8080.Addresses!.Select(x => x.IP));
        Assert.Equal(["10.42.0.3"], at8080.NotReadyAddresses!.Select(x => x.IP));
        Assert.Equal(("http", "TCP"), (at8080.Ports![0].Name, at8080.Ports[0].Protocol));
        EndpointAddress first = at8080.Addresses![0];
        Assert.Equal(("n1", "Pod", "a", "uid-a"), (first.NodeName, first.TargetRef!.Kind, first.TargetRef.Name, first.TargetRef.Uid));
        EndpointSubset at9090 = subsets.Single(s => s.Ports![0].Port == 9090);
        Assert.Equal(["10.42.0.4"], at9090.Addresses!.Select(x => x.IP));
        Assert.Null(at9090.NotReadyAddresses);
    }

    [Fact]
    public void PublishNotReadyAddressesMakesEveryPodReady()
    {
        List<EndpointSubset> subsets = EndpointsBuilder.Subsets(MakeService(8080, publishNotReady: true),
            [MakePod("a", "10.42.0.2", ready: false), MakePod("b", "10.42.0.3", ready: true, terminating: true)]);
        EndpointSubset only = Assert.Single(subsets);
        Assert.Equal(["10.42.0.2", "10.42.0.3"], only.Addresses!.Select(x => x.IP));
        Assert.Null(only.NotReadyAddresses);
        Assert.Equal(8080, only.Ports![0].Port);
    }

    [Fact]
    public void EqualInputsGiveEqualOutputInAnyPodOrder()
    {
        Pod[] pods = [MakePod("a", "10.42.0.2", true), MakePod("b", "10.42.0.3", false), MakePod("c", "10.42.0.1", true)];
        byte[] one = Korvet.Api.Serialization.ApiJson.SerializeToUtf8Bytes(new Korvet.Api.Core.V1.Endpoints { Subsets = EndpointsBuilder.Subsets(MakeService(80), pods) });
        byte[] two = Korvet.Api.Serialization.ApiJson.SerializeToUtf8Bytes(new Korvet.Api.Core.V1.Endpoints { Subsets = EndpointsBuilder.Subsets(MakeService(80), pods.Reverse()) });
        Assert.Equal(one, two);
    }

    [Fact]
    public void SlicesCarryConditionsAndSplitAtTheLimit()
    {
        var pods = Enumerable.Range(0, 5).Select(i => MakePod($"p{i}", $"10.42.0.{i + 2}", ready: i != 1, terminating: i == 2)).ToList();
        List<DesiredSlice> slices = EndpointSliceBuilder.Build(MakeService(80), pods, maxPerSlice: 2);
        Assert.Equal([2, 2, 1], slices.Select(s => s.Endpoints.Count));
        var all = slices.SelectMany(s => s.Endpoints).ToList();
        Assert.Equal(["p0", "p1", "p2", "p3", "p4"], all.Select(e => e.TargetRef!.Name));
        Assert.Equal((true, true, false), (all[0].Conditions!.Ready, all[0].Conditions!.Serving, all[0].Conditions!.Terminating));
        Assert.Equal((false, false, false), (all[1].Conditions!.Ready, all[1].Conditions!.Serving, all[1].Conditions!.Terminating));
        Assert.Equal((false, true, true), (all[2].Conditions!.Ready, all[2].Conditions!.Serving, all[2].Conditions!.Terminating));
        Assert.Equal("n1", all[0].NodeName);
        Assert.Equal(80, slices[0].Ports[0].Port);

        Dictionary<string, string> labels = EndpointSliceBuilder.Labels(MakeService(80));
        Assert.Equal("web", labels["kubernetes.io/service-name"]);
        Assert.Equal("endpointslice-controller.k8s.io", labels["endpointslice.kubernetes.io/managed-by"]);
        Assert.Equal("a", labels["team"]);
    }

    [Fact]
    public void NoEndpointsGiveOnePlaceholderSlice()
    {
        DesiredSlice only = Assert.Single(EndpointSliceBuilder.Build(MakeService(80), [MakePod("a", null, true)]));
        Assert.Empty(only.Endpoints);
        Assert.Empty(only.Ports);
    }

    [Fact]
    public void NamedPortsGroupPodsIntoSlicesPerPortNumber()
    {
        List<DesiredSlice> slices = EndpointSliceBuilder.Build(MakeService("web"),
            [MakePod("a", "10.42.0.2", true, "web", 8080), MakePod("b", "10.42.0.3", true, "web", 9090), MakePod("c", "10.42.0.4", true)]);
        // Like upstream, a pod that resolves no port still gets an endpoint, in a slice without ports.
        Assert.Equal(3, slices.Count);
        Assert.Equal([8080, 9090], slices.Where(s => s.Ports.Count > 0).Select(s => s.Ports.Single().Port!.Value).Order());
        Assert.Equal("c", slices.Single(s => s.Ports.Count == 0).Endpoints.Single().TargetRef!.Name);
    }
}
