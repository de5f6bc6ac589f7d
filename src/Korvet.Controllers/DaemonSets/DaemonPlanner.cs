using System.Globalization;
using Korvet.Api.Apps.V1;
using Korvet.Api.Core.V1;
using Korvet.Controllers.Deployments;
using Korvet.Controllers.ReplicaSets;

namespace Korvet.Controllers.DaemonSets;

/// <summary>What manage() does on one pass: nodes that get a pod, pods to delete (failed ones listed too, for events).</summary>
public sealed record ManagePlan(List<string> NodesToCreate, List<Pod> PodsToDelete, List<Pod> FailedPods, bool RetryForBackoff);

/// <summary>What one rolling-update pass does: old pods to delete and (with surge) nodes that get a new pod first.</summary>
public sealed record RollingPlan(List<Pod> PodsToDelete, List<string> NodesToCreate);

/// <summary>
/// The decisions of upstream's daemon controller (daemon_controller.go manage/podsShouldBeOnNode/updateDaemonSetStatus
/// and update.go rollingUpdate) over a snapshot: nodes, the set's claimed pods grouped by target node, the current
/// revision's hash and template generation. Nodes are visited in name order so plans are deterministic. Pure.
/// </summary>
public static class DaemonPlanner
{
    public const string RevisionHashLabel = "controller-revision-hash";
    public const string TemplateGenerationLabel = "pod-template-generation";

    /// <summary>getNodesToDaemonPods: pods by target node; pods both terminating and terminal are left out.</summary>
    public static Dictionary<string, List<Pod>> ByNode(IEnumerable<Pod> pods)
    {
        var map = new Dictionary<string, List<Pod>>(StringComparer.Ordinal);
        foreach (Pod pod in pods)
        {
            if (pod.Metadata?.DeletionTimestamp is not null && pod.Status?.Phase is "Succeeded" or "Failed")
            {
                continue;
            }

            if (DaemonNodes.TargetNode(pod) is { Length: > 0 } node)
            {
                (map.TryGetValue(node, out List<Pod>? list) ? list : map[node] = []).Add(pod);
            }
        }

        return map;
    }

    /// <summary>IsPodUpdated: the pod carries the current hash, or the current template generation.</summary>
    public static bool IsUpdated(Pod pod, string hash, long? generation)
    {
        Dictionary<string, string>? labels = pod.Metadata?.Labels;
        bool hashMatches = hash.Length > 0 && labels?.GetValueOrDefault(RevisionHashLabel) == hash;
        bool generationMatches = generation is long g &&
            labels?.GetValueOrDefault(TemplateGenerationLabel) == g.ToString(CultureInfo.InvariantCulture);
        return hashMatches || generationMatches;
    }

    /// <summary>
    /// manage(): per node, create a pod where one should run and none exists (terminating pods still count); where pods
    /// may keep running, delete failed pods (when <paramref name="mayDeleteFailed"/> allows: the backoff) and succeeded
    /// ones, and duplicates (the oldest stays; with surge one new and one old stay while the new one is not ready);
    /// where no pod may run, delete them all. Pods pinned to nodes that do not exist and still unbound are deleted.
    /// </summary>
    public static ManagePlan Manage(IReadOnlyList<Node> nodes, PodSpec eligibility, Dictionary<string, List<Pod>> byNode,
        string hash, bool allowsSurge, Func<string, bool> mayDeleteFailed)
    {
        var create = new List<string>();
        var delete = new List<Pod>();
        var failed = new List<Pod>();
        bool retry = false;
        foreach (Node node in nodes.OrderBy(n => n.Metadata?.Name, StringComparer.Ordinal))
        {
            string name = node.Metadata?.Name ?? "";
            NodeFit fit = DaemonNodes.Fit(node, eligibility);
            List<Pod> pods = byNode.GetValueOrDefault(name) ?? [];
            if (fit.ShouldRun && pods.Count == 0)
            {
                create.Add(name);
            }
            else if (fit.ShouldContinueRunning)
            {
                var running = new List<Pod>();
                foreach (Pod pod in pods.Where(p => p.Metadata?.DeletionTimestamp is null))
                {
                    switch (pod.Status?.Phase)
                    {
                        case "Failed":
                            if (mayDeleteFailed(name))
                            {
                                failed.Add(pod);
                                delete.Add(pod);
                            }
                            else
                            {
                                retry = true;
                            }

                            break;
                        case "Succeeded":
                            delete.Add(pod);
                            break;
                        default:
                            running.Add(pod);
                            break;
                    }
                }

                delete.AddRange(Excess(running, hash, allowsSurge));
            }
            else
            {
                delete.AddRange(pods.Where(p => p.Metadata?.DeletionTimestamp is null));
            }
        }

        HashSet<string> known = [.. nodes.Select(n => n.Metadata?.Name ?? "")];
        foreach ((string node, List<Pod> pods) in byNode.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (!known.Contains(node))
            {
                delete.AddRange(pods.Where(p => string.IsNullOrEmpty(p.Spec?.NodeName) && p.Metadata?.DeletionTimestamp is null));
            }
        }

        return new ManagePlan(create, delete, failed, retry);
    }

    /// <summary>
    /// updatedDesiredNodeCounts: maxSurge and maxUnavailable scaled on the desired node count (rounded up); both zero
    /// means maxUnavailable 1. OnDelete or no rolling parameters: (0, 1).
    /// </summary>
    public static (int MaxSurge, int MaxUnavailable) Limits(DaemonSetUpdateStrategy? strategy, int desired)
    {
        RollingUpdateDaemonSet? rolling = strategy?.Type is null or "RollingUpdate" ? strategy?.RollingUpdate : null;
        int surge = IntOrPercent.Scaled(rolling?.MaxSurge, desired, roundUp: true);
        int unavailable = rolling?.MaxUnavailable is null ? 1 : IntOrPercent.Scaled(rolling.MaxUnavailable, desired, roundUp: true);
        if (surge == 0 && unavailable == 0)
        {
            unavailable = 1;
        }

        return (surge, unavailable);
    }

    /// <summary>AllowsSurge: a RollingUpdate whose maxSurge is not zero.</summary>
    public static bool AllowsSurge(DaemonSetUpdateStrategy? strategy)
    {
        IntOrPercentHolder surge = new(strategy?.Type is null or "RollingUpdate" ? strategy?.RollingUpdate?.MaxSurge : null);
        return surge.NonZero;
    }

    /// <summary>
    /// rollingUpdate(): without surge, old pods are deleted while at most maxUnavailable nodes are unavailable (old pods
    /// that are not available anyway go at once); with surge, new pods are started beside available old ones on up to
    /// maxSurge nodes and the old pod goes once the new one is available.
    /// </summary>
    public static RollingPlan Rolling(IReadOnlyList<Node> nodes, PodSpec eligibility, Dictionary<string, List<Pod>> byNode,
        string hash, long? generation, DaemonSetUpdateStrategy? strategy, int minReadySeconds, DateTimeOffset now)
    {
        int desired = nodes.Count(n => DaemonNodes.Fit(n, eligibility).ShouldRun);
        (int maxSurge, int maxUnavailable) = Limits(strategy, desired);
        IEnumerable<KeyValuePair<string, List<Pod>>> perNode = byNode.OrderBy(kv => kv.Key, StringComparer.Ordinal);
        var delete = new List<Pod>();
        if (maxSurge == 0)
        {
            int unavailable = 0;
            var candidates = new List<Pod>();
            foreach ((_, List<Pod> pods) in perNode)
            {
                (Pod? newPod, Pod? oldPod, bool ok) = FindUpdated(pods, hash, generation);
                if (!ok || (newPod is null) == (oldPod is null))
                {
                    // Duplicates, nothing, or both: manage() sorts the node out; it counts as unavailable meanwhile.
                    unavailable++;
                }
                else if (newPod is not null)
                {
                    unavailable += PodState.IsAvailable(newPod, minReadySeconds, now) ? 0 : 1;
                }
                else if (!PodState.IsAvailable(oldPod!, minReadySeconds, now))
                {
                    delete.Add(oldPod!);
                }
                else if (unavailable < maxUnavailable)
                {
                    candidates.Add(oldPod!);
                }
            }

            int remaining = Math.Clamp(maxUnavailable - unavailable, 0, candidates.Count);
            delete.AddRange(candidates.Take(remaining));
            return new RollingPlan(delete, []);
        }

        Dictionary<string, Node> nodeByName = nodes.ToDictionary(n => n.Metadata?.Name ?? "", StringComparer.Ordinal);
        int surging = 0;
        var allowedNew = new List<string>();
        var candidateNew = new List<string>();
        foreach ((string node, List<Pod> pods) in perNode)
        {
            (Pod? newPod, Pod? oldPod, bool ok) = FindUpdated(pods, hash, generation);
            if (!ok)
            {
                surging++;
                continue;
            }

            if (oldPod is null)
            {
                continue;
            }

            if (newPod is null)
            {
                if (!nodeByName.TryGetValue(node, out Node? n) || !DaemonNodes.Fit(n, eligibility).ShouldRun)
                {
                    continue;
                }

                if (!PodState.IsAvailable(oldPod, minReadySeconds, now))
                {
                    allowedNew.Add(node);
                }
                else if (surging < maxSurge)
                {
                    candidateNew.Add(node);
                }
            }
            else if (!PodState.IsAvailable(newPod, minReadySeconds, now))
            {
                surging++;
            }
            else
            {
                delete.Add(oldPod);
            }
        }

        int room = Math.Clamp(maxSurge - surging, 0, candidateNew.Count);
        return new RollingPlan(delete, [.. allowedNew, .. candidateNew.Take(room)]);
    }

    /// <summary>findUpdatedPodsOnNode: the node's live (not terminating) new and old pod; not ok when either is doubled.</summary>
    public static (Pod? New, Pod? Old, bool Ok) FindUpdated(List<Pod> pods, string hash, long? generation)
    {
        Pod? newPod = null;
        Pod? oldPod = null;
        foreach (Pod pod in pods.Where(p => p.Metadata?.DeletionTimestamp is null))
        {
            if (IsUpdated(pod, hash, generation))
            {
                if (newPod is not null)
                {
                    return (null, null, false);
                }

                newPod = pod;
            }
            else
            {
                if (oldPod is not null)
                {
                    return (null, null, false);
                }

                oldPod = pod;
            }
        }

        return (newPod, oldPod, true);
    }

    /// <summary>
    /// updateDaemonSetStatus over eligible nodes: desired, scheduled (any pod), ready/available/updated judged on the
    /// node's oldest pod, misscheduled (pods where none should run), unavailable = desired − available.
    /// </summary>
    public static DaemonSetStatus Status(IReadOnlyList<Node> nodes, PodSpec eligibility, Dictionary<string, List<Pod>> byNode,
        string hash, long? generation, int minReadySeconds, DateTimeOffset now)
    {
        int desired = 0, scheduled = 0, misscheduled = 0, ready = 0, available = 0, updated = 0;
        foreach (Node node in nodes)
        {
            List<Pod> pods = byNode.GetValueOrDefault(node.Metadata?.Name ?? "") ?? [];
            if (DaemonNodes.Fit(node, eligibility).ShouldRun)
            {
                desired++;
                if (pods.Count == 0)
                {
                    continue;
                }

                scheduled++;
                Pod oldest = OldestFirst(pods)[0];
                if (PodState.IsReady(oldest))
                {
                    ready++;
                    available += PodState.IsAvailable(oldest, minReadySeconds, now) ? 1 : 0;
                }

                updated += IsUpdated(oldest, hash, generation) ? 1 : 0;
            }
            else if (pods.Count > 0)
            {
                misscheduled++;
            }
        }

        return new DaemonSetStatus
        {
            DesiredNumberScheduled = desired,
            CurrentNumberScheduled = scheduled,
            NumberMisscheduled = misscheduled,
            NumberReady = ready,
            NumberAvailable = available,
            UpdatedNumberScheduled = updated,
            NumberUnavailable = desired - available,
        };
    }

    /// <summary>podByCreationTimestampAndPhase: bound pods first, then oldest, then by name.</summary>
    public static List<Pod> OldestFirst(IEnumerable<Pod> pods) =>
    [
        .. pods.OrderBy(p => string.IsNullOrEmpty(p.Spec?.NodeName) ? 1 : 0)
            .ThenBy(p => p.Metadata?.CreationTimestamp?.Value ?? DateTimeOffset.MaxValue)
            .ThenBy(p => p.Metadata?.Name, StringComparer.Ordinal),
    ];

    private static IEnumerable<Pod> Excess(List<Pod> running, string hash, bool allowsSurge)
    {
        if (running.Count <= 1)
        {
            return [];
        }

        List<Pod> sorted = OldestFirst(running);
        if (!allowsSurge)
        {
            return sorted.Skip(1);
        }

        // With surge a node may hold one new and one old pod while the new one is not ready yet.
        var excess = new List<Pod>();
        Pod? oldestNew = null, oldestOld = null;
        foreach (Pod pod in sorted)
        {
            bool isNew = pod.Metadata?.Labels?.GetValueOrDefault(RevisionHashLabel) == hash;
            if (isNew && oldestNew is null)
            {
                oldestNew = pod;
            }
            else if (!isNew && oldestOld is null)
            {
                oldestOld = pod;
            }
            else
            {
                excess.Add(pod);
            }
        }

        if (oldestNew is not null && oldestOld is not null && (!PodState.IsReady(oldestOld) || PodState.IsReady(oldestNew)))
        {
            excess.Add(oldestOld);
        }

        return excess;
    }

    private readonly record struct IntOrPercentHolder(Korvet.Api.IntStr.IntOrString? Value)
    {
        public bool NonZero => Value is not null && (Value.IsInt ? Value.IntValue != 0 : Value.StringValue is not ("0" or "0%" or ""));
    }
}
