using System.Runtime.CompilerServices;
using Korvet.Api.Core.V1;
using Korvet.Scheduler.Framework;

namespace Korvet.Scheduler.Plugins;

/// <summary>NodeUnschedulable: cordoned nodes (spec.unschedulable) take only pods tolerating the
/// node.kubernetes.io/unschedulable:NoSchedule taint.</summary>
public sealed class NodeUnschedulablePlugin : IFilterPlugin
{
    public const string ErrReasonUnschedulable = "node(s) were unschedulable";

    private static readonly Taint UnschedulableTaint = new() { Key = "node.kubernetes.io/unschedulable", Effect = "NoSchedule" };

    public string Name => "NodeUnschedulable";

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public Status Filter(CycleState state, PodInfo pod, NodeInfo node) =>
        node.Unschedulable && !Matching.Tolerated(pod.Pod.Spec?.Tolerations, UnschedulableTaint)
            ? Status.UnschedulableAndUnresolvable(ErrReasonUnschedulable)
            : Status.Success;
}
