using Korvet.Scheduler.Cache;
using Korvet.Scheduler.Framework;

namespace Korvet.Scheduler.Tests;

public sealed class CacheTests
{
    [Fact]
    public void PodsAndNodesUpdateIncrementally()
    {
        var cache = new SchedulerCache();
        // A pod can arrive before its node.
        cache.SetPod(Build.Pod("early", "1", "1Gi", nodeName: "n1"));
        Assert.Empty(cache.Nodes);
        cache.SetNode(Build.Node("n1"));
        cache.SetNode(Build.Node("n2"));
        NodeInfo n1 = cache.FindNode("n1")!;
        Assert.Equal((1, 1000L), (n1.Pods.Count, n1.Requested.MilliCpu));

        // Assume, then the informer confirms; a second assume of the same pod is a bug.
        var pod = new PodInfo(Build.Pod("p", "500m"));
        cache.AssumePod(pod, "n2");
        Assert.True(cache.IsAssumed(pod.Uid));
        Assert.Equal(500, cache.FindNode("n2")!.Requested.MilliCpu);
        Assert.Throws<InvalidOperationException>(() => cache.AssumePod(pod, "n2"));
        cache.SetPod(Build.Pod("p", "500m", nodeName: "n2"));
        Assert.False(cache.IsAssumed(pod.Uid));
        Assert.Equal(500, cache.FindNode("n2")!.Requested.MilliCpu);

        // Forget only drops assumed pods; terminal pods and deletes leave the node.
        cache.ForgetPod(pod);
        Assert.Equal(500, cache.FindNode("n2")!.Requested.MilliCpu);
        var done = Build.Pod("p", "500m", nodeName: "n2");
        done.Status = new Korvet.Api.Core.V1.PodStatus { Phase = "Succeeded" };
        cache.SetPod(done);
        Assert.Equal(0, cache.FindNode("n2")!.Requested.MilliCpu);

        var failed = new PodInfo(Build.Pod("q", "2"));
        cache.AssumePod(failed, "n1");
        cache.ForgetPod(failed);
        Assert.Equal(1000, n1.Requested.MilliCpu);

        cache.RemoveNode("n1");
        Assert.Equal(["n2"], cache.Nodes.Select(n => n.Name));
        Assert.Null(cache.FindNode("n1"));
        cache.RemovePod(Build.Pod("early", nodeName: "n1"));
        Assert.Equal(0, cache.PodCount);
    }
}
