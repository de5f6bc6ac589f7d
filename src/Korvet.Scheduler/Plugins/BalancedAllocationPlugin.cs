using System.Runtime.CompilerServices;
using Korvet.Scheduler.Framework;

namespace Korvet.Scheduler.Plugins;

/// <summary>
/// NodeResourcesBalancedAllocation: prefers nodes whose cpu and memory utilisation (with the pod, actual requests)
/// stay close to each other: score = (1 - standard deviation of the two fractions) × 100.
/// </summary>
public sealed class BalancedAllocationPlugin : IPreScorePlugin, IScorePlugin
{
    public string Name => "NodeResourcesBalancedAllocation";

    /// <summary>A pod that requests nothing changes no balance (upstream skips it).</summary>
    public Status PreScore(CycleState state, PodInfo pod, IReadOnlyList<NodeInfo> feasible, IReadOnlyList<NodeInfo> all) =>
        pod.Requests.MilliCpu == 0 && pod.Requests.Memory == 0 ? Status.Skip : Status.Success;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public long Score(CycleState state, PodInfo pod, NodeInfo node)
    {
        double cpu = Fraction(node.Requested.MilliCpu + pod.Requests.MilliCpu, node.Allocatable.MilliCpu);
        double memory = Fraction(node.Requested.Memory + pod.Requests.Memory, node.Allocatable.Memory);
        // A resource the node has none of is left out, as upstream does; one fraction alone has no spread.
        double std = node.Allocatable.MilliCpu == 0 || node.Allocatable.Memory == 0 ? 0 : Math.Abs(cpu - memory) / 2;
        return (long)((1 - std) * IScorePlugin.MaxNodeScore);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Normalize(CycleState state, PodInfo pod, long[] scores)
    {
    }

    private static double Fraction(long requested, long capacity) =>
        capacity == 0 ? 0 : Math.Min(1.0, (double)requested / capacity);
}
