namespace Korvet.Scheduler.Framework;

/// <summary>
/// The scheduling framework's extension points (DESIGN.md §4.2). A plugin implements only the interfaces it needs.
/// Filter and Score run once per candidate node on the hot path: they must only read the <see cref="CycleState"/>
/// their PreFilter/PreScore wrote, never allocate much, and never block. PreFilter/Filter/PreScore/Score run with
/// the scheduler cache's lock held (the node list is a consistent view); Bind runs later, outside it. Filter and Score
/// may be called concurrently for different nodes of one cycle. Built-in Filter/Score/Normalize methods are marked
/// AggressiveOptimization: in a busy process the tiered JIT's background queue can keep them at tier 0 for seconds,
/// and they run hundreds of times per pod.
/// </summary>
public interface IPlugin
{
    /// <summary>Upstream's plugin name, e.g. "NodeResourcesFit".</summary>
    string Name { get; }
}

/// <summary>Once per pod before filtering; Unschedulable here rejects every node, Skip skips this plugin's Filter.</summary>
public interface IPreFilterPlugin : IPlugin
{
    Status PreFilter(CycleState state, PodInfo pod, IReadOnlyList<NodeInfo> nodes);
}

/// <summary>Can the pod run on this node? Success, or Unschedulable / UnschedulableAndUnresolvable with reasons.</summary>
public interface IFilterPlugin : IPlugin
{
    Status Filter(CycleState state, PodInfo pod, NodeInfo node);
}

/// <summary>Once per pod before scoring, over the feasible nodes (and all nodes, for cluster-wide counts). The lists (and
/// the score arrays given to Normalize) are reused by the next cycle: read them, never keep them.</summary>
public interface IPreScorePlugin : IPlugin
{
    Status PreScore(CycleState state, PodInfo pod, IReadOnlyList<NodeInfo> feasible, IReadOnlyList<NodeInfo> all);
}

/// <summary>Ranks a feasible node; <see cref="Normalize"/> then maps the raw scores of all feasible nodes (same
/// order) into 0..<see cref="MaxNodeScore"/>. The profile multiplies by the plugin's weight.</summary>
public interface IScorePlugin : IPlugin
{
    public const long MaxNodeScore = 100;

    long Score(CycleState state, PodInfo pod, NodeInfo node);

    void Normalize(CycleState state, PodInfo pod, long[] scores);
}

/// <summary>Claims plugin-held resources for the chosen node; Unreserve undoes it when a later step fails.</summary>
public interface IReservePlugin : IPlugin
{
    Status Reserve(CycleState state, PodInfo pod, string nodeName);

    void Unreserve(CycleState state, PodInfo pod, string nodeName);
}

/// <summary>Writes the decision to the API server. Runs asynchronously after the cycle; the first plugin that does not
/// return Skip decides.</summary>
public interface IBindPlugin : IPlugin
{
    Task<Status> BindAsync(PodInfo pod, string nodeName, CancellationToken cancellationToken);
}

/// <summary>A score plugin with its profile weight.</summary>
public sealed record WeightedScorePlugin(IScorePlugin Plugin, int Weight);

/// <summary>Shared normalization helpers with upstream's integer arithmetic.</summary>
public static class ScoreNormalization
{
    /// <summary>Upstream's DefaultNormalizeScore: scale to 0..max by the highest score; reverse flips it.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static void Default(long[] scores, bool reverse)
    {
        long max = 0;
        foreach (long s in scores)
        {
            max = Math.Max(max, s);
        }

        for (int i = 0; i < scores.Length; i++)
        {
            if (max == 0)
            {
                scores[i] = reverse ? IScorePlugin.MaxNodeScore : 0;
                continue;
            }

            long score = IScorePlugin.MaxNodeScore * scores[i] / max;
            scores[i] = reverse ? IScorePlugin.MaxNodeScore - score : score;
        }
    }
}
