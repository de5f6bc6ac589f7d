using System.Runtime.CompilerServices;
using Korvet.Scheduler.Framework;

namespace Korvet.Scheduler.Plugins;

/// <summary>
/// InterPodAffinity. PreFilter counts, per topology pair (topologyKey, node label value), the existing pods that
/// match the incoming pod's required affinity / anti-affinity terms and the existing pods whose required
/// anti-affinity matches the incoming pod; Filter then only looks the node's pairs up. Score sums preferred term
/// weights (both directions, plus existing pods' required affinity at weight 1) per topology pair, min-max normalized.
/// </summary>
public sealed class InterPodAffinityPlugin : IPreFilterPlugin, IFilterPlugin, IPreScorePlugin, IScorePlugin
{
    public const string ErrReasonExistingAntiAffinityRulesNotMatch = "node(s) didn't satisfy existing pods anti-affinity rules";
    public const string ErrReasonAffinityRulesNotMatch = "node(s) didn't match pod affinity rules";
    public const string ErrReasonAntiAffinityRulesNotMatch = "node(s) didn't match pod anti-affinity rules";

    private const int HardPodAffinityWeight = 1;
    private const string FilterKey = "InterPodAffinity/filter";
    private const string ScoreKey = "InterPodAffinity/score";

    public string Name => "InterPodAffinity";

    public Status PreFilter(CycleState state, PodInfo pod, IReadOnlyList<NodeInfo> nodes)
    {
        var counts = new FilterCounts();
        foreach (NodeInfo node in NodeInfoList.WithPodsWithRequiredAntiAffinity(nodes))
        {
            foreach (PodInfo existing in node.PodsWithRequiredAntiAffinity)
            {
                foreach (AffinityTerm term in existing.RequiredAntiAffinity)
                {
                    if (node.Labels.TryGetValue(term.TopologyKey, out string? value) && term.Matches(pod))
                    {
                        Increment(counts.ExistingAntiAffinity, (term.TopologyKey, value));
                    }
                }
            }
        }

        if (pod.RequiredAffinity.Count == 0 && pod.RequiredAntiAffinity.Count == 0)
        {
            if (counts.ExistingAntiAffinity.Count == 0)
            {
                return Status.Skip;
            }

            state.Write(FilterKey, counts);
            return Status.Success;
        }

        foreach (NodeInfo node in nodes)
        {
            foreach (PodInfo existing in node.Pods)
            {
                if (pod.RequiredAffinity.Count > 0 && pod.RequiredAffinity.All(t => t.Matches(existing)))
                {
                    foreach (AffinityTerm term in pod.RequiredAffinity)
                    {
                        if (node.Labels.TryGetValue(term.TopologyKey, out string? value))
                        {
                            Increment(counts.Affinity, (term.TopologyKey, value));
                        }
                    }
                }

                foreach (AffinityTerm term in pod.RequiredAntiAffinity)
                {
                    if (node.Labels.TryGetValue(term.TopologyKey, out string? value) && term.Matches(existing))
                    {
                        Increment(counts.AntiAffinity, (term.TopologyKey, value));
                    }
                }
            }
        }

        state.Write(FilterKey, counts);
        return Status.Success;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public Status Filter(CycleState state, PodInfo pod, NodeInfo node)
    {
        FilterCounts counts = state.Read<FilterCounts>(FilterKey) ?? new FilterCounts();
        if (!SatisfiesAffinity(counts, pod, node))
        {
            return Status.UnschedulableAndUnresolvable(ErrReasonAffinityRulesNotMatch);
        }

        foreach (AffinityTerm term in pod.RequiredAntiAffinity)
        {
            if (node.Labels.TryGetValue(term.TopologyKey, out string? value) && counts.AntiAffinity.GetValueOrDefault((term.TopologyKey, value)) > 0)
            {
                return Status.Unschedulable(ErrReasonAntiAffinityRulesNotMatch);
            }
        }

        foreach (((string key, string value), long count) in counts.ExistingAntiAffinity)
        {
            if (count > 0 && node.Labels.TryGetValue(key, out string? actual) && actual == value)
            {
                return Status.Unschedulable(ErrReasonExistingAntiAffinityRulesNotMatch);
            }
        }

        return Status.Success;
    }

    /// <summary>Every term's topology key must be on the node and some matching pod must share the domain — except for
    /// the first pod of a group that matches its own terms when no matching pod exists anywhere.</summary>
    private static bool SatisfiesAffinity(FilterCounts counts, PodInfo pod, NodeInfo node)
    {
        bool podsExist = true;
        foreach (AffinityTerm term in pod.RequiredAffinity)
        {
            if (!node.Labels.TryGetValue(term.TopologyKey, out string? value))
            {
                return false;
            }

            if (counts.Affinity.GetValueOrDefault((term.TopologyKey, value)) <= 0)
            {
                podsExist = false;
            }
        }

        return podsExist || (counts.Affinity.Count == 0 && pod.RequiredAffinity.All(t => t.Matches(pod)));
    }

    public Status PreScore(CycleState state, PodInfo pod, IReadOnlyList<NodeInfo> feasible, IReadOnlyList<NodeInfo> all)
    {
        bool incomingPreferred = pod.PreferredAffinity.Count + pod.PreferredAntiAffinity.Count > 0;
        var scores = new Dictionary<(string, string), long>();
        foreach (NodeInfo node in incomingPreferred ? all : NodeInfoList.WithPodsWithAffinity(all))
        {
            List<PodInfo> candidates = incomingPreferred ? node.Pods : node.PodsWithAffinity;
            foreach (PodInfo existing in candidates)
            {
                Accumulate(scores, node, pod.PreferredAffinity, existing, +1);
                Accumulate(scores, node, pod.PreferredAntiAffinity, existing, -1);
                Accumulate(scores, node, existing.PreferredAffinity, pod, +1);
                Accumulate(scores, node, existing.PreferredAntiAffinity, pod, -1);
                foreach (AffinityTerm term in existing.RequiredAffinity)
                {
                    if (node.Labels.TryGetValue(term.TopologyKey, out string? value) && term.Matches(pod))
                    {
                        scores[(term.TopologyKey, value)] = scores.GetValueOrDefault((term.TopologyKey, value)) + HardPodAffinityWeight;
                    }
                }
            }
        }

        if (scores.Count == 0)
        {
            return Status.Skip;
        }

        state.Write(ScoreKey, scores);
        return Status.Success;
    }

    private static void Accumulate(Dictionary<(string, string), long> scores, NodeInfo node, IReadOnlyList<WeightedAffinityTerm> terms,
        PodInfo target, int sign)
    {
        foreach (WeightedAffinityTerm weighted in terms)
        {
            if (node.Labels.TryGetValue(weighted.Term.TopologyKey, out string? value) && weighted.Term.Matches(target))
            {
                scores[(weighted.Term.TopologyKey, value)] = scores.GetValueOrDefault((weighted.Term.TopologyKey, value)) + (sign * weighted.Weight);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public long Score(CycleState state, PodInfo pod, NodeInfo node)
    {
        Dictionary<(string, string), long>? scores = state.Read<Dictionary<(string, string), long>>(ScoreKey);
        if (scores is null)
        {
            return 0;
        }

        long total = 0;
        foreach (((string key, string value), long score) in scores)
        {
            if (node.Labels.TryGetValue(key, out string? actual) && actual == value)
            {
                total += score;
            }
        }

        return total;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Normalize(CycleState state, PodInfo pod, long[] scores)
    {
        if (scores.Length == 0)
        {
            return;
        }

        long min = scores.Min();
        long max = scores.Max();
        for (int i = 0; i < scores.Length; i++)
        {
            scores[i] = max - min > 0 ? (long)(IScorePlugin.MaxNodeScore * ((double)(scores[i] - min) / (max - min))) : 0;
        }
    }

    private static void Increment(Dictionary<(string, string), long> counts, (string, string) pair) =>
        counts[pair] = counts.GetValueOrDefault(pair) + 1;

    private sealed class FilterCounts
    {
        public Dictionary<(string, string), long> ExistingAntiAffinity { get; } = [];

        public Dictionary<(string, string), long> Affinity { get; } = [];

        public Dictionary<(string, string), long> AntiAffinity { get; } = [];
    }
}
