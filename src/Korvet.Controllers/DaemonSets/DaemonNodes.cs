using Korvet.Api.Core.V1;
using Korvet.Api.Selectors;
using Korvet.Controllers.NodeLifecycle;

namespace Korvet.Controllers.DaemonSets;

/// <summary>Whether a node should run a daemon pod (upstream's NodeShouldRunDaemonPod).</summary>
/// <param name="ShouldRun">A pod should be created there when missing.</param>
/// <param name="ShouldContinueRunning">An existing pod may stay (false: it is deleted).</param>
public readonly record struct NodeFit(bool ShouldRun, bool ShouldContinueRunning);

/// <summary>
/// The node side of a DaemonSet, as upstream's daemon controller and util/daemonset_util.go: the tolerations every
/// daemon pod gets, the required node affinity pinning a pod to its node, the pod's target node, and the eligibility of
/// a node (spec.nodeName, nodeSelector + required node affinity, NoSchedule/NoExecute taints). Pure and thread-safe.
/// </summary>
public static class DaemonNodes
{
    public const string NotReadyTaint = "node.kubernetes.io/not-ready";
    public const string UnreachableTaint = "node.kubernetes.io/unreachable";
    public const string DiskPressureTaint = "node.kubernetes.io/disk-pressure";
    public const string MemoryPressureTaint = "node.kubernetes.io/memory-pressure";
    public const string PidPressureTaint = "node.kubernetes.io/pid-pressure";
    public const string UnschedulableTaint = "node.kubernetes.io/unschedulable";
    public const string NetworkUnavailableTaint = "node.kubernetes.io/network-unavailable";

    /// <summary>The field the pinning affinity term selects on.</summary>
    public const string NodeNameField = NodeSelectorMatching.NodeNameField;

    /// <summary>
    /// AddOrUpdateDaemonPodTolerations: not-ready and unreachable NoExecute (no tolerationSeconds: daemon pods are never
    /// evicted for them), the pressure and unschedulable NoSchedule ones, and network-unavailable for host-network pods.
    /// A toleration with the same key and effect that is already there is replaced.
    /// </summary>
    public static void AddDefaultTolerations(PodSpec spec)
    {
        spec.Tolerations ??= [];
        Upsert(spec.Tolerations, NotReadyTaint, "NoExecute");
        Upsert(spec.Tolerations, UnreachableTaint, "NoExecute");
        Upsert(spec.Tolerations, DiskPressureTaint, "NoSchedule");
        Upsert(spec.Tolerations, MemoryPressureTaint, "NoSchedule");
        Upsert(spec.Tolerations, PidPressureTaint, "NoSchedule");
        Upsert(spec.Tolerations, UnschedulableTaint, "NoSchedule");
        if (spec.HostNetwork == true)
        {
            Upsert(spec.Tolerations, NetworkUnavailableTaint, "NoSchedule");
        }
    }

    /// <summary>
    /// ReplaceDaemonSetPodNodeNameNodeAffinity: the required node affinity gets exactly one matchFields requirement
    /// metadata.name In [node] in every term (replacing other matchFields); with no terms, one term holding only it.
    /// </summary>
    public static void PinToNode(PodSpec spec, string nodeName)
    {
        var requirement = new NodeSelectorRequirement { Key = NodeNameField, Operator = "In", Values = [nodeName] };
        spec.Affinity ??= new Affinity();
        spec.Affinity.NodeAffinity ??= new NodeAffinity();
        NodeSelector required = spec.Affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution ??= new NodeSelector();
        if (required.NodeSelectorTerms is not { Count: > 0 })
        {
            required.NodeSelectorTerms = [new NodeSelectorTerm { MatchFields = [requirement] }];
            return;
        }

        foreach (NodeSelectorTerm term in required.NodeSelectorTerms)
        {
            term.MatchFields = [new NodeSelectorRequirement { Key = NodeNameField, Operator = "In", Values = [nodeName] }];
        }
    }

    /// <summary>GetTargetNodeName: spec.nodeName, else the node the pinning affinity names; null when neither.</summary>
    public static string? TargetNode(Pod pod)
    {
        if (!string.IsNullOrEmpty(pod.Spec?.NodeName))
        {
            return pod.Spec.NodeName;
        }

        foreach (NodeSelectorTerm term in pod.Spec?.Affinity?.NodeAffinity?.RequiredDuringSchedulingIgnoredDuringExecution?.NodeSelectorTerms ?? [])
        {
            foreach (NodeSelectorRequirement r in term.MatchFields ?? [])
            {
                if (r.Key == NodeNameField && r.Operator == "In" && r.Values is [string name])
                {
                    return name;
                }
            }
        }

        return null;
    }

    /// <summary>
    /// NodeShouldRunDaemonPod for a template (already carrying the default tolerations): a node it does not fit by
    /// name, nodeSelector or required affinity neither runs nor keeps a pod; an untolerated NoExecute taint evicts; an
    /// untolerated NoSchedule taint only prevents new pods.
    /// </summary>
    public static NodeFit Fit(Node node, PodSpec? template)
    {
        string name = node.Metadata?.Name ?? "";
        if (!string.IsNullOrEmpty(template?.NodeName) && template.NodeName != name)
        {
            return new NodeFit(false, false);
        }

        IReadOnlyDictionary<string, string> labels = node.Metadata?.Labels ?? new Dictionary<string, string>();
        if (!MatchesNodeSelectorMap(template?.NodeSelector, labels) ||
            !MatchesRequired(template?.Affinity?.NodeAffinity?.RequiredDuringSchedulingIgnoredDuringExecution, name, labels))
        {
            return new NodeFit(false, false);
        }

        bool noSchedule = false;
        foreach (Taint taint in node.Spec?.Taints ?? [])
        {
            if (taint.Effect is not ("NoSchedule" or "NoExecute") || Tolerated(template?.Tolerations, taint))
            {
                continue;
            }

            if (taint.Effect == "NoExecute")
            {
                return new NodeFit(false, false);
            }

            noSchedule = true;
        }

        return noSchedule ? new NodeFit(false, true) : new NodeFit(true, true);
    }

    /// <summary>The pod spec the controller creates on <paramref name="nodeName"/>: a copy with tolerations and pinning.</summary>
    public static PodSpec ForNode(PodSpec template, string nodeName)
    {
        PodSpec spec = Korvet.Client.ObjectCopy.Clone(template);
        AddDefaultTolerations(spec);
        PinToNode(spec, nodeName);
        return spec;
    }

    /// <summary>The template as eligibility sees it: a copy with the default tolerations (affinity untouched).</summary>
    public static PodSpec WithDefaultTolerations(PodSpec? template)
    {
        PodSpec spec = template is null ? new PodSpec() : Korvet.Client.ObjectCopy.Clone(template);
        AddDefaultTolerations(spec);
        return spec;
    }

    public static bool MatchesNodeSelectorMap(IReadOnlyDictionary<string, string>? selector, IReadOnlyDictionary<string, string> labels) =>
        selector is null || selector.All(kv => labels.TryGetValue(kv.Key, out string? v) && v == kv.Value);

    /// <summary>Required node affinity (<see cref="NodeSelectorMatching.Matches"/>, the scheduler's matcher).</summary>
    public static bool MatchesRequired(NodeSelector? selector, string nodeName, IReadOnlyDictionary<string, string> labels) =>
        NodeSelectorMatching.Matches(selector, nodeName, labels);

    private static bool Tolerated(List<Toleration>? tolerations, Taint taint) =>
        tolerations?.Any(t => NodeTaints.Tolerates(t, taint)) == true;

    private static void Upsert(List<Toleration> tolerations, string key, string effect)
    {
        tolerations.RemoveAll(t => t.Key == key && t.Effect == effect);
        tolerations.Add(new Toleration { Key = key, Operator = "Exists", Effect = effect });
    }
}
