using System.Collections;

namespace Korvet.Scheduler.Framework;

/// <summary>
/// The schedulable nodes the cache offers a cycle, plus upstream's snapshot side lists: the nodes that hold pods with
/// pod (anti-)affinity and those holding pods with required anti-affinity, so InterPodAffinity looks at those few
/// instead of walking every node per pod. Maintained by the scheduler cache under its lock; read under the same lock.
/// Plugins given any other list fall back to scanning it (<see cref="WithPodsWithAffinity"/>).
/// </summary>
public sealed class NodeInfoList : IReadOnlyList<NodeInfo>
{
    private readonly List<NodeInfo> _items = [];
    private readonly HashSet<NodeInfo> _withAffinity = new(ReferenceEqualityComparer.Instance);
    private readonly HashSet<NodeInfo> _withRequiredAntiAffinity = new(ReferenceEqualityComparer.Instance);

    public int Count => _items.Count;

    public NodeInfo this[int index] => _items[index];

    /// <summary>Nodes of <paramref name="nodes"/> with at least one pod that has any pod (anti-)affinity term.</summary>
    public static IEnumerable<NodeInfo> WithPodsWithAffinity(IReadOnlyList<NodeInfo> nodes) =>
        nodes is NodeInfoList list ? list._withAffinity : nodes.Where(n => n.PodsWithAffinity.Count > 0);

    /// <summary>Nodes of <paramref name="nodes"/> with at least one pod that has required pod anti-affinity.</summary>
    public static IEnumerable<NodeInfo> WithPodsWithRequiredAntiAffinity(IReadOnlyList<NodeInfo> nodes) =>
        nodes is NodeInfoList list ? list._withRequiredAntiAffinity : nodes.Where(n => n.PodsWithRequiredAntiAffinity.Count > 0);

    public IEnumerator<NodeInfo> GetEnumerator() => _items.GetEnumerator();

    /// <summary>The nodes as a list (the cycle indexes it without interface calls). Never modify it.</summary>
    internal List<NodeInfo> Items => _items;

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    internal void Add(NodeInfo node)
    {
        _items.Add(node);
        Refresh(node, listed: true);
    }

    /// <summary>Swap-removes position <paramref name="index"/>; returns the node moved into it (or null).</summary>
    internal NodeInfo? RemoveAt(int index)
    {
        NodeInfo removed = _items[index];
        NodeInfo last = _items[^1];
        _items[index] = last;
        _items.RemoveAt(_items.Count - 1);
        Refresh(removed, listed: false);
        return last == removed ? null : last;
    }

    /// <summary>Re-files a node after its pods changed; <paramref name="listed"/> says whether it is schedulable.</summary>
    internal void Refresh(NodeInfo node, bool listed)
    {
        Set(_withAffinity, node, listed && node.PodsWithAffinity.Count > 0);
        Set(_withRequiredAntiAffinity, node, listed && node.PodsWithRequiredAntiAffinity.Count > 0);
    }

    private static void Set(HashSet<NodeInfo> set, NodeInfo node, bool member)
    {
        if (member)
        {
            set.Add(node);
        }
        else
        {
            set.Remove(node);
        }
    }
}
