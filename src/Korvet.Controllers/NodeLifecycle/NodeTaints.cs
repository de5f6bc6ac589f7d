using Korvet.Api.Core.V1;
using Korvet.Api.Meta.V1;

namespace Korvet.Controllers.NodeLifecycle;

/// <summary>
/// Pure rules of the node lifecycle and taint-eviction controllers: which taints a node's Ready condition calls for,
/// whether a toleration tolerates a taint (upstream v1helper.TolerationsTolerateTaint), and when a pod on a node with
/// NoExecute taints must go.
/// </summary>
public static class NodeTaints
{
    public const string NotReady = "node.kubernetes.io/not-ready";
    public const string Unreachable = "node.kubernetes.io/unreachable";

    /// <summary>The lifecycle taints for a Ready condition status: none for True, not-ready for False, unreachable
    /// for Unknown (or a missing condition); each with NoSchedule and NoExecute.</summary>
    public static IReadOnlyList<(string Key, string Effect)> Wanted(string? readyStatus) => readyStatus switch
    {
        "True" => [],
        "False" => [(NotReady, "NoSchedule"), (NotReady, "NoExecute")],
        _ => [(Unreachable, "NoSchedule"), (Unreachable, "NoExecute")],
    };

    /// <summary>
    /// The node's taints with the lifecycle taints replaced by <paramref name="wanted"/>; existing wanted taints keep
    /// their timeAdded. Returns null when nothing changes.
    /// </summary>
    public static List<Taint>? Reconcile(IReadOnlyList<Taint>? current, IReadOnlyList<(string Key, string Effect)> wanted, DateTimeOffset now)
    {
        current ??= [];
        var result = current.Where(t => (t.Key != NotReady && t.Key != Unreachable) || wanted.Contains((t.Key, t.Effect))).ToList();
        foreach ((string key, string effect) in wanted)
        {
            if (!result.Any(t => t.Key == key && t.Effect == effect))
            {
                result.Add(new Taint { Key = key, Effect = effect, TimeAdded = effect == "NoExecute" ? new Time(now) : null });
            }
        }

        return result.Count == current.Count && result.All(current.Contains) ? null : result;
    }

    public static bool Tolerates(Toleration toleration, Taint taint)
    {
        if (!string.IsNullOrEmpty(toleration.Effect) && toleration.Effect != taint.Effect)
        {
            return false;
        }

        if (!string.IsNullOrEmpty(toleration.Key) && toleration.Key != taint.Key)
        {
            return false;
        }

        return (toleration.Operator ?? "Equal") switch
        {
            "Exists" => true,
            "Equal" or "" => (toleration.Value ?? "") == (taint.Value ?? ""),
            _ => false,
        };
    }

    /// <summary>
    /// When a pod on a node with <paramref name="taints"/> must be deleted (upstream's taint eviction): null if no
    /// NoExecute taint applies or the tolerations used carry no tolerationSeconds; <paramref name="now"/> when a
    /// NoExecute taint is not tolerated; otherwise the NoExecute taints' earliest timeAdded plus the smallest
    /// tolerationSeconds among the tolerations that match them.
    /// </summary>
    public static DateTimeOffset? EvictAt(Pod pod, IReadOnlyList<Taint>? taints, DateTimeOffset now)
    {
        var used = new List<Toleration>();
        DateTimeOffset since = now;
        bool any = false;
        foreach (Taint taint in taints ?? [])
        {
            if (taint.Effect != "NoExecute")
            {
                continue;
            }

            any = true;
            var matching = (pod.Spec?.Tolerations ?? []).Where(t => Tolerates(t, taint)).ToList();
            if (matching.Count == 0)
            {
                return now;
            }

            used.AddRange(matching);
            if (taint.TimeAdded?.Value is DateTimeOffset added && added < since)
            {
                since = added;
            }
        }

        long? seconds = null;
        foreach (Toleration toleration in used)
        {
            if (toleration.TolerationSeconds is long s && (seconds is null || s < seconds))
            {
                seconds = s;
            }
        }

        if (!any || seconds is null)
        {
            return null;
        }

        return seconds <= 0 ? now : since.AddSeconds(seconds.Value);
    }
}
