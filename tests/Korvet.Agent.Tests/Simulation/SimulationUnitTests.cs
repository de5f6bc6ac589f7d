using Korvet.Agent.Simulation;
using Korvet.Api.Core.V1;
using Korvet.Api.Meta.V1;

namespace Korvet.Agent.Tests.Simulation;

public sealed class SimulationUnitTests
{
    private static readonly DateTimeOffset Now = new(2024, 5, 1, 10, 0, 0, TimeSpan.Zero);

    private static Pod NewPod(string restartPolicy = "Never", Dictionary<string, string>? annotations = null) => new()
    {
        Metadata = new ObjectMeta { Name = "p", Namespace = "default", Uid = "u1", Annotations = annotations },
        Spec = new PodSpec { RestartPolicy = restartPolicy, NodeName = "n", Containers = [new Container { Name = "a", Image = "nginx" }, new Container { Name = "b", Image = "busybox:1.36" }] },
        Status = new PodStatus { Phase = "Pending", QosClass = "BestEffort" },
    };

    [Theory]
    [InlineData(3, 24, "10.42.2.0/24")]
    [InlineData(256, 24, "10.42.255.0/24")]
    [InlineData(1000, 26, "10.42.249.192/26")]
    public void PodCidrsAreCarvedPerNode(int count, int prefix, string last)
    {
        var blocks = new AddressBlocks("10.42.0.0/16", count);
        Assert.Equal(prefix, blocks.PrefixLength);
        Assert.Equal("10.42.0.0/" + prefix, blocks.Cidr(0));
        Assert.Equal(last, blocks.Cidr(count - 1));
        Assert.Throws<ArgumentException>(() => new AddressBlocks("10.42.0.0/16", 20000));
    }

    [Fact]
    public void PodAddressesAreUniquePerNodeAndReused()
    {
        var addresses = new PodAddresses(new AddressBlocks("10.42.0.0/16", 2));
        Assert.Equal("10.42.0.2", addresses.Assign("ns/a", 0, null));
        Assert.Equal("10.42.0.3", addresses.Assign("ns/b", 0, null));
        Assert.Equal("10.42.0.2", addresses.Assign("ns/a", 0, null));
        Assert.Equal("10.42.1.2", addresses.Assign("ns/c", 1, null));
        Assert.Equal("10.42.1.9", addresses.Assign("ns/d", 1, "10.42.1.9")); // kept across a restart
        addresses.Release("ns/a");
        Assert.Equal("10.42.0.2", addresses.Assign("ns/e", 0, "10.42.1.9")); // preferred outside the block: ignored
        var tiny = new PodAddresses(new AddressBlocks("10.42.0.0/29", 2));
        Assert.NotNull(tiny.Assign("a", 0, null));
        Assert.Null(tiny.Assign("b", 0, null));
    }

    [Fact]
    public void RunTimeFollowsRestartPolicyAndAnnotation()
    {
        TimeSpan fallback = TimeSpan.FromSeconds(2);
        Assert.Null(SimulatedPodStatus.RunTime(NewPod("Always"), fallback));
        Assert.Equal(fallback, SimulatedPodStatus.RunTime(NewPod("Never"), fallback));
        Assert.Equal(fallback, SimulatedPodStatus.RunTime(NewPod("OnFailure", new() { [SimulatedPodStatus.RunSecondsAnnotation] = "soon" }), fallback));
        Assert.Equal(TimeSpan.FromSeconds(0.5), SimulatedPodStatus.RunTime(NewPod("Never", new() { [SimulatedPodStatus.RunSecondsAnnotation] = "0.5" }), fallback));
        Assert.Equal(0, SimulatedPodStatus.ExitCode(NewPod()));
        Assert.Equal(3, SimulatedPodStatus.ExitCode(NewPod(annotations: new() { [SimulatedPodStatus.ExitCodeAnnotation] = "3" })));
    }

    [Fact]
    public void RunningStatusLooksLikeAKubeletsOne()
    {
        PodStatus s = SimulatedPodStatus.Running(NewPod(), "10.41.0.2", "10.42.0.7", Now, Now);
        Assert.Equal("Running", s.Phase);
        Assert.Equal(("10.41.0.2", "10.42.0.7"), (s.HostIP, s.PodIP));
        Assert.Equal("10.42.0.7", Assert.Single(s.PodIPs!).IP);
        Assert.Equal(Now, s.StartTime!.Value);
        Assert.Equal("BestEffort", s.QosClass);
        Assert.Equal(["PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"], s.Conditions!.Select(c => c.Type));
        Assert.All(s.Conditions!, c => Assert.Equal("True", c.Status));
        Assert.All(s.ContainerStatuses!, c => Assert.True(c.Ready && c.Started == true && c.State!.Running is not null));
        Assert.Equal(["a", "b"], s.ContainerStatuses!.Select(c => c.Name));
        Assert.StartsWith("busybox:1.36@sha256:", s.ContainerStatuses![1].ImageID, StringComparison.Ordinal);
        Assert.True(SimulatedPodStatus.IsRunningAndReady(s));
    }

    [Fact]
    public void FinishedStatusSucceedsOrFails()
    {
        Pod pod = NewPod();
        pod.Status = SimulatedPodStatus.Running(pod, "h", "10.42.0.2", Now, Now);
        PodStatus ok = SimulatedPodStatus.Finished(pod, "h", "10.42.0.2", 0, Now, Now.AddSeconds(2));
        Assert.Equal("Succeeded", ok.Phase);
        PodCondition ready = ok.Conditions!.Single(c => c.Type == "Ready");
        Assert.Equal(("False", "PodCompleted"), (ready.Status, ready.Reason));
        Assert.Equal(Now.AddSeconds(2), ready.LastTransitionTime!.Value);
        Assert.Equal(Now, ok.Conditions!.Single(c => c.Type == "PodScheduled").LastTransitionTime!.Value);
        Assert.All(ok.ContainerStatuses!, c => Assert.Equal((0, "Completed"), (c.State!.Terminated!.ExitCode, c.State.Terminated.Reason)));
        Assert.True(SimulatedPodStatus.IsTerminal(ok));

        PodStatus failed = SimulatedPodStatus.Finished(pod, "h", "10.42.0.2", 1, Now, Now.AddSeconds(2));
        Assert.Equal("Failed", failed.Phase);
        Assert.Equal("containers with unready status: [a b]", failed.Conditions!.Single(c => c.Type == "Ready").Message);
        Assert.All(failed.ContainerStatuses!, c => Assert.Equal("Error", c.State!.Terminated!.Reason));
    }

    [Fact]
    public void NodeCarriesLabelsCapacityAndReadyCondition()
    {
        var options = new SimulationOptions(2, "sim", Labels: new Dictionary<string, string> { ["zone"] = "a", ["type"] = "custom" });
        var node = new SimulatedNode(options, 1, new AddressBlocks(options.PodCidr, 2), new AddressBlocks(options.NodeCidr, 1));
        Node n = node.Build(Now);
        Assert.Equal("sim-1", n.Metadata!.Name);
        Assert.Equal("sim-1", n.Metadata.Labels!["kubernetes.io/hostname"]);
        Assert.Equal("linux", n.Metadata.Labels["kubernetes.io/os"]);
        Assert.Equal("a", n.Metadata.Labels["zone"]);
        Assert.Equal("custom", n.Metadata.Labels["type"]);
        Assert.Equal("10.42.1.0/24", n.Spec!.PodCidr);
        Assert.Equal("32", n.Status!.Allocatable!["cpu"].ToString());
        Assert.Equal("256Gi", n.Status.Capacity!["memory"].ToString());
        Assert.Equal("110", n.Status.Capacity["pods"].ToString());
        Assert.Equal("v1.32.4", n.Status.NodeInfo!.KubeletVersion);
        Assert.Equal("10.41.0.3", n.Status.Addresses!.Single(a => a.Type == "InternalIP").Address);
        Assert.True(SimulatedNode.IsFresh(n, Now.AddSeconds(30), TimeSpan.FromMinutes(1)));
        Assert.False(SimulatedNode.IsFresh(n, Now.AddMinutes(2), TimeSpan.FromMinutes(1)));
        NodeStatus later = node.Status(n.Status, Now.AddMinutes(5));
        NodeCondition readyCondition = later.Conditions!.Single(c => c.Type == "Ready");
        Assert.Equal((Now, Now.AddMinutes(5)), (readyCondition.LastTransitionTime!.Value, readyCondition.LastHeartbeatTime!.Value));
        Assert.Equal(n.Status.NodeInfo.SystemUuid, later.NodeInfo!.SystemUuid);
    }
}
