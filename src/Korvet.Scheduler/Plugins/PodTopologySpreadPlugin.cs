using System.Runtime.CompilerServices;
using Korvet.Api.Core.V1;
using Korvet.Scheduler.Framework;
using MetaSelector = Korvet.Api.Meta.V1.LabelSelector;
using MetaRequirement = Korvet.Api.Meta.V1.LabelSelectorRequirement;

namespace Korvet.Scheduler.Plugins;

/// <summary>
/// PodTopologySpread. DoNotSchedule constraints filter: on the node's domain, matching pods + the pod itself − the
/// least-loaded domain's count (0 when fewer than minDomains domains exist) must not exceed maxSkew; nodes without
/// the topology key are rejected as unresolvable. ScheduleAnyway constraints score: fewer matching pods in the
/// node's domain is better, weighted by log(domain count + 2) like upstream. Domains count only nodes that pass the
/// constraint's node inclusion policies (nodeAffinityPolicy default Honor, nodeTaintsPolicy default Ignore).
/// </summary>
public sealed class PodTopologySpreadPlugin : IPreFilterPlugin, IFilterPlugin, IPreScorePlugin, IScorePlugin
{
    public const string ErrReasonConstraintsNotMatch = "node(s) didn't match pod topology spread constraints";
    public const string ErrReasonNodeLabelNotMatch = ErrReasonConstraintsNotMatch + " (missing required label)";

    private const string FilterKey = "PodTopologySpread/filter";
    private const string ScoreKey = "PodTopologySpread/score";

    public string Name => "PodTopologySpread";

    public Status PreFilter(CycleState state, PodInfo pod, IReadOnlyList<NodeInfo> nodes)
    {
        List<Constraint> constraints = Constraints(pod, "DoNotSchedule");
        if (constraints.Count == 0)
        {
            return Status.Skip;
        }

        var counts = constraints.Select(_ => new Dictionary<string, long>(StringComparer.Ordinal)).ToList();
        foreach (NodeInfo node in nodes)
        {
            if (!constraints.All(c => node.Labels.ContainsKey(c.TopologyKey)))
            {
                continue;
            }

            for (int i = 0; i < constraints.Count; i++)
            {
                Constraint c = constraints[i];
                if (c.Includes(pod, node))
                {
                    string value = node.Labels[c.TopologyKey];
                    counts[i][value] = counts[i].GetValueOrDefault(value) + CountMatching(node, pod.Namespace, c.Selector);
                }
            }
        }

        var minimums = new long[constraints.Count];
        for (int i = 0; i < constraints.Count; i++)
        {
            minimums[i] = counts[i].Count == 0 || counts[i].Count < constraints[i].MinDomains ? 0 : counts[i].Values.Min();
        }

        state.Write(FilterKey, new FilterState(constraints, counts, minimums));
        return Status.Success;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public Status Filter(CycleState state, PodInfo pod, NodeInfo node)
    {
        FilterState? s = state.Read<FilterState>(FilterKey);
        if (s is null)
        {
            return Status.Success;
        }

        for (int i = 0; i < s.Constraints.Count; i++)
        {
            Constraint c = s.Constraints[i];
            if (!node.Labels.TryGetValue(c.TopologyKey, out string? value))
            {
                return Status.UnschedulableAndUnresolvable(ErrReasonNodeLabelNotMatch);
            }

            long self = Matching.Matches(c.Selector, pod.Labels) ? 1 : 0;
            long skew = s.Counts[i].GetValueOrDefault(value) + self - s.Minimums[i];
            if (skew > c.MaxSkew)
            {
                return Status.Unschedulable(ErrReasonConstraintsNotMatch);
            }
        }

        return Status.Success;
    }

    public Status PreScore(CycleState state, PodInfo pod, IReadOnlyList<NodeInfo> feasible, IReadOnlyList<NodeInfo> all)
    {
        List<Constraint> constraints = Constraints(pod, "ScheduleAnyway");
        if (constraints.Count == 0)
        {
            return Status.Skip;
        }

        var counts = constraints.Select(_ => new Dictionary<string, long>(StringComparer.Ordinal)).ToList();
        foreach (NodeInfo node in feasible)
        {
            if (constraints.All(c => node.Labels.ContainsKey(c.TopologyKey)))
            {
                for (int i = 0; i < constraints.Count; i++)
                {
                    counts[i].TryAdd(node.Labels[constraints[i].TopologyKey], 0);
                }
            }
        }

        var weights = counts.Select(c => Math.Log(c.Count + 2)).ToArray();
        foreach (NodeInfo node in all)
        {
            if (!constraints.All(c => node.Labels.ContainsKey(c.TopologyKey)))
            {
                continue;
            }

            for (int i = 0; i < constraints.Count; i++)
            {
                string value = node.Labels[constraints[i].TopologyKey];
                if (counts[i].TryGetValue(value, out long sum) && constraints[i].Includes(pod, node))
                {
                    counts[i][value] = sum + CountMatching(node, pod.Namespace, constraints[i].Selector);
                }
            }
        }

        state.Write(ScoreKey, new ScoreState(constraints, counts, weights));
        return Status.Success;
    }

    /// <summary>−1 marks a node lacking a topology key (normalized to 0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public long Score(CycleState state, PodInfo pod, NodeInfo node)
    {
        ScoreState? s = state.Read<ScoreState>(ScoreKey);
        if (s is null)
        {
            return 0;
        }

        double score = 0;
        for (int i = 0; i < s.Constraints.Count; i++)
        {
            if (!node.Labels.TryGetValue(s.Constraints[i].TopologyKey, out string? value))
            {
                return -1;
            }

            score += (s.Counts[i].GetValueOrDefault(value) * s.Weights[i]) + (s.Constraints[i].MaxSkew - 1);
        }

        return (long)Math.Round(score);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Normalize(CycleState state, PodInfo pod, long[] scores)
    {
        long min = long.MaxValue;
        long max = long.MinValue;
        foreach (long s in scores)
        {
            if (s >= 0)
            {
                min = Math.Min(min, s);
                max = Math.Max(max, s);
            }
        }

        for (int i = 0; i < scores.Length; i++)
        {
            if (scores[i] < 0)
            {
                scores[i] = 0;
            }
            else if (max == 0)
            {
                scores[i] = IScorePlugin.MaxNodeScore;
            }
            else
            {
                scores[i] = IScorePlugin.MaxNodeScore * (max + min - scores[i]) / max;
            }
        }
    }

    private static long CountMatching(NodeInfo node, string ns, MetaSelector? selector)
    {
        long count = 0;
        foreach (PodInfo existing in node.Pods)
        {
            if (existing.Namespace == ns && !existing.IsTerminating && Matching.Matches(selector, existing.Labels))
            {
                count++;
            }
        }

        return count;
    }

    private static List<Constraint> Constraints(PodInfo pod, string whenUnsatisfiable)
    {
        var result = new List<Constraint>();
        foreach (TopologySpreadConstraint c in pod.Pod.Spec?.TopologySpreadConstraints ?? [])
        {
            if (c.WhenUnsatisfiable == whenUnsatisfiable)
            {
                result.Add(new Constraint(c, pod));
            }
        }

        return result;
    }

    private sealed class Constraint
    {
        public Constraint(TopologySpreadConstraint c, PodInfo pod)
        {
            MaxSkew = c.MaxSkew;
            TopologyKey = c.TopologyKey;
            MinDomains = c.MinDomains ?? 1;
            HonorAffinity = c.NodeAffinityPolicy is null or "" or "Honor";
            HonorTaints = c.NodeTaintsPolicy == "Honor";
            Selector = c.LabelSelector;
            if (Selector is not null && c.MatchLabelKeys is { Count: > 0 } keys)
            {
                var expressions = new List<MetaRequirement>(Selector.MatchExpressions ?? []);
                foreach (string key in keys)
                {
                    if (pod.Labels.TryGetValue(key, out string? value))
                    {
                        expressions.Add(new MetaRequirement { Key = key, Operator = "In", Values = [value] });
                    }
                }

                Selector = new MetaSelector { MatchLabels = Selector.MatchLabels, MatchExpressions = expressions };
            }
        }

        public int MaxSkew { get; }

        public string TopologyKey { get; }

        public int MinDomains { get; }

        public bool HonorAffinity { get; }

        public bool HonorTaints { get; }

        public MetaSelector? Selector { get; }

        public bool Includes(PodInfo pod, NodeInfo node)
        {
            if (HonorAffinity && !NodeAffinityPlugin.Matches(pod.Pod.Spec, node))
            {
                return false;
            }

            if (HonorTaints)
            {
                foreach (Taint taint in node.Taints)
                {
                    if (taint.Effect is "NoSchedule" or "NoExecute" && !Matching.Tolerated(pod.Pod.Spec?.Tolerations, taint))
                    {
                        return false;
                    }
                }
            }

            return true;
        }
    }

    private sealed record FilterState(List<Constraint> Constraints, List<Dictionary<string, long>> Counts, long[] Minimums);

    private sealed record ScoreState(List<Constraint> Constraints, List<Dictionary<string, long>> Counts, double[] Weights);
}
