using Korvet.Api.Apps.V1;
using Korvet.Api.Core.V1;
using Korvet.Api.Meta.V1;
using Korvet.Controllers.DaemonSets;

namespace Korvet.Controllers.Tests.DaemonSets;

/// <summary>Builders for the pure DaemonSet tests.</summary>
internal static class DaemonSetObjects
{
    public static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static Node Node(string name, Dictionary<string, string>? labels = null, params Taint[] taints) => new()
    {
        Metadata = new ObjectMeta { Name = name, Labels = labels ?? new() { ["kubernetes.io/hostname"] = name } },
        Spec = new NodeSpec { Taints = taints.Length == 0 ? null : [.. taints] },
    };

    public static Taint Taint(string key, string effect, string? value = null) => new() { Key = key, Effect = effect, Value = value };

    public static PodSpec Spec(Action<PodSpec>? change = null)
    {
        var spec = new PodSpec { Containers = [new Container { Name = "agent", Image = "agent:1" }] };
        change?.Invoke(spec);
        return spec;
    }

    /// <summary>A daemon pod pinned to <paramref name="node"/> (bound when <paramref name="bound"/>), ready or not.</summary>
    public static Pod Pod(string name, string node, string hash, bool ready = true, int ageSeconds = 100, bool bound = true,
        string? phase = "Running", bool terminating = false)
    {
        PodSpec spec = DaemonNodes.ForNode(Spec(), node);
        if (bound)
        {
            spec.NodeName = node;
        }

        return new Pod
        {
            Metadata = new ObjectMeta
            {
                Name = name,
                Namespace = "ns",
                Labels = new() { ["app"] = "agent", [DaemonPlanner.RevisionHashLabel] = hash },
                CreationTimestamp = new Time(T0.AddSeconds(-ageSeconds)),
                DeletionTimestamp = terminating ? new Time(T0) : null,
            },
            Spec = spec,
            Status = new PodStatus
            {
                Phase = phase,
                Conditions = ready ? [new PodCondition { Type = "Ready", Status = "True", LastTransitionTime = new Time(T0.AddSeconds(-ageSeconds)) }] : null,
            },
        };
    }

    public static DaemonSetUpdateStrategy Rolling(int maxUnavailable = 1, int maxSurge = 0) => new()
    {
        Type = "RollingUpdate",
        RollingUpdate = new RollingUpdateDaemonSet
        {
            MaxUnavailable = Korvet.Api.IntStr.IntOrString.FromInt(maxUnavailable),
            MaxSurge = Korvet.Api.IntStr.IntOrString.FromInt(maxSurge),
        },
    };
}
