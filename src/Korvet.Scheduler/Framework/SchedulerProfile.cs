using Korvet.Scheduler.Plugins;

namespace Korvet.Scheduler.Framework;

/// <summary>
/// The plugins run at each extension point, in order, for one scheduler name. Immutable.
/// <see cref="PercentageOfNodesToScore"/> 0 means upstream's adaptive rule (50% − nodes/125, at least 5%, at least
/// 100 nodes).
/// </summary>
public sealed record SchedulerProfile(
    string SchedulerName,
    IReadOnlyList<IPreFilterPlugin> PreFilter,
    IReadOnlyList<IFilterPlugin> Filter,
    IReadOnlyList<IPreScorePlugin> PreScore,
    IReadOnlyList<WeightedScorePlugin> Score,
    IReadOnlyList<IReservePlugin> Reserve,
    IReadOnlyList<IBindPlugin> Bind,
    int PercentageOfNodesToScore = 0)
{
    public const string DefaultSchedulerName = "default-scheduler";

    /// <summary>
    /// Upstream's default profile for the plugins Korvet has: filters in upstream's order (cheap and unresolvable
    /// first) and score weights TaintToleration 3, NodeAffinity 2, PodTopologySpread 2, InterPodAffinity 2,
    /// NodeResourcesFit (LeastAllocated) 1, NodeResourcesBalancedAllocation 1.
    /// </summary>
    public static SchedulerProfile CreateDefault(IBindPlugin binder, int percentageOfNodesToScore = 0)
    {
        var nodeUnschedulable = new NodeUnschedulablePlugin();
        var nodeName = new NodeNamePlugin();
        var taints = new TaintTolerationPlugin();
        var nodeAffinity = new NodeAffinityPlugin();
        var nodePorts = new NodePortsPlugin();
        var fit = new NodeResourcesFitPlugin();
        var spread = new PodTopologySpreadPlugin();
        var interPod = new InterPodAffinityPlugin();
        var balanced = new BalancedAllocationPlugin();
        return new SchedulerProfile(
            DefaultSchedulerName,
            [nodeAffinity, nodePorts, spread, interPod],
            [nodeUnschedulable, nodeName, taints, nodeAffinity, nodePorts, fit, spread, interPod],
            [interPod, spread, nodeAffinity, balanced],
            [
                new WeightedScorePlugin(taints, 3), new WeightedScorePlugin(nodeAffinity, 2), new WeightedScorePlugin(spread, 2),
                new WeightedScorePlugin(interPod, 2), new WeightedScorePlugin(fit, 1), new WeightedScorePlugin(balanced, 1),
            ],
            [],
            [binder],
            percentageOfNodesToScore);
    }
}
