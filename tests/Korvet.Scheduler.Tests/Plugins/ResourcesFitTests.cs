using Korvet.Api.Core.V1;
using Korvet.Api.Resource;
using Korvet.Scheduler.Framework;
using Korvet.Scheduler.Plugins;

namespace Korvet.Scheduler.Tests.Plugins;

public sealed class ResourcesFitTests
{
    private static readonly NodeResourcesFitPlugin Fit = new();

    [Theory]
    [InlineData("500m", "1Gi", "4", "8Gi", "")]
    [InlineData("5", "1Gi", "4", "8Gi", "Insufficient cpu")]
    [InlineData("1", "9Gi", "4", "8Gi", "Insufficient memory")]
    [InlineData("5", "9Gi", "4", "8Gi", "Insufficient cpu, Insufficient memory")]
    [InlineData("4", "8Gi", "4", "8Gi", "")]
    public void RequestsAgainstAllocatable(string cpu, string memory, string nodeCpu, string nodeMemory, string expected)
    {
        NodeInfo node = Build.Info(Build.Node("n", nodeCpu, nodeMemory));
        Status status = Fit.Filter(new CycleState(), new PodInfo(Build.Pod("p", cpu, memory)), node);
        Assert.Equal(expected, status.Message);
        Assert.Equal(expected.Length == 0 ? StatusCode.Success : StatusCode.Unschedulable, status.Code);
    }

    [Fact]
    public void ExistingPodsCountAgainstTheNode()
    {
        NodeInfo node = Build.Info(Build.Node("n", "2"), Build.Pod("a", "1500m", nodeName: "n"));
        Assert.Equal("Insufficient cpu", Fit.Filter(new CycleState(), new PodInfo(Build.Pod("p", "600m")), node).Message);
        Assert.True(Fit.Filter(new CycleState(), new PodInfo(Build.Pod("p", "500m")), node).IsSuccess);
        node.RemovePod("default-a");
        Assert.True(Fit.Filter(new CycleState(), new PodInfo(Build.Pod("p", "2")), node).IsSuccess);
    }

    [Fact]
    public void PodCountIsAResource()
    {
        NodeInfo node = Build.Info(Build.Node("n", pods: 2), Build.Pod("a", nodeName: "n"), Build.Pod("b", nodeName: "n"));
        Assert.Equal("Too many pods", Fit.Filter(new CycleState(), new PodInfo(Build.Pod("p")), node).Message);
    }

    [Fact]
    public void ExtendedResourcesMustExistOnTheNode()
    {
        Pod pod = Build.Pod("p", "100m");
        pod.Spec!.Containers![0].Resources!.Requests!["example.com/gpu"] = Quantity.Parse("1");
        Assert.Equal("Insufficient example.com/gpu", Fit.Filter(new CycleState(), new PodInfo(pod), Build.Info(Build.Node("n"))).Message);
        NodeInfo gpuNode = Build.Info(Build.Node("g", extra: new() { ["example.com/gpu"] = "2" }));
        Assert.True(Fit.Filter(new CycleState(), new PodInfo(pod), gpuNode).IsSuccess);
    }

    [Fact]
    public void InitContainersUseTheMaxRuleAndOverheadAdds()
    {
        Pod pod = Build.Pod("p", "1");
        pod.Spec!.InitContainers =
        [
            new Container { Name = "i1", Resources = new ResourceRequirements { Requests = new() { ["cpu"] = Quantity.Parse("3") } } },
            new Container { Name = "i2", Resources = new ResourceRequirements { Requests = new() { ["cpu"] = Quantity.Parse("2") } } },
        ];
        pod.Spec.Overhead = new Dictionary<string, Quantity> { ["cpu"] = Quantity.Parse("250m") };
        var info = new PodInfo(pod);
        Assert.Equal(3250, info.Requests.MilliCpu);

        // A sidecar (restartable init container) runs alongside everything after it.
        pod.Spec.InitContainers.Insert(0, new Container
        {
            Name = "side", RestartPolicy = "Always", Resources = new ResourceRequirements { Requests = new() { ["cpu"] = Quantity.Parse("500m") } },
        });
        Assert.Equal(3750, new PodInfo(pod).Requests.MilliCpu);
    }

    [Fact]
    public void LimitsStandInForMissingRequestsAndNonZeroDefaultsScore()
    {
        var pod = Build.Pod("p");
        pod.Spec!.Containers![0].Resources = new ResourceRequirements { Limits = new() { ["memory"] = Quantity.Parse("1Gi") } };
        var info = new PodInfo(pod);
        Assert.Equal((0L, 1L << 30), (info.Requests.MilliCpu, info.Requests.Memory));
        Assert.Equal((100L, 1L << 30), (info.NonZeroRequests.MilliCpu, info.NonZeroRequests.Memory));
    }

    [Fact]
    public void LeastAllocatedPrefersTheEmptierNode()
    {
        var pod = new PodInfo(Build.Pod("p", "1", "1Gi"));
        NodeInfo empty = Build.Info(Build.Node("a", "4", "4Gi"));
        NodeInfo busy = Build.Info(Build.Node("b", "4", "4Gi"), Build.Pod("x", "2", "2Gi", nodeName: "b"));
        // (4-1)/4 = 75 for both resources; (4-3)/4 = 25.
        Assert.Equal(75, Fit.Score(new CycleState(), pod, empty));
        Assert.Equal(25, Fit.Score(new CycleState(), pod, busy));
    }

    [Fact]
    public void BalancedAllocationPenalisesSkew()
    {
        var balanced = new BalancedAllocationPlugin();
        var pod = new PodInfo(Build.Pod("p", "1", "1Gi"));
        NodeInfo even = Build.Info(Build.Node("a", "4", "4Gi"));
        NodeInfo skewed = Build.Info(Build.Node("b", "4", "4Gi"), Build.Pod("x", "2", nodeName: "b"));
        Assert.Equal(100, balanced.Score(new CycleState(), pod, even));
        // cpu 3/4, memory 1/4: std 0.25 → 75.
        Assert.Equal(75, balanced.Score(new CycleState(), pod, skewed));
        Assert.Equal(StatusCode.Skip, balanced.PreScore(new CycleState(), new PodInfo(Build.Pod("be")), [], []).Code);
    }
}
