using Korvet.Api.Core.V1;

namespace Korvet.Api.Selectors;

/// <summary>
/// core/v1 NodeSelector matching with upstream's semantics (component-helpers nodeaffinity), shared by the scheduler's
/// NodeAffinity plugin and the DaemonSet controller's node eligibility. Pure; thread-safe.
/// </summary>
public static class NodeSelectorMatching
{
    /// <summary>The only field a matchFields requirement may name.</summary>
    public const string NodeNameField = "metadata.name";

    private static readonly Dictionary<string, string> NoLabels = new(StringComparer.Ordinal);

    /// <summary>Required node affinity: null matches every node; terms are ORed; a term with no requirements matches none.</summary>
    public static bool Matches(NodeSelector? selector, string nodeName, IReadOnlyDictionary<string, string>? labels)
    {
        if (selector is null)
        {
            return true;
        }

        foreach (NodeSelectorTerm term in selector.NodeSelectorTerms ?? [])
        {
            if (MatchesTerm(term, nodeName, labels))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>One term: its expressions (labels) and fields (metadata.name) are ANDed; an empty term matches nothing.</summary>
    public static bool MatchesTerm(NodeSelectorTerm? term, string nodeName, IReadOnlyDictionary<string, string>? labels)
    {
        if (term is null || ((term.MatchExpressions?.Count ?? 0) == 0 && (term.MatchFields?.Count ?? 0) == 0))
        {
            return false;
        }

        labels ??= NoLabels;
        foreach (NodeSelectorRequirement r in term.MatchExpressions ?? [])
        {
            if (!MatchesRequirement(r, labels.TryGetValue(r.Key, out string? v), v))
            {
                return false;
            }
        }

        foreach (NodeSelectorRequirement r in term.MatchFields ?? [])
        {
            if (r.Key != NodeNameField || !MatchesRequirement(r, true, nodeName))
            {
                return false;
            }
        }

        return true;
    }

    private static bool MatchesRequirement(NodeSelectorRequirement r, bool has, string? value)
    {
        List<string> values = r.Values ?? [];
        return r.Operator switch
        {
            "In" => has && values.Contains(value!),
            "NotIn" => !has || !values.Contains(value!),
            "Exists" => has,
            "DoesNotExist" => !has,
            "Gt" => has && values.Count == 1 && long.TryParse(value, out long a) && long.TryParse(values[0], out long b) && a > b,
            "Lt" => has && values.Count == 1 && long.TryParse(value, out long c) && long.TryParse(values[0], out long d) && c < d,
            _ => false,
        };
    }
}
