using Korvet.Api.Core.V1;
using Korvet.Scheduler.Framework;

namespace Korvet.Scheduler.Cache;

/// <summary>
/// The scheduler's picture of the cluster: one <see cref="NodeInfo"/> per node with the pods bound (or assumed) to
/// it, updated incrementally from informer events — never rebuilt per pod. Assumed pods (chosen, binding in flight)
/// count against their node at once so the next cycle sees them; the informer's update confirms them and a failed
/// bind forgets them.
/// Concurrency: every member takes <see cref="Gate"/>; the scheduling cycle holds <see cref="Gate"/> while it
/// reads <see cref="Nodes"/> so it sees one consistent state.
/// </summary>
public sealed class SchedulerCache
{
    private readonly Dictionary<string, NodeInfo> _nodes = new(StringComparer.Ordinal);
    private readonly NodeInfoList _schedulable = new();
    private readonly Dictionary<string, int> _schedulableIndex = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CachedPod> _pods = new(StringComparer.Ordinal);

    public object Gate { get; } = new();

    /// <summary>Nodes known by their Node object, in a stable order (swap-remove on delete). Hold <see cref="Gate"/>.</summary>
    public NodeInfoList Nodes => _schedulable;

    public int NodeCount
    {
        get
        {
            lock (Gate)
            {
                return _schedulable.Count;
            }
        }
    }

    public int PodCount
    {
        get
        {
            lock (Gate)
            {
                return _pods.Count;
            }
        }
    }

    /// <summary>Hold <see cref="Gate"/>.</summary>
    public NodeInfo? FindNode(string name) => _nodes.TryGetValue(name, out NodeInfo? n) && n.Node is not null ? n : null;

    /// <summary>Add or update: the node's labels, taints and allocatable are replaced; its pods stay.</summary>
    public void SetNode(Node node)
    {
        string name = node.Metadata?.Name ?? "";
        lock (Gate)
        {
            if (!_nodes.TryGetValue(name, out NodeInfo? info))
            {
                info = new NodeInfo(name);
                _nodes[name] = info;
            }

            info.SetNode(node);
            if (!_schedulableIndex.ContainsKey(name))
            {
                _schedulableIndex[name] = _schedulable.Count;
                _schedulable.Add(info);
            }
            else
            {
                _schedulable.Refresh(info, listed: true);
            }
        }
    }

    public void RemoveNode(string name)
    {
        lock (Gate)
        {
            if (!_nodes.TryGetValue(name, out NodeInfo? info))
            {
                return;
            }

            if (_schedulableIndex.Remove(name, out int index) && _schedulable.RemoveAt(index) is NodeInfo moved)
            {
                _schedulableIndex[moved.Name] = index;
            }

            info.SetNode(null);
            if (info.Pods.Count == 0)
            {
                _nodes.Remove(name);
            }
        }
    }

    /// <summary>Counts a pod the scheduler chose against its node before the binding is written.</summary>
    public void AssumePod(PodInfo pod, string nodeName)
    {
        lock (Gate)
        {
            if (_pods.ContainsKey(pod.Uid))
            {
                throw new InvalidOperationException($"pod {pod.Key} is already in the cache");
            }

            Place(pod, nodeName, assumed: true);
        }
    }

    /// <summary>The binding failed: the assumed pod no longer counts (a pod the informer confirmed meanwhile stays).</summary>
    public void ForgetPod(PodInfo pod)
    {
        lock (Gate)
        {
            if (_pods.TryGetValue(pod.Uid, out CachedPod? cached) && cached.Assumed)
            {
                Unplace(pod.Uid);
            }
        }
    }

    public bool IsAssumed(string uid)
    {
        lock (Gate)
        {
            return _pods.TryGetValue(uid, out CachedPod? cached) && cached.Assumed;
        }
    }

    /// <summary>
    /// An informer add or update of a pod. Bound, non-terminal pods are placed on their node (confirming an assumed
    /// pod); anything else is removed.
    /// </summary>
    public void SetPod(Pod pod)
    {
        string nodeName = pod.Spec?.NodeName ?? "";
        string phase = pod.Status?.Phase ?? "";
        var info = new PodInfo(pod);
        lock (Gate)
        {
            if (nodeName.Length == 0 || phase is "Succeeded" or "Failed")
            {
                if (_pods.TryGetValue(info.Uid, out CachedPod? assumed) && !assumed.Assumed)
                {
                    Unplace(info.Uid);
                }

                return;
            }

            if (_pods.ContainsKey(info.Uid))
            {
                Unplace(info.Uid);
            }

            Place(info, nodeName, assumed: false);
        }
    }

    public void RemovePod(Pod pod)
    {
        var uid = new PodInfo(pod).Uid;
        lock (Gate)
        {
            if (_pods.ContainsKey(uid))
            {
                Unplace(uid);
            }
        }
    }

    private void Place(PodInfo pod, string nodeName, bool assumed)
    {
        if (!_nodes.TryGetValue(nodeName, out NodeInfo? node))
        {
            node = new NodeInfo(nodeName);
            _nodes[nodeName] = node;
        }

        node.AddPod(pod);
        _schedulable.Refresh(node, _schedulableIndex.ContainsKey(nodeName));
        _pods[pod.Uid] = new CachedPod(pod, nodeName, assumed);
    }

    private void Unplace(string uid)
    {
        CachedPod cached = _pods[uid];
        _pods.Remove(uid);
        if (_nodes.TryGetValue(cached.NodeName, out NodeInfo? node))
        {
            node.RemovePod(uid);
            _schedulable.Refresh(node, _schedulableIndex.ContainsKey(cached.NodeName));
            if (node.Node is null && node.Pods.Count == 0)
            {
                _nodes.Remove(cached.NodeName);
            }
        }
    }

    private sealed record CachedPod(PodInfo Info, string NodeName, bool Assumed);
}
