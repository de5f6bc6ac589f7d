using Korvet.Api.Core.V1;
using Korvet.Api.Meta.V1;

namespace Korvet.Controllers.Namespace;

/// <summary>What one pass of content deletion found (upstream's deleteAllContent result).</summary>
/// <param name="Remaining">Objects still present per resource ("pods." style, as upstream prints group-resources).</param>
/// <param name="Finalizers">Objects still present per finalizer they carry.</param>
/// <param name="DeleteFailures">Resources whose deletecollection/list failed, with the error.</param>
public sealed record ContentStatus(IReadOnlyDictionary<string, int> Remaining, IReadOnlyDictionary<string, int> Finalizers,
    IReadOnlyList<string> DeleteFailures)
{
    public bool Empty => Remaining.Count == 0 && DeleteFailures.Count == 0;
}

/// <summary>
/// The namespace deletion conditions upstream's namespace controller keeps on a terminating namespace (types, reasons
/// and message shapes of pkg/controller/namespace/deletion/status_condition_utils.go). Pure.
/// </summary>
public static class NamespaceConditions
{
    public static List<NamespaceCondition> For(ContentStatus status, DateTimeOffset now)
    {
        var time = new Time(now);
        NamespaceCondition Make(string type, bool isTrue, string reason, string message) =>
            new() { Type = type, Status = isTrue ? "True" : "False", Reason = reason, Message = message, LastTransitionTime = time };

        string remaining = string.Join(", ", status.Remaining.OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => $"{p.Key} has {p.Value} resource instances"));
        string finalizers = string.Join(", ", status.Finalizers.OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => $"{p.Key} in {p.Value} resource instances"));
        return
        [
            Make("NamespaceDeletionDiscoveryFailure", false, "ResourcesDiscovered", "All resources successfully discovered"),
            Make("NamespaceDeletionGroupVersionParsingFailure", false, "ParsedGroupVersions", "All legacy kube types successfully parsed"),
            status.DeleteFailures.Count == 0
                ? Make("NamespaceDeletionContentFailure", false, "ContentDeleted", "All content successfully deleted, may be waiting on finalization")
                : Make("NamespaceDeletionContentFailure", true, "ContentDeletionFailed",
                    "Failed to delete all resource types, " + status.DeleteFailures.Count + " remaining: " + string.Join(", ", status.DeleteFailures)),
            status.Remaining.Count == 0
                ? Make("NamespaceContentRemaining", false, "ContentRemoved", "All content successfully removed")
                : Make("NamespaceContentRemaining", true, "SomeResourcesRemain", "Some resources are remaining: " + remaining),
            status.Finalizers.Count == 0
                ? Make("NamespaceFinalizersRemaining", false, "ContentHasNoFinalizers", "All content-preserving finalizers finished")
                : Make("NamespaceFinalizersRemaining", true, "SomeFinalizersRemain", "Some content in the namespace has finalizers remaining: " + finalizers),
        ];
    }

    /// <summary>
    /// The namespace's conditions with <paramref name="desired"/> merged in: a condition whose status, reason and message
    /// did not change keeps its old lastTransitionTime. Returns null when nothing changed.
    /// </summary>
    public static List<NamespaceCondition>? Merge(IReadOnlyList<NamespaceCondition>? current, IReadOnlyList<NamespaceCondition> desired)
    {
        var result = new List<NamespaceCondition>(current ?? []);
        bool changed = false;
        foreach (NamespaceCondition want in desired)
        {
            int i = result.FindIndex(c => c.Type == want.Type);
            if (i >= 0 && result[i].Status == want.Status && result[i].Reason == want.Reason && result[i].Message == want.Message)
            {
                continue;
            }

            changed = true;
            if (i >= 0)
            {
                result[i] = want;
            }
            else
            {
                result.Add(want);
            }
        }

        return changed ? result : null;
    }
}
