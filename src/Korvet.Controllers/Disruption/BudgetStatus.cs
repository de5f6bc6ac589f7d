using Korvet.Api.Core.V1;
using Korvet.Api.Meta.V1;
using Korvet.Api.Policy.V1;
using Korvet.Controllers.ReplicaSets;

namespace Korvet.Controllers.Disruption;

/// <summary>
/// The pure parts of upstream's disruption controller sync (pkg/controller/disruption): the disrupted-pod map with
/// its expiry, the healthy count, the status with its DisruptionAllowed condition, and the fail-safe status. The
/// expected count and desired healthy number come from <see cref="ExpectedPods"/>.
/// </summary>
public static class BudgetStatus
{
    /// <summary>Upstream's DeletionTimeout: how long an eviction's disruptedPods entry waits for the pod to be deleted.</summary>
    public static readonly TimeSpan DeletionTimeout = TimeSpan.FromMinutes(2);

    public const string ConditionType = "DisruptionAllowed";

    /// <summary>
    /// buildDisruptedPodMap: entries for pods still selected, not being deleted and within the timeout; the earliest
    /// expiry of those kept is when the budget must be looked at again (null when none is kept).
    /// </summary>
    public static (Dictionary<string, Time> Kept, DateTimeOffset? Recheck) DisruptedPods(PodDisruptionBudget budget,
        IReadOnlyList<Pod> pods, DateTimeOffset now)
    {
        var kept = new Dictionary<string, Time>(StringComparer.Ordinal);
        DateTimeOffset? recheck = null;
        Dictionary<string, Time>? recorded = budget.Status?.DisruptedPods;
        if (recorded is null)
        {
            return (kept, null);
        }

        foreach (Pod pod in pods)
        {
            string name = pod.Metadata?.Name ?? "";
            if (pod.Metadata?.DeletionTimestamp is not null || !recorded.TryGetValue(name, out Time? at))
            {
                continue;
            }

            DateTimeOffset expected = at.Value + DeletionTimeout;
            if (expected < now)
            {
                continue;
            }

            kept[name] = at;
            if (recheck is null || expected < recheck)
            {
                recheck = expected;
            }
        }

        return (kept, recheck);
    }

    /// <summary>countHealthyPods: Ready pods that are neither being deleted nor recently evicted.</summary>
    public static int CountHealthy(IReadOnlyList<Pod> pods, IReadOnlyDictionary<string, Time> disrupted, DateTimeOffset now) =>
        pods.Count(pod => pod.Metadata?.DeletionTimestamp is null
                          && !(disrupted.TryGetValue(pod.Metadata?.Name ?? "", out Time? at) && at.Value + DeletionTimeout > now)
                          && PodState.IsReady(pod));

    /// <summary>The status updatePdbStatus writes; the condition keeps its transition time when its status holds.</summary>
    public static PodDisruptionBudgetStatus Compute(PodDisruptionBudget budget, int currentHealthy, int desiredHealthy, int expectedCount,
        Dictionary<string, Time> disrupted, DateTimeOffset now)
    {
        int allowed = currentHealthy - desiredHealthy;
        if (expectedCount <= 0 || allowed <= 0)
        {
            allowed = 0;
        }

        long generation = budget.Metadata?.Generation ?? 0;
        var status = new PodDisruptionBudgetStatus
        {
            CurrentHealthy = currentHealthy,
            DesiredHealthy = desiredHealthy,
            ExpectedPods = expectedCount,
            DisruptionsAllowed = allowed,
            DisruptedPods = disrupted.Count > 0 ? disrupted : null,
            ObservedGeneration = generation,
            Conditions = CopyConditions(budget.Status?.Conditions),
        };
        SetCondition(status.Conditions, allowed > 0 ? "True" : "False", allowed > 0 ? "SufficientPods" : "InsufficientPods", "", generation, now);
        return status;
    }

    /// <summary>failSafe: no disruption allowed, the SyncFailed reason carrying the error; the rest of the status kept.</summary>
    public static PodDisruptionBudgetStatus FailSafe(PodDisruptionBudget budget, string error, DateTimeOffset now)
    {
        PodDisruptionBudgetStatus old = budget.Status ?? new PodDisruptionBudgetStatus();
        var status = new PodDisruptionBudgetStatus
        {
            CurrentHealthy = old.CurrentHealthy,
            DesiredHealthy = old.DesiredHealthy,
            ExpectedPods = old.ExpectedPods,
            DisruptionsAllowed = 0,
            DisruptedPods = old.DisruptedPods,
            ObservedGeneration = old.ObservedGeneration,
            Conditions = CopyConditions(old.Conditions),
        };
        SetCondition(status.Conditions, "False", "SyncFailed", error, old.ObservedGeneration ?? 0, now);
        return status;
    }

    /// <summary>True when writing <paramref name="next"/> would change nothing.</summary>
    public static bool Same(PodDisruptionBudgetStatus? current, PodDisruptionBudgetStatus next)
    {
        if (current is null)
        {
            return false;
        }

        return current.CurrentHealthy == next.CurrentHealthy && current.DesiredHealthy == next.DesiredHealthy
            && current.ExpectedPods == next.ExpectedPods && current.DisruptionsAllowed == next.DisruptionsAllowed
            && (current.ObservedGeneration ?? 0) == (next.ObservedGeneration ?? 0)
            && SameMap(current.DisruptedPods, next.DisruptedPods)
            && SameConditions(current.Conditions, next.Conditions);
    }

    private static bool SameMap(Dictionary<string, Time>? a, Dictionary<string, Time>? b)
    {
        int countA = a?.Count ?? 0;
        if (countA != (b?.Count ?? 0))
        {
            return false;
        }

        return countA == 0 || a!.All(p => b!.TryGetValue(p.Key, out Time? t) && t.Value == p.Value.Value);
    }

    private static bool SameConditions(List<Condition>? a, List<Condition>? b)
    {
        if ((a?.Count ?? 0) != (b?.Count ?? 0))
        {
            return false;
        }

        return a is null || a.Zip(b!).All(p => p.First.Type == p.Second.Type && p.First.Status == p.Second.Status
            && p.First.Reason == p.Second.Reason && p.First.Message == p.Second.Message
            && p.First.ObservedGeneration == p.Second.ObservedGeneration && p.First.LastTransitionTime == p.Second.LastTransitionTime);
    }

    private static List<Condition> CopyConditions(List<Condition>? conditions) =>
        [.. (conditions ?? []).Select(c => new Condition
        {
            Type = c.Type, Status = c.Status, Reason = c.Reason, Message = c.Message,
            ObservedGeneration = c.ObservedGeneration, LastTransitionTime = c.LastTransitionTime,
        })];

    /// <summary>meta.SetStatusCondition for the DisruptionAllowed condition.</summary>
    private static void SetCondition(List<Condition> conditions, string status, string reason, string message, long generation, DateTimeOffset now)
    {
        Condition? condition = conditions.FirstOrDefault(c => c.Type == ConditionType);
        if (condition is null)
        {
            condition = new Condition { Type = ConditionType, LastTransitionTime = new Time(Truncate(now)) };
            conditions.Add(condition);
        }
        else if (condition.Status != status || condition.LastTransitionTime is null)
        {
            condition.LastTransitionTime = new Time(Truncate(now));
        }

        condition.Status = status;
        condition.Reason = reason;
        condition.Message = message;
        condition.ObservedGeneration = generation;
    }

    /// <summary>metav1.Time is serialized to whole seconds: compare what the server will store.</summary>
    private static DateTimeOffset Truncate(DateTimeOffset t) => new(t.Ticks - (t.Ticks % TimeSpan.TicksPerSecond), t.Offset);
}
