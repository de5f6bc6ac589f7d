using System.Runtime.CompilerServices;
using Korvet.Scheduler.Framework;

namespace Korvet.Scheduler.Plugins;

/// <summary>NodePorts: the pod's host ports (protocol, IP, port) must be free on the node; 0.0.0.0 clashes with any IP.</summary>
public sealed class NodePortsPlugin : IPreFilterPlugin, IFilterPlugin
{
    public const string ErrReason = "node(s) didn't have free ports for the requested pod ports";

    public string Name => "NodePorts";

    public Status PreFilter(CycleState state, PodInfo pod, IReadOnlyList<NodeInfo> nodes) =>
        pod.HostPorts.Count == 0 ? Status.Skip : Status.Success;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public Status Filter(CycleState state, PodInfo pod, NodeInfo node)
    {
        foreach (HostPort wanted in pod.HostPorts)
        {
            foreach (HostPort used in node.UsedPorts)
            {
                if (wanted.Conflicts(used))
                {
                    return Status.Unschedulable(ErrReason);
                }
            }
        }

        return Status.Success;
    }
}
