namespace Korvet.Scheduler.Framework;

/// <summary>The outcome of one scheduling cycle: a node, or why none (FitError), or an internal error.</summary>
public sealed record ScheduleResult(string? NodeName, CycleState State, int EvaluatedNodes, int FeasibleNodes, FitError? FitError, string? Error)
{
    public bool Succeeded => NodeName is not null;

    /// <summary>The cluster had no nodes at all (upstream's "no nodes available to schedule pods").</summary>
    public bool NoNodes { get; init; }

    /// <summary>The FailedScheduling message for an unsuccessful cycle.</summary>
    public string FailureMessage => NoNodes ? FitError.NoNodesAvailable : FitError?.Message ?? Error ?? "";
}

/// <summary>
/// One scheduling cycle over the cache's nodes, as upstream's schedulePod: PreFilter, Filter (stopping once enough
/// feasible nodes are found — upstream's adaptive percentage — starting where the previous cycle stopped so every node
/// gets its turn), PreScore, Score × weight with normalization, then the best total (ties broken at random).
/// Not thread-safe: one scheduling loop owns it; callers hold the cache's lock while it runs.
/// </summary>
public sealed class SchedulingAlgorithm
{
    private const int MinFeasibleNodesToFind = 100;
    private const int MinFeasibleNodesPercentageToFind = 5;

    private readonly SchedulerProfile _profile;
    private readonly Random _random;
    private int _nextStartNodeIndex;

    public SchedulingAlgorithm(SchedulerProfile profile, Random? random = null)
    {
        _profile = profile;
        _random = random ?? new Random();
    }

    public SchedulerProfile Profile => _profile;

    /// <summary>Upstream's numFeasibleNodesToFind.</summary>
    public static int NumFeasibleNodesToFind(int numAllNodes, int percentageOfNodesToScore)
    {
        if (numAllNodes < MinFeasibleNodesToFind)
        {
            return numAllNodes;
        }

        int percentage = percentageOfNodesToScore;
        if (percentage <= 0)
        {
            percentage = Math.Max(MinFeasibleNodesPercentageToFind, 50 - (numAllNodes / 125));
        }

        int numNodes = (int)((long)numAllNodes * percentage / 100);
        return Math.Max(numNodes, MinFeasibleNodesToFind);
    }

    public ScheduleResult Schedule(PodInfo pod, IReadOnlyList<NodeInfo> nodes)
    {
        var state = new CycleState();
        if (nodes.Count == 0)
        {
            return new ScheduleResult(null, state, 0, 0, null, null) { NoNodes = true };
        }

        foreach (IPreFilterPlugin plugin in _profile.PreFilter)
        {
            Status status = plugin.PreFilter(state, pod, nodes).WithPlugin(plugin.Name);
            if (status.Code == StatusCode.Skip)
            {
                state.SkippedFilter.Add(plugin.Name);
            }
            else if (status.Code == StatusCode.Error)
            {
                return new ScheduleResult(null, state, 0, 0, null, $"running PreFilter plugin \"{plugin.Name}\": {status.Message}");
            }
            else if (status.IsRejected)
            {
                var all = nodes.ToDictionary(n => n.Name, _ => status, StringComparer.Ordinal);
                return new ScheduleResult(null, state, 0, 0, new FitError(nodes.Count, status.Message, all, ""), null);
            }
        }

        int toFind = NumFeasibleNodesToFind(nodes.Count, _profile.PercentageOfNodesToScore);
        var feasible = new List<NodeInfo>(Math.Min(toFind, nodes.Count));
        var statuses = new Dictionary<string, Status>(StringComparer.Ordinal);
        int start = _nextStartNodeIndex % nodes.Count;
        int processed = 0;
        for (; processed < nodes.Count && feasible.Count < toFind; processed++)
        {
            NodeInfo node = nodes[(start + processed) % nodes.Count];
            Status status = RunFilters(state, pod, node);
            if (status.IsSuccess)
            {
                feasible.Add(node);
            }
            else if (status.Code == StatusCode.Error)
            {
                return new ScheduleResult(null, state, processed + 1, feasible.Count, null,
                    $"running \"{status.Plugin}\" filter plugin: {status.Message}");
            }
            else
            {
                statuses[node.Name] = status;
            }
        }

        _nextStartNodeIndex = (start + processed) % nodes.Count;
        if (feasible.Count == 0)
        {
            var fit = new FitError(nodes.Count, "", statuses, Preemption.Message(pod, statuses, nodes));
            return new ScheduleResult(null, state, processed, 0, fit, null);
        }

        if (feasible.Count == 1)
        {
            return new ScheduleResult(feasible[0].Name, state, processed, 1, null, null);
        }

        return new ScheduleResult(SelectHost(state, pod, feasible, nodes), state, processed, feasible.Count, null, null);
    }

    /// <summary>Runs the filters on one node; the first rejection wins (later filters are not asked).</summary>
    public Status RunFilters(CycleState state, PodInfo pod, NodeInfo node)
    {
        foreach (IFilterPlugin plugin in _profile.Filter)
        {
            if (state.SkippedFilter.Contains(plugin.Name))
            {
                continue;
            }

            Status status = plugin.Filter(state, pod, node);
            if (!status.IsSuccess)
            {
                return status.WithPlugin(plugin.Name);
            }
        }

        return Status.Success;
    }

    private string SelectHost(CycleState state, PodInfo pod, List<NodeInfo> feasible, IReadOnlyList<NodeInfo> all)
    {
        foreach (IPreScorePlugin plugin in _profile.PreScore)
        {
            Status status = plugin.PreScore(state, pod, feasible, all);
            if (status.Code == StatusCode.Skip)
            {
                state.SkippedScore.Add(plugin.Name);
            }
        }

        var totals = new long[feasible.Count];
        var scores = new long[feasible.Count];
        foreach (WeightedScorePlugin weighted in _profile.Score)
        {
            IScorePlugin plugin = weighted.Plugin;
            if (state.SkippedScore.Contains(plugin.Name))
            {
                continue;
            }

            for (int i = 0; i < feasible.Count; i++)
            {
                scores[i] = plugin.Score(state, pod, feasible[i]);
            }

            plugin.Normalize(state, pod, scores);
            for (int i = 0; i < feasible.Count; i++)
            {
                totals[i] += scores[i] * weighted.Weight;
            }
        }

        // Reservoir sampling over the ties: every best node is equally likely.
        int best = 0;
        int ties = 1;
        for (int i = 1; i < feasible.Count; i++)
        {
            if (totals[i] > totals[best])
            {
                best = i;
                ties = 1;
            }
            else if (totals[i] == totals[best])
            {
                ties++;
                if (_random.Next(ties) == 0)
                {
                    best = i;
                }
            }
        }

        return feasible[best].Name;
    }
}
