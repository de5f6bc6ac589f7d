using System.Runtime.CompilerServices;

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
/// Filter and Score run over chunks of nodes on up to <see cref="Parallelism"/> threads (upstream's parallelizer);
/// the filter results are merged in node order, so the feasible set, the statuses and the next start index are
/// exactly those of a one-thread pass (a few nodes past the stopping point may be filtered and then ignored).
/// Plugins whose PreFilter/PreScore returned Skip are not called per node.
/// Not thread-safe: one scheduling loop owns it; callers hold the cache's lock while it runs (plugins' Filter and
/// Score are called concurrently for different nodes, reading only the cycle state and the nodes).
/// </summary>
public sealed class SchedulingAlgorithm
{
    /// <summary>Nodes per parallel work item: large enough that handing one out costs little next to filtering it.</summary>
    public const int ChunkSize = 32;

    private const int MinFeasibleNodesToFind = 100;
    private const int MinFeasibleNodesPercentageToFind = 5;

    private readonly SchedulerProfile _profile;
    private readonly FilterCall[] _filters;
    private readonly ScoreCall[] _scores;
    private readonly Random _random;
    private readonly int _parallelism;
    private Status?[] _filterResults = [];

    /// <summary>Score rows (one per score plugin, then the totals) reused while the feasible count stays the same —
    /// it does in large clusters, where every cycle stops at the same number of feasible nodes.</summary>
    private long[][] _scoreRows = [];

    /// <summary>This cycle's feasible nodes (reused; plugins never keep the list they are given).</summary>
    private readonly List<NodeInfo> _feasible = [];
    private int _nextStartNodeIndex;

    /// <param name="profile">The plugins.</param>
    /// <param name="random">Tie-breaking between equally scored nodes.</param>
    /// <param name="parallelism">Threads that filter and score (0 = <see cref="Environment.ProcessorCount"/>; 1 = this thread only).</param>
    public SchedulingAlgorithm(SchedulerProfile profile, Random? random = null, int parallelism = 0)
    {
        _profile = profile;
        // Delegates bound to each plugin's own method: one indirect call per node instead of interface dispatch
        // through a megamorphic call site.
        _filters = [.. profile.Filter.Select(p => new FilterCall(p.Name, p.Filter))];
        _scores = [.. profile.Score.Select(w => new ScoreCall(w.Plugin, w.Plugin.Score, w.Weight))];
        _random = random ?? new Random();
        _parallelism = parallelism > 0 ? parallelism : Environment.ProcessorCount;
    }

    public SchedulerProfile Profile => _profile;

    public int Parallelism => _parallelism;

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

        FilterCall[] filters = ActiveFilters(state);
        List<NodeInfo> list = nodes as List<NodeInfo> ?? (nodes as NodeInfoList)?.Items ?? [.. nodes];
        int count = list.Count;
        int toFind = NumFeasibleNodesToFind(count, _profile.PercentageOfNodesToScore);
        int start = _nextStartNodeIndex % count;
        if (_filterResults.Length < count)
        {
            _filterResults = new Status?[count];
        }

        Status?[] results = _filterResults;
        int evaluated = EvaluateFilters(filters, state, pod, list, start, toFind, results);
        List<NodeInfo> feasible = _feasible;
        feasible.Clear();
        Dictionary<string, Status>? statuses = null;
        int processed = 0;
        try
        {
            // The merge is the sequential pass: the evaluated prefix holds every node it would have looked at.
            for (; processed < evaluated && feasible.Count < toFind; processed++)
            {
                NodeInfo node = list[(start + processed) % count];
                Status status = results[processed]!;
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
                    (statuses ??= new Dictionary<string, Status>(StringComparer.Ordinal))[node.Name] = status;
                }
            }
        }
        finally
        {
            Array.Clear(results, 0, evaluated);
        }

        _nextStartNodeIndex = (start + processed) % count;
        if (feasible.Count == 0)
        {
            statuses ??= new Dictionary<string, Status>(StringComparer.Ordinal);
            var fit = new FitError(count, "", statuses, Preemption.Message(pod, statuses, nodes));
            return new ScheduleResult(null, state, processed, 0, fit, null);
        }

        if (feasible.Count == 1)
        {
            return new ScheduleResult(feasible[0].Name, state, processed, 1, null, null);
        }

        return new ScheduleResult(SelectHost(state, pod, feasible, nodes), state, processed, feasible.Count, null, null);
    }

    /// <summary>Runs the filters on one node; the first rejection wins (later filters are not asked).</summary>
    public Status RunFilters(CycleState state, PodInfo pod, NodeInfo node) => RunFilters(ActiveFilters(state), state, pod, node);

    private FilterCall[] ActiveFilters(CycleState state)
    {
        if (state.SkippedFilter.Count == 0)
        {
            return _filters;
        }

        var active = new List<FilterCall>(_filters.Length);
        foreach (FilterCall filter in _filters)
        {
            if (!state.SkippedFilter.Contains(filter.Name))
            {
                active.Add(filter);
            }
        }

        return [.. active];
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static Status RunFilters(FilterCall[] filters, CycleState state, PodInfo pod, NodeInfo node)
    {
        foreach (FilterCall filter in filters)
        {
            Status status = filter.Run(state, pod, node);
            if (!status.IsSuccess)
            {
                return status.WithPlugin(filter.Name);
            }
        }

        return Status.Success;
    }

    /// <summary>
    /// Filters nodes start, start+1, … (wrapping) into <paramref name="results"/>[0..k) and returns k: at least up to
    /// the <paramref name="toFind"/>-th feasible node or the first error, or all nodes.
    /// </summary>
    private int EvaluateFilters(FilterCall[] filters, CycleState state, PodInfo pod, List<NodeInfo> nodes, int start,
        int toFind, Status?[] results)
    {
        int count = nodes.Count;
        if (_parallelism == 1 || count <= ChunkSize)
        {
            return FilterPrefix(filters, state, pod, nodes, start, toFind, results);
        }

        int found = 0;
        int failed = 0;
        int chunks = (count + ChunkSize - 1) / ChunkSize;
        int ran = ChunkedParallel.Run(chunks, _parallelism,
            chunk =>
            {
                int from = chunk * ChunkSize;
                int to = Math.Min(count, from + ChunkSize);
                int ok = FilterChunk(filters, state, pod, nodes, start, from, to, results, out bool error);
                if (error)
                {
                    Volatile.Write(ref failed, 1);
                }

                Interlocked.Add(ref found, ok);
            },
            () => Volatile.Read(ref found) >= toFind || Volatile.Read(ref failed) != 0);
        return Math.Min(count, ran * ChunkSize);
    }

    /// <summary>Filters positions [0, count) in order until the <paramref name="toFind"/>-th feasible node or the
    /// first error; returns the end of what it evaluated.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int FilterPrefix(FilterCall[] filters, CycleState state, PodInfo pod, List<NodeInfo> nodes, int start,
        int toFind, Status?[] results)
    {
        int count = nodes.Count;
        int feasible = 0;
        for (int i = 0; i < count; i++)
        {
            Status status = RunFilters(filters, state, pod, nodes[(start + i) % count]);
            results[i] = status;
            if ((status.IsSuccess && ++feasible >= toFind) || status.Code == StatusCode.Error)
            {
                return i + 1;
            }
        }

        return count;
    }

    /// <summary>Filters positions [from, to) (one chunk); returns the feasible count, <paramref name="error"/> when a
    /// filter failed internally.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int FilterChunk(FilterCall[] filters, CycleState state, PodInfo pod, List<NodeInfo> nodes, int start,
        int from, int to, Status?[] results, out bool error)
    {
        int count = nodes.Count;
        int feasible = 0;
        error = false;
        for (int i = from; i < to; i++)
        {
            Status status = RunFilters(filters, state, pod, nodes[(start + i) % count]);
            results[i] = status;
            if (status.IsSuccess)
            {
                feasible++;
            }
            else if (status.Code == StatusCode.Error)
            {
                error = true;
            }
        }

        return feasible;
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

        var active = new List<ScoreCall>(_scores.Length);
        foreach (ScoreCall score in _scores)
        {
            if (!state.SkippedScore.Contains(score.Plugin.Name))
            {
                active.Add(score);
            }
        }

        int count = feasible.Count;
        ScoreCall[] plugins = [.. active];
        long[][] scores = ScoreRows(count);

        if (_parallelism == 1 || count <= ChunkSize)
        {
            ScoreRange(plugins, state, pod, feasible, 0, count, scores);
        }
        else
        {
            ChunkedParallel.Run((count + ChunkSize - 1) / ChunkSize, _parallelism,
                chunk => ScoreRange(plugins, state, pod, feasible, chunk * ChunkSize, Math.Min(count, (chunk + 1) * ChunkSize), scores),
                static () => false);
        }

        long[] totals = scores[^1];
        for (int p = 0; p < plugins.Length; p++)
        {
            plugins[p].Plugin.Normalize(state, pod, scores[p]);
            long weight = plugins[p].Weight;
            long[] normalized = scores[p];
            for (int i = 0; i < count; i++)
            {
                totals[i] += normalized[i] * weight;
            }
        }

        // Reservoir sampling over the ties: every best node is equally likely.
        int best = 0;
        int ties = 1;
        for (int i = 1; i < count; i++)
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

    /// <summary>_scores.Length + 1 zeroed rows of <paramref name="count"/> (plugin rows first, totals last).</summary>
    private long[][] ScoreRows(int count)
    {
        if (_scoreRows.Length != _scores.Length + 1 || _scoreRows[0].Length != count)
        {
            _scoreRows = new long[_scores.Length + 1][];
            for (int i = 0; i < _scoreRows.Length; i++)
            {
                _scoreRows[i] = new long[count];
            }

            return _scoreRows;
        }

        foreach (long[] row in _scoreRows)
        {
            Array.Clear(row);
        }

        return _scoreRows;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ScoreRange(ScoreCall[] plugins, CycleState state, PodInfo pod, List<NodeInfo> feasible, int from, int to, long[][] scores)
    {
        for (int i = from; i < to; i++)
        {
            NodeInfo node = feasible[i];
            for (int p = 0; p < plugins.Length; p++)
            {
                scores[p][i] = plugins[p].Run(state, pod, node);
            }
        }
    }

    private delegate Status FilterFn(CycleState state, PodInfo pod, NodeInfo node);

    private delegate long ScoreFn(CycleState state, PodInfo pod, NodeInfo node);

    private readonly record struct FilterCall(string Name, FilterFn Run);

    private readonly record struct ScoreCall(IScorePlugin Plugin, ScoreFn Run, long Weight);
}
