using System.Runtime.CompilerServices;
using Korvet.Api.Core.V1;
using Korvet.Scheduler.Framework;

namespace Korvet.Scheduler.Plugins;

/// <summary>
/// NodeAffinity. Filter: spec.nodeSelector and requiredDuringSchedulingIgnoredDuringExecution must both match.
/// Score: the summed weights of the matching preferred terms, normalized by the best node. PreFilter returns Skip
/// for a pod with neither (upstream does the same), so its Filter is not called per node.
/// </summary>
public sealed class NodeAffinityPlugin : IPreFilterPlugin, IFilterPlugin, IPreScorePlugin, IScorePlugin
{
    public const string ErrReasonPod = "node(s) didn't match Pod's node affinity/selector";

    public string Name => "NodeAffinity";

    public Status PreFilter(CycleState state, PodInfo pod, IReadOnlyList<NodeInfo> nodes) =>
        pod.Pod.Spec?.NodeSelector is { Count: > 0 } || pod.Pod.Spec?.Affinity?.NodeAffinity?.RequiredDuringSchedulingIgnoredDuringExecution is not null
            ? Status.Success
            : Status.Skip;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public Status Filter(CycleState state, PodInfo pod, NodeInfo node) =>
        Matches(pod.Pod.Spec, node) ? Status.Success : Status.UnschedulableAndUnresolvable(ErrReasonPod);

    /// <summary>The required part alone (PodTopologySpread's nodeAffinityPolicy=Honor uses it too).</summary>
    public static bool Matches(PodSpec? spec, NodeInfo node) =>
        Matching.MatchesNodeSelectorMap(spec?.NodeSelector, node.Labels)
        && Matching.MatchesNodeSelector(spec?.Affinity?.NodeAffinity?.RequiredDuringSchedulingIgnoredDuringExecution, node.Name, node.Labels);

    public Status PreScore(CycleState state, PodInfo pod, IReadOnlyList<NodeInfo> feasible, IReadOnlyList<NodeInfo> all) =>
        pod.Pod.Spec?.Affinity?.NodeAffinity?.PreferredDuringSchedulingIgnoredDuringExecution is { Count: > 0 } ? Status.Success : Status.Skip;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public long Score(CycleState state, PodInfo pod, NodeInfo node)
    {
        long score = 0;
        foreach (PreferredSchedulingTerm term in pod.Pod.Spec?.Affinity?.NodeAffinity?.PreferredDuringSchedulingIgnoredDuringExecution ?? [])
        {
            if (term.Weight != 0 && Matching.MatchesTerm(term.Preference, node.Name, node.Labels))
            {
                score += term.Weight;
            }
        }

        return score;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Normalize(CycleState state, PodInfo pod, long[] scores) => ScoreNormalization.Default(scores, reverse: false);
}
