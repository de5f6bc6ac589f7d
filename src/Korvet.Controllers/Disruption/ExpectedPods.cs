using Korvet.Api.Core.V1;
using Korvet.Api.IntStr;
using Korvet.Api.Meta.V1;
using Korvet.Api.Policy.V1;
using Korvet.Controllers.Deployments;
using Korvet.Controllers.ReplicaSets;

namespace Korvet.Controllers.Disruption;

/// <summary>A pod's controller and its desired scale, or null when <see cref="IScaleFinder"/> does not know it.</summary>
public sealed record ControllerScale(string Uid, int Scale);

/// <summary>Finds the controller of a pod and its scale (upstream's finders: ReplicaSet, Deployment through its
/// ReplicaSet, ReplicationController, StatefulSet), from caches.</summary>
public interface IScaleFinder
{
    ControllerScale? Find(OwnerReference controllerRef, string ns);
}

/// <summary>
/// getExpectedPodCount: an integer minAvailable expects the selected pods themselves; a percentage minAvailable and any
/// maxUnavailable expect the summed scale of the pods' controllers (each counted once), percentages rounded up.
/// Pods without a controller are reported (upstream records an UnmanagedPods event) and not counted.
/// </summary>
public static class ExpectedPods
{
    /// <exception cref="InvalidOperationException">a pod's controller is not found, or a value is not an integer or "N%".</exception>
    public static (int Expected, int DesiredHealthy, IReadOnlyList<string> Unmanaged) Calculate(PodDisruptionBudget budget,
        IReadOnlyList<Pod> pods, IScaleFinder finder)
    {
        PodDisruptionBudgetSpec? spec = budget.Spec;
        var unmanaged = new List<string>();
        if (spec?.MaxUnavailable is IntOrString maxUnavailable)
        {
            int expected = ExpectedScale(pods, finder, unmanaged);
            int desired = Math.Max(0, expected - Scaled(maxUnavailable, expected));
            return (expected, desired, unmanaged);
        }

        if (spec?.MinAvailable is IntOrString minAvailable)
        {
            if (minAvailable.IsInt)
            {
                return (pods.Count, minAvailable.IntValue, unmanaged);
            }

            int expected = ExpectedScale(pods, finder, unmanaged);
            return (expected, Scaled(minAvailable, expected), unmanaged);
        }

        return (0, 0, unmanaged);
    }

    private static int Scaled(IntOrString value, int total)
    {
        try
        {
            return IntOrPercent.Scaled(value, total, roundUp: true);
        }
        catch (FormatException e)
        {
            throw new InvalidOperationException(e.Message, e);
        }
    }

    private static int ExpectedScale(IReadOnlyList<Pod> pods, IScaleFinder finder, List<string> unmanaged)
    {
        // Keyed by the controller found (a Deployment for its ReplicaSets' pods), so each scale is counted once.
        var scales = new Dictionary<string, int>(StringComparer.Ordinal);
        var seenRefs = new HashSet<string>(StringComparer.Ordinal);
        foreach (Pod pod in pods)
        {
            OwnerReference? controllerRef = PodState.ControllerOf(pod.Metadata);
            if (controllerRef is null)
            {
                unmanaged.Add(pod.Metadata?.Name ?? "");
                continue;
            }

            if (!seenRefs.Add(controllerRef.Uid))
            {
                continue;
            }

            ControllerScale found = finder.Find(controllerRef, pod.Metadata?.Namespace ?? "")
                ?? throw new InvalidOperationException($"found no controllers for pod \"{pod.Metadata?.Name}\"");
            scales[found.Uid] = found.Scale;
        }

        return scales.Values.Sum();
    }
}
