using Korvet.Api.Core.V1;
using Korvet.Api.Selectors;
using MetaSelector = Korvet.Api.Meta.V1.LabelSelector;

namespace Korvet.Scheduler.Framework;

/// <summary>Label-selector, node-selector and toleration matching with upstream's semantics. Pure; thread-safe.</summary>
public static class Matching
{
    private static readonly Dictionary<string, string> NoLabels = new(StringComparer.Ordinal);

    /// <summary>A metav1 LabelSelector: null matches nothing, an empty selector matches everything.</summary>
    public static bool Matches(MetaSelector? selector, IReadOnlyDictionary<string, string>? labels)
    {
        if (selector is null)
        {
            return false;
        }

        labels ??= NoLabels;
        if (selector.MatchLabels is not null)
        {
            foreach ((string key, string value) in selector.MatchLabels)
            {
                if (!labels.TryGetValue(key, out string? actual) || actual != value)
                {
                    return false;
                }
            }
        }

        foreach (Korvet.Api.Meta.V1.LabelSelectorRequirement r in selector.MatchExpressions ?? [])
        {
            bool has = labels.TryGetValue(r.Key, out string? actual);
            bool ok = r.Operator switch
            {
                "In" => has && (r.Values ?? []).Contains(actual!),
                "NotIn" => !has || !(r.Values ?? []).Contains(actual!),
                "Exists" => has,
                "DoesNotExist" => !has,
                _ => false,
            };
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>pod.spec.nodeSelector: every pair must be a node label.</summary>
    public static bool MatchesNodeSelectorMap(IReadOnlyDictionary<string, string>? selector, IReadOnlyDictionary<string, string>? labels)
    {
        if (selector is null || selector.Count == 0)
        {
            return true;
        }

        labels ??= NoLabels;
        foreach ((string key, string value) in selector)
        {
            if (!labels.TryGetValue(key, out string? actual) || actual != value)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Required node affinity (<see cref="NodeSelectorMatching.Matches"/>).</summary>
    public static bool MatchesNodeSelector(NodeSelector? selector, string nodeName, IReadOnlyDictionary<string, string>? labels) =>
        NodeSelectorMatching.Matches(selector, nodeName, labels);

    /// <summary>One term (<see cref="NodeSelectorMatching.MatchesTerm"/>).</summary>
    public static bool MatchesTerm(NodeSelectorTerm? term, string nodeName, IReadOnlyDictionary<string, string>? labels) =>
        NodeSelectorMatching.MatchesTerm(term, nodeName, labels);

    /// <summary>Upstream's Toleration.ToleratesTaint: empty effect tolerates every effect; an empty key with Exists
    /// tolerates every taint; Exists ignores the value; the default operator is Equal.</summary>
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

        return toleration.Operator switch
        {
            "Exists" => true,
            null or "" or "Equal" => (toleration.Value ?? "") == (taint.Value ?? ""),
            _ => false,
        };
    }

    public static bool Tolerated(IReadOnlyList<Toleration>? tolerations, Taint taint)
    {
        if (tolerations is null)
        {
            return false;
        }

        foreach (Toleration t in tolerations)
        {
            if (Tolerates(t, taint))
            {
                return true;
            }
        }

        return false;
    }
}
