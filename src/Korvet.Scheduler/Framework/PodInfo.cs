using Korvet.Api.Core.V1;
using MetaSelector = Korvet.Api.Meta.V1.LabelSelector;
using MetaRequirement = Korvet.Api.Meta.V1.LabelSelectorRequirement;

namespace Korvet.Scheduler.Framework;

/// <summary>A host port a pod asks for; an empty or 0.0.0.0 host IP means every address.</summary>
public readonly record struct HostPort(string Protocol, string HostIp, int Port)
{
    public bool Conflicts(HostPort other) =>
        Port == other.Port && Protocol == other.Protocol && (HostIp == other.HostIp || IsAny(HostIp) || IsAny(other.HostIp));

    private static bool IsAny(string ip) => ip.Length == 0 || ip == "0.0.0.0";
}

/// <summary>
/// A pod as the scheduler sees it, with everything plugins need computed once (requests, host ports, affinity terms)
/// so the per-node hot path never re-reads the spec. Immutable after construction; a changed pod is a new PodInfo.
/// </summary>
public sealed class PodInfo
{
    private static readonly Dictionary<string, string> NoLabels = new(StringComparer.Ordinal);

    public PodInfo(Pod pod)
    {
        Pod = pod;
        Namespace = pod.Metadata?.Namespace ?? "default";
        Name = pod.Metadata?.Name ?? "";
        Key = Namespace + "/" + Name;
        Uid = pod.Metadata?.Uid is { Length: > 0 } uid ? uid : Key;
        Labels = pod.Metadata?.Labels ?? NoLabels;
        Priority = pod.Spec?.Priority ?? 0;
        Requests = Resources.PodRequests(pod.Spec, nonZero: false);
        NonZeroRequests = Resources.PodRequests(pod.Spec, nonZero: true);
        HostPorts = CollectHostPorts(pod.Spec);
        Affinity? affinity = pod.Spec?.Affinity;
        RequiredAffinity = Terms(affinity?.PodAffinity?.RequiredDuringSchedulingIgnoredDuringExecution);
        RequiredAntiAffinity = Terms(affinity?.PodAntiAffinity?.RequiredDuringSchedulingIgnoredDuringExecution);
        PreferredAffinity = Weighted(affinity?.PodAffinity?.PreferredDuringSchedulingIgnoredDuringExecution);
        PreferredAntiAffinity = Weighted(affinity?.PodAntiAffinity?.PreferredDuringSchedulingIgnoredDuringExecution);
        IsTerminating = pod.Metadata?.DeletionTimestamp is not null;
    }

    public Pod Pod { get; }

    public string Namespace { get; }

    public string Name { get; }

    /// <summary>"namespace/name".</summary>
    public string Key { get; }

    /// <summary>metadata.uid (the key when absent), the cache identity.</summary>
    public string Uid { get; }

    public IReadOnlyDictionary<string, string> Labels { get; }

    public int Priority { get; }

    /// <summary>The effective request (init-container max rule and overhead included).</summary>
    public Resources Requests { get; }

    /// <summary>The request with upstream's non-zero defaults, for scoring.</summary>
    public Resources NonZeroRequests { get; }

    public IReadOnlyList<HostPort> HostPorts { get; }

    public IReadOnlyList<AffinityTerm> RequiredAffinity { get; }

    public IReadOnlyList<AffinityTerm> RequiredAntiAffinity { get; }

    public IReadOnlyList<WeightedAffinityTerm> PreferredAffinity { get; }

    public IReadOnlyList<WeightedAffinityTerm> PreferredAntiAffinity { get; }

    public bool HasAnyAffinity => RequiredAffinity.Count + RequiredAntiAffinity.Count + PreferredAffinity.Count + PreferredAntiAffinity.Count > 0;

    public bool IsTerminating { get; }

    private static List<HostPort> CollectHostPorts(PodSpec? spec)
    {
        var ports = new List<HostPort>();
        foreach (Container c in (spec?.InitContainers ?? []).Concat(spec?.Containers ?? []))
        {
            foreach (ContainerPort p in c.Ports ?? [])
            {
                if (p.HostPort is > 0 and int port)
                {
                    ports.Add(new HostPort(string.IsNullOrEmpty(p.Protocol) ? "TCP" : p.Protocol, p.HostIP ?? "", port));
                }
            }
        }

        return ports;
    }

    private List<AffinityTerm> Terms(List<PodAffinityTerm>? terms) => terms is null ? [] : [.. terms.Select(t => new AffinityTerm(t, this))];

    private List<WeightedAffinityTerm> Weighted(List<WeightedPodAffinityTerm>? terms) =>
        terms is null ? [] : [.. terms.Where(t => t.PodAffinityTerm is not null).Select(t => new WeightedAffinityTerm(new AffinityTerm(t.PodAffinityTerm!, this), t.Weight))];
}

/// <summary>A preferred term and its weight (1-100).</summary>
public sealed record WeightedAffinityTerm(AffinityTerm Term, int Weight);

/// <summary>
/// A pod (anti-)affinity term resolved against its owner: the namespaces it applies to (the owner's namespace when
/// none are named; every namespace for an empty namespaceSelector) and matchLabelKeys/mismatchLabelKeys folded into
/// the selector. Immutable.
/// </summary>
public sealed class AffinityTerm
{
    public AffinityTerm(PodAffinityTerm term, PodInfo owner)
    {
        TopologyKey = term.TopologyKey;
        Selector = Fold(term, owner);
        Namespaces = term.Namespaces is { Count: > 0 } names ? new HashSet<string>(names, StringComparer.Ordinal) : [];
        MetaSelector? nsSelector = term.NamespaceSelector;
        AllNamespaces = nsSelector is not null && (nsSelector.MatchLabels?.Count ?? 0) == 0 && (nsSelector.MatchExpressions?.Count ?? 0) == 0;
        if (Namespaces.Count == 0 && nsSelector is null)
        {
            Namespaces.Add(owner.Namespace);
        }
    }

    public string TopologyKey { get; }

    public MetaSelector? Selector { get; }

    public HashSet<string> Namespaces { get; }

    public bool AllNamespaces { get; }

    /// <summary>True when <paramref name="pod"/> is in the term's namespaces and matches its selector.</summary>
    public bool Matches(PodInfo pod) => (AllNamespaces || Namespaces.Contains(pod.Namespace)) && Matching.Matches(Selector, pod.Labels);

    private static MetaSelector? Fold(PodAffinityTerm term, PodInfo owner)
    {
        if (term.LabelSelector is null || ((term.MatchLabelKeys?.Count ?? 0) == 0 && (term.MismatchLabelKeys?.Count ?? 0) == 0))
        {
            return term.LabelSelector;
        }

        var expressions = new List<MetaRequirement>(term.LabelSelector.MatchExpressions ?? []);
        foreach (string key in term.MatchLabelKeys ?? [])
        {
            if (owner.Labels.TryGetValue(key, out string? value))
            {
                expressions.Add(new MetaRequirement { Key = key, Operator = "In", Values = [value] });
            }
        }

        foreach (string key in term.MismatchLabelKeys ?? [])
        {
            if (owner.Labels.TryGetValue(key, out string? value))
            {
                expressions.Add(new MetaRequirement { Key = key, Operator = "NotIn", Values = [value] });
            }
        }

        return new MetaSelector { MatchLabels = term.LabelSelector.MatchLabels, MatchExpressions = expressions };
    }
}
