using static Korvet.ApiServer.Tables.Columns;

namespace Korvet.ApiServer.Tables;

/// <summary>policy/v1 rows, as upstream's printPodDisruptionBudget: an unset minAvailable or maxUnavailable prints N/A.</summary>
internal static class PolicyPrinters
{
    public static TablePrinter PodDisruptionBudget { get; } = new(
        [
            Name,
            Str("Min Available", "The minimum number of pods that must be available."),
            Str("Max Unavailable", "The maximum number of pods that may be unavailable."),
            Int("Allowed Disruptions", "Calculated number of pods that may be disrupted at this time."),
            Age,
        ],
        (o, now) =>
        [
            o.Str("metadata", "name"),
            o.Has("spec", "minAvailable") ? o.Str("spec", "minAvailable") : "N/A",
            o.Has("spec", "maxUnavailable") ? o.Str("spec", "maxUnavailable") : "N/A",
            o.Long("status", "disruptionsAllowed"),
            o.Age(now, "metadata", "creationTimestamp"),
        ]);
}
