using System.Runtime.CompilerServices;
using Korvet.Api.Core.V1;
using Korvet.Scheduler.Framework;

namespace Korvet.Scheduler.Plugins;

/// <summary>
/// TaintToleration. Filter: the first NoSchedule/NoExecute taint the pod does not tolerate rejects the node
/// ("node(s) had untolerated taint {key: value}"). Score: fewer untolerated PreferNoSchedule taints is better
/// (reverse-normalized count).
/// </summary>
public sealed class TaintTolerationPlugin : IFilterPlugin, IScorePlugin
{
    public string Name => "TaintToleration";

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public Status Filter(CycleState state, PodInfo pod, NodeInfo node)
    {
        List<Toleration>? tolerations = pod.Pod.Spec?.Tolerations;
        IReadOnlyList<Taint> taints = node.Taints;
        for (int i = 0; i < taints.Count; i++)
        {
            Taint taint = taints[i];
            if (taint.Effect is "NoSchedule" or "NoExecute" && !Matching.Tolerated(tolerations, taint))
            {
                return Status.UnschedulableAndUnresolvable($"node(s) had untolerated taint {{{taint.Key}: {taint.Value}}}");
            }
        }

        return Status.Success;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public long Score(CycleState state, PodInfo pod, NodeInfo node)
    {
        long count = 0;
        List<Toleration>? tolerations = pod.Pod.Spec?.Tolerations;
        IReadOnlyList<Taint> taints = node.Taints;
        for (int i = 0; i < taints.Count; i++)
        {
            if (taints[i].Effect == "PreferNoSchedule" && !ToleratesPreferNoSchedule(tolerations, taints[i]))
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>Only tolerations with an empty or PreferNoSchedule effect count here (upstream's filter of the list).</summary>
    private static bool ToleratesPreferNoSchedule(List<Toleration>? tolerations, Taint taint)
    {
        foreach (Toleration t in tolerations ?? [])
        {
            if ((string.IsNullOrEmpty(t.Effect) || t.Effect == "PreferNoSchedule") && Matching.Tolerates(t, taint))
            {
                return true;
            }
        }

        return false;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Normalize(CycleState state, PodInfo pod, long[] scores) => ScoreNormalization.Default(scores, reverse: true);
}
