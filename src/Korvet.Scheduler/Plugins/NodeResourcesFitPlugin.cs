using System.Runtime.CompilerServices;
using Korvet.Scheduler.Framework;

namespace Korvet.Scheduler.Plugins;

/// <summary>
/// NodeResourcesFit. Filter: pod count and the pod's effective requests (cpu, memory, ephemeral-storage, extended
/// resources) plus what the node's pods already request must fit the node's allocatable; every shortfall is a reason
/// ("Insufficient cpu", "Too many pods"). Score: upstream's default LeastAllocated strategy over cpu and memory
/// (weight 1 each) on non-zero requests.
/// </summary>
public sealed class NodeResourcesFitPlugin : IFilterPlugin, IScorePlugin
{
    public const string TooManyPods = "Too many pods";

    public string Name => "NodeResourcesFit";

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public Status Filter(CycleState state, PodInfo pod, NodeInfo node)
    {
        List<string>? reasons = null;
        if (node.Pods.Count + 1 > node.Allocatable.AllowedPods)
        {
            (reasons ??= []).Add(TooManyPods);
        }

        Resources want = pod.Requests;
        Resources free = node.Allocatable;
        Resources used = node.Requested;
        if (want.MilliCpu > 0 && free.MilliCpu < want.MilliCpu + used.MilliCpu)
        {
            (reasons ??= []).Add("Insufficient cpu");
        }

        if (want.Memory > 0 && free.Memory < want.Memory + used.Memory)
        {
            (reasons ??= []).Add("Insufficient memory");
        }

        if (want.EphemeralStorage > 0 && free.EphemeralStorage < want.EphemeralStorage + used.EphemeralStorage)
        {
            (reasons ??= []).Add("Insufficient ephemeral-storage");
        }

        if (want.Scalar is not null)
        {
            foreach ((string name, long amount) in want.Scalar)
            {
                if (amount > 0 && free.ScalarValue(name) < amount + used.ScalarValue(name))
                {
                    (reasons ??= []).Add("Insufficient " + name);
                }
            }
        }

        return reasons is null ? Status.Success : Status.Unschedulable([.. reasons]);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public long Score(CycleState state, PodInfo pod, NodeInfo node)
    {
        long cpu = LeastAllocated(node.NonZeroRequested.MilliCpu + pod.NonZeroRequests.MilliCpu, node.Allocatable.MilliCpu);
        long memory = LeastAllocated(node.NonZeroRequested.Memory + pod.NonZeroRequests.Memory, node.Allocatable.Memory);
        return (cpu + memory) / 2;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Normalize(CycleState state, PodInfo pod, long[] scores)
    {
    }

    private static long LeastAllocated(long requested, long capacity) =>
        capacity == 0 || requested > capacity ? 0 : (capacity - requested) * IScorePlugin.MaxNodeScore / capacity;
}
