using Korvet.Api.Core.V1;
using Korvet.Scheduler.Framework;

namespace Korvet.Scheduler.Tests;

public sealed class AlgorithmTests
{
    private sealed class NoBinder : IBindPlugin
    {
        public string Name => "NoBinder";

        public Task<Status> BindAsync(PodInfo pod, string nodeName, CancellationToken cancellationToken) => Task.FromResult(Status.Success);
    }

    private static SchedulingAlgorithm Algorithm() => new(SchedulerProfile.CreateDefault(new NoBinder()), new Random(7));

    [Fact]
    public void FailureMessageHasUpstreamShape()
    {
        List<NodeInfo> nodes =
        [
            Build.Info(Build.Node("a", "1", labels: Build.Labels("disk=ssd"))),
            Build.Info(Build.Node("b", "1", labels: Build.Labels("disk=ssd"))),
            Build.Info(Build.Node("c", "8")),
        ];
        Pod pod = Build.Pod("p", "2");
        pod.Spec!.NodeSelector = Build.Labels("disk=ssd");
        ScheduleResult result = Algorithm().Schedule(new PodInfo(pod), nodes);
        Assert.False(result.Succeeded);
        Assert.Equal(
            "0/3 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 2 Insufficient cpu. "
            + "preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.",
            result.FailureMessage);
    }

    [Fact]
    public void NoNodesAndPreemptionPolicyNever()
    {
        ScheduleResult none = Algorithm().Schedule(new PodInfo(Build.Pod("p")), []);
        Assert.Equal("no nodes available to schedule pods", none.FailureMessage);

        Pod never = Build.Pod("p", "16");
        never.Spec!.PreemptionPolicy = "Never";
        ScheduleResult result = Algorithm().Schedule(new PodInfo(never), [Build.Info(Build.Node("a", "1"))]);
        Assert.Equal("0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never.", result.FailureMessage);
    }

    [Fact]
    public void PicksTheLeastLoadedFeasibleNode()
    {
        List<NodeInfo> nodes =
        [
            Build.Info(Build.Node("busy", "4", "8Gi"), Build.Pod("x", "3", "6Gi", nodeName: "busy")),
            Build.Info(Build.Node("idle", "4", "8Gi")),
            Build.Info(Build.Node("tiny", "100m", "8Gi")),
        ];
        ScheduleResult result = Algorithm().Schedule(new PodInfo(Build.Pod("p", "500m", "512Mi")), nodes);
        Assert.Equal("idle", result.NodeName);
        Assert.Equal((3, 2), (result.EvaluatedNodes, result.FeasibleNodes));
    }

    [Theory]
    [InlineData(50, 50)]
    [InlineData(100, 100)]
    [InlineData(1000, 420)]
    [InlineData(5000, 500)]
    [InlineData(10000, 500)]
    [InlineData(100000, 5000)]
    public void AdaptivePercentageOfNodesToScore(int nodes, int expected) =>
        Assert.Equal(expected, SchedulingAlgorithm.NumFeasibleNodesToFind(nodes, 0));

    [Fact]
    public void LargeClustersStopEarlyAndRotateTheStart()
    {
        List<NodeInfo> nodes = [.. Enumerable.Range(0, 1000).Select(i => Build.Info(Build.Node($"n{i}")))];
        SchedulingAlgorithm algorithm = Algorithm();
        ScheduleResult first = algorithm.Schedule(new PodInfo(Build.Pod("p1", "1")), nodes);
        Assert.Equal((420, 420), (first.EvaluatedNodes, first.FeasibleNodes));
        ScheduleResult second = algorithm.Schedule(new PodInfo(Build.Pod("p2", "1")), nodes);
        Assert.Equal(420, second.EvaluatedNodes);
        int index = int.Parse(second.NodeName![1..], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(index, 420, 839);
    }
}
