using Korvet.Api.Core.V1;

namespace Korvet.Controllers.PodGc;

/// <summary>Pod GC settings (upstream's --terminated-pod-gc-threshold; quarantine and period as upstream's constants).</summary>
/// <param name="TerminatedPodThreshold">Terminated pods kept before the oldest are deleted; 0 or less disables that part.</param>
/// <param name="Period">How often the collector runs.</param>
/// <param name="Quarantine">How long a pod's node must be absent (and then confirmed absent by a live read) first.</param>
public sealed record PodGcOptions(int TerminatedPodThreshold = 12500, TimeSpan? Period = null, TimeSpan? Quarantine = null)
{
    public TimeSpan EffectivePeriod => Period ?? TimeSpan.FromSeconds(20);

    public TimeSpan EffectiveQuarantine => Quarantine ?? TimeSpan.FromSeconds(40);
}

/// <summary>
/// Which pods the pod garbage collector removes (upstream's podgc): terminated pods beyond the threshold, oldest first;
/// pods bound to nodes that no longer exist; pods being deleted that were never scheduled. Pure.
/// </summary>
public static class PodGcPlanner
{
    public static bool IsTerminated(Pod pod) => pod.Status?.Phase is "Succeeded" or "Failed";

    /// <summary>The terminated pods over <paramref name="threshold"/>, oldest (by creation, then name) first.</summary>
    public static List<Pod> TerminatedOverThreshold(IEnumerable<Pod> pods, int threshold)
    {
        if (threshold <= 0)
        {
            return [];
        }

        List<Pod> terminated = pods.Where(IsTerminated).ToList();
        int excess = terminated.Count - threshold;
        if (excess <= 0)
        {
            return [];
        }

        return terminated
            .OrderBy(p => p.Metadata?.CreationTimestamp?.Value ?? DateTimeOffset.MinValue)
            .ThenBy(p => p.Metadata?.Namespace, StringComparer.Ordinal)
            .ThenBy(p => p.Metadata?.Name, StringComparer.Ordinal)
            .Take(excess)
            .ToList();
    }

    /// <summary>Pods bound to a node the cache does not know: candidates for the orphan check.</summary>
    public static List<Pod> OnMissingNodes(IEnumerable<Pod> pods, IReadOnlySet<string> knownNodes) =>
        pods.Where(p => p.Spec?.NodeName is { Length: > 0 } node && !knownNodes.Contains(node)).ToList();

    /// <summary>Pods being deleted that were never bound to a node: nobody else will finish their deletion.</summary>
    public static List<Pod> UnscheduledTerminating(IEnumerable<Pod> pods) =>
        pods.Where(p => p.Metadata?.DeletionTimestamp is not null && string.IsNullOrEmpty(p.Spec?.NodeName)).ToList();
}
