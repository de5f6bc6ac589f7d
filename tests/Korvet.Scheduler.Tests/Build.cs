using Korvet.Api.Core.V1;
using Korvet.Api.Meta.V1;
using Korvet.Api.Resource;
using Korvet.Scheduler.Framework;

namespace Korvet.Scheduler.Tests;

/// <summary>Terse builders for nodes and pods in table tests.</summary>
internal static class Build
{
    public static Node Node(string name, string cpu = "4", string memory = "8Gi", int pods = 110, Dictionary<string, string>? labels = null,
        List<Taint>? taints = null, bool unschedulable = false, Dictionary<string, string>? extra = null)
    {
        var allocatable = new Dictionary<string, Quantity>
        {
            ["cpu"] = Quantity.Parse(cpu), ["memory"] = Quantity.Parse(memory), ["pods"] = Quantity.FromInt64(pods),
            ["ephemeral-storage"] = Quantity.Parse("100Gi"),
        };
        foreach ((string k, string v) in extra ?? [])
        {
            allocatable[k] = Quantity.Parse(v);
        }

        var nodeLabels = new Dictionary<string, string>(labels ?? []) { ["kubernetes.io/hostname"] = name };
        return new Node
        {
            Metadata = new ObjectMeta { Name = name, Labels = nodeLabels },
            Spec = new NodeSpec { Taints = taints, Unschedulable = unschedulable ? true : null },
            Status = new NodeStatus { Allocatable = allocatable, Capacity = new Dictionary<string, Quantity>(allocatable) },
        };
    }

    public static Pod Pod(string name, string? cpu = null, string? memory = null, string ns = "default", Dictionary<string, string>? labels = null,
        string? nodeName = null, int priority = 0)
    {
        var requests = new Dictionary<string, Quantity>();
        if (cpu is not null)
        {
            requests["cpu"] = Quantity.Parse(cpu);
        }

        if (memory is not null)
        {
            requests["memory"] = Quantity.Parse(memory);
        }

        return new Pod
        {
            Metadata = new ObjectMeta { Name = name, Namespace = ns, Uid = ns + "-" + name, Labels = labels },
            Spec = new PodSpec
            {
                NodeName = nodeName,
                Priority = priority,
                Containers = [new Container { Name = "c", Image = "nginx", Resources = new ResourceRequirements { Requests = requests } }],
            },
        };
    }

    public static NodeInfo Info(Node node, params Pod[] pods)
    {
        var info = new NodeInfo(node.Metadata!.Name!);
        info.SetNode(node);
        foreach (Pod pod in pods)
        {
            info.AddPod(new PodInfo(pod));
        }

        return info;
    }

    public static Dictionary<string, string> Labels(params string[] pairs) =>
        pairs.Select(p => p.Split('=')).ToDictionary(p => p[0], p => p[1]);
}
