using System.Globalization;

namespace Korvet.Scheduler.Framework;

/// <summary>
/// The PostFilter (preemption) part of the FailedScheduling message, computed like upstream's DefaultPreemption does
/// when it finds no candidate: nodes rejected as unresolvable are "Preemption is not helpful for scheduling"; nodes
/// without lower-priority pods are "No preemption victims found for incoming pod". Korvet does not evict victims
/// yet: a node that has lower-priority pods keeps its filter reasons.
/// </summary>
public static class Preemption
{
    public static string Message(PodInfo pod, IReadOnlyDictionary<string, Status> statuses, IReadOnlyList<NodeInfo> nodes)
    {
        if (pod.Pod.Spec?.PreemptionPolicy == "Never")
        {
            return "preemption: not eligible due to preemptionPolicy=Never.";
        }

        var byName = new Dictionary<string, NodeInfo>(nodes.Count, StringComparer.Ordinal);
        foreach (NodeInfo node in nodes)
        {
            byName[node.Name] = node;
        }

        var reasons = new List<string>(statuses.Count);
        foreach ((string name, Status status) in statuses)
        {
            if (status.Code == StatusCode.UnschedulableAndUnresolvable)
            {
                reasons.Add(FitError.PreemptionNotHelpful);
            }
            else if (!byName.TryGetValue(name, out NodeInfo? node) || !node.Pods.Any(p => p.Priority < pod.Priority))
            {
                reasons.Add(FitError.NoPreemptionVictims);
            }
            else
            {
                reasons.AddRange(status.Reasons);
            }
        }

        return string.Create(CultureInfo.InvariantCulture, $"preemption: 0/{statuses.Count} nodes are available: {FitError.Histogram(reasons)}.");
    }
}
