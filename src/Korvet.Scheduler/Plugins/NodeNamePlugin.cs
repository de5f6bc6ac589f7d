using System.Runtime.CompilerServices;
using Korvet.Scheduler.Framework;

namespace Korvet.Scheduler.Plugins;

/// <summary>NodeName: a pod that names a node (spec.nodeName) fits only there.</summary>
public sealed class NodeNamePlugin : IFilterPlugin
{
    public const string ErrReason = "node(s) didn't match the requested node name";

    public string Name => "NodeName";

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public Status Filter(CycleState state, PodInfo pod, NodeInfo node) =>
        pod.Pod.Spec?.NodeName is { Length: > 0 } wanted && wanted != node.Name
            ? Status.UnschedulableAndUnresolvable(ErrReason)
            : Status.Success;
}
