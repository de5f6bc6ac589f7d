using System.Runtime.InteropServices;
using Korvet.Api.Core.V1;
using Korvet.Api.Meta.V1;
using Korvet.Api.Resource;

namespace Korvet.Agent.Simulation;

/// <summary>
/// The Node object and status of simulated node <c>i</c> of a set (docs/agent-simulation.md). Pure.
/// </summary>
public sealed class SimulatedNode
{
    public const string KubeletVersion = "v1.32.4";

    private readonly SimulationOptions _options;

    public SimulatedNode(SimulationOptions options, int index, AddressBlocks podBlocks, AddressBlocks nodeAddresses)
    {
        _options = options;
        Index = index;
        Name = $"{options.NamePrefix}-{index}";
        PodCidr = podBlocks.Cidr(index);
        InternalIp = nodeAddresses.Address(0, (uint)(index + 2) % nodeAddresses.BlockSize);
    }

    public int Index { get; }

    public string Name { get; }

    public string PodCidr { get; }

    public string InternalIp { get; }

    /// <summary>Go's GOARCH name of this machine, as a kubelet reports it.</summary>
    public static string Architecture => RuntimeInformation.OSArchitecture switch
    {
        System.Runtime.InteropServices.Architecture.Arm64 => "arm64",
        System.Runtime.InteropServices.Architecture.Arm => "arm",
        _ => "amd64",
    };

    /// <summary>The Node to create: labels, podCIDR, and a Ready status.</summary>
    public Node Build(DateTimeOffset now)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["beta.kubernetes.io/arch"] = Architecture,
            ["beta.kubernetes.io/os"] = "linux",
            ["kubernetes.io/arch"] = Architecture,
            ["kubernetes.io/hostname"] = Name,
            ["kubernetes.io/os"] = "linux",
            ["type"] = "simulated",
        };
        foreach (KeyValuePair<string, string> label in _options.Labels ?? new Dictionary<string, string>())
        {
            labels[label.Key] = label.Value;
        }

        return new Node
        {
            Kind = "Node",
            ApiVersion = "v1",
            Metadata = new ObjectMeta
            {
                Name = Name,
                Labels = labels,
                Annotations = new Dictionary<string, string>(StringComparer.Ordinal)
                {
                    ["node.alpha.kubernetes.io/ttl"] = "0",
                    ["korvet.io/simulated"] = "true",
                },
            },
            Spec = new NodeSpec { PodCidr = PodCidr, PodCidrs = [PodCidr] },
            Status = Status(null, now),
        };
    }

    /// <summary>
    /// A healthy status: capacity = allocatable from the options, Ready True, the pressure conditions False, heartbeat
    /// <paramref name="now"/>. Transition times of conditions whose status did not change are kept from
    /// <paramref name="old"/>.
    /// </summary>
    public NodeStatus Status(NodeStatus? old, DateTimeOffset now)
    {
        var resources = new Dictionary<string, Quantity>(StringComparer.Ordinal)
        {
            ["cpu"] = Quantity.Parse(_options.Cpu),
            ["memory"] = Quantity.Parse(_options.Memory),
            ["pods"] = Quantity.Parse(_options.Pods),
            ["ephemeral-storage"] = Quantity.Parse("100Gi"),
            ["hugepages-2Mi"] = Quantity.Parse("0"),
        };
        NodeCondition Condition(string type, string status, string reason, string message)
        {
            NodeCondition? before = old?.Conditions?.FirstOrDefault(c => c.Type == type);
            return new NodeCondition
            {
                Type = type,
                Status = status,
                Reason = reason,
                Message = message,
                LastHeartbeatTime = new Time(now),
                LastTransitionTime = before is not null && before.Status == status ? before.LastTransitionTime : new Time(now),
            };
        }

        return new NodeStatus
        {
            Capacity = resources,
            Allocatable = new Dictionary<string, Quantity>(resources, StringComparer.Ordinal),
            Conditions =
            [
                Condition("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
                Condition("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
                Condition("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
                Condition("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
            ],
            Addresses =
            [
                new NodeAddress { Type = "InternalIP", Address = InternalIp },
                new NodeAddress { Type = "Hostname", Address = Name },
            ],
            DaemonEndpoints = new NodeDaemonEndpoints { KubeletEndpoint = new DaemonEndpoint { Port = 10250 } },
            NodeInfo = new NodeSystemInfo
            {
                MachineID = Hash("machine"),
                SystemUuid = new Guid(Convert.FromHexString(Hash("uuid"))).ToString(),
                BootID = Hash("boot"),
                KernelVersion = Environment.OSVersion.Version.ToString(),
                OSImage = "Korvet simulated node",
                ContainerRuntimeVersion = "korvet-sim://1.0.0",
                KubeletVersion = KubeletVersion,
                KubeProxyVersion = KubeletVersion,
                OperatingSystem = "linux",
                Architecture = Architecture,
            },
        };
    }

    /// <summary>True when <paramref name="node"/>'s Ready condition is True with a heartbeat newer than
    /// <paramref name="maxAge"/>: no status write is needed.</summary>
    public static bool IsFresh(Node? node, DateTimeOffset now, TimeSpan maxAge) =>
        node?.Status?.Conditions?.FirstOrDefault(c => c.Type == "Ready") is { Status: "True" } ready &&
        ready.LastHeartbeatTime is Time beat && now - beat.Value < maxAge;

    private string Hash(string purpose) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(purpose + "/" + Name)))[..32];
}
