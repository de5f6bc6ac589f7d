using Korvet.Api.Core.V1;

namespace Korvet.Scheduler.Framework;

/// <summary>
/// One node with the pods on it (bound and assumed), their summed requests and the host ports they use, kept up to
/// date incrementally by the scheduler cache. A NodeInfo whose <see cref="Node"/> is null holds pods of a node the
/// cache has not seen (or has seen deleted); it is never offered for scheduling. Not thread-safe: the cache's lock
/// guards every NodeInfo.
/// </summary>
public sealed class NodeInfo
{
    private static readonly Dictionary<string, string> NoLabels = new(StringComparer.Ordinal);

    public NodeInfo(string name)
    {
        Name = name;
    }

    public string Name { get; }

    public Node? Node { get; private set; }

    public IReadOnlyDictionary<string, string> Labels { get; private set; } = NoLabels;

    public IReadOnlyList<Taint> Taints { get; private set; } = [];

    /// <summary>spec.unschedulable (cordoned), read once per node change rather than per filter call.</summary>
    public bool Unschedulable { get; private set; }

    public Resources Allocatable { get; private set; } = new();

    /// <summary>Sum of the pods' effective requests.</summary>
    public Resources Requested { get; } = new();

    /// <summary>Sum of the pods' requests with upstream's non-zero defaults (for scoring).</summary>
    public Resources NonZeroRequested { get; } = new();

    public List<PodInfo> Pods { get; } = [];

    /// <summary>Pods with any pod (anti-)affinity term (InterPodAffinity scoring reads only these).</summary>
    public List<PodInfo> PodsWithAffinity { get; } = [];

    /// <summary>Pods with required anti-affinity (the existing-pods anti-affinity filter reads only these).</summary>
    public List<PodInfo> PodsWithRequiredAntiAffinity { get; } = [];

    public List<HostPort> UsedPorts { get; } = [];

    /// <summary>Bumped on every change.</summary>
    public long Generation { get; private set; }

    public void SetNode(Node? node)
    {
        Node = node;
        Labels = node?.Metadata?.Labels ?? NoLabels;
        Taints = node?.Spec?.Taints ?? [];
        Unschedulable = node?.Spec?.Unschedulable == true;
        Allocatable = Resources.FromList(node?.Status?.Allocatable);
        Generation++;
    }

    public void AddPod(PodInfo pod)
    {
        Pods.Add(pod);
        Requested.Add(pod.Requests);
        NonZeroRequested.Add(pod.NonZeroRequests);
        if (pod.HasAnyAffinity)
        {
            PodsWithAffinity.Add(pod);
        }

        if (pod.RequiredAntiAffinity.Count > 0)
        {
            PodsWithRequiredAntiAffinity.Add(pod);
        }

        UsedPorts.AddRange(pod.HostPorts);
        Generation++;
    }

    /// <summary>Removes the pod with this uid; false when it is not here.</summary>
    public bool RemovePod(string uid)
    {
        int index = Pods.FindIndex(p => p.Uid == uid);
        if (index < 0)
        {
            return false;
        }

        PodInfo pod = Pods[index];
        Pods.RemoveAt(index);
        Requested.Subtract(pod.Requests);
        NonZeroRequested.Subtract(pod.NonZeroRequests);
        PodsWithAffinity.Remove(pod);
        PodsWithRequiredAntiAffinity.Remove(pod);
        foreach (HostPort port in pod.HostPorts)
        {
            UsedPorts.Remove(port);
        }

        Generation++;
        return true;
    }

    /// <summary>A deep-enough copy for what-if evaluation (preemption message): pod lists and sums are copied.</summary>
    public NodeInfo Clone()
    {
        var copy = new NodeInfo(Name);
        copy.SetNode(Node);
        foreach (PodInfo pod in Pods)
        {
            copy.AddPod(pod);
        }

        return copy;
    }
}
