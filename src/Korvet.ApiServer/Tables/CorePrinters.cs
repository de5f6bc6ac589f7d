using System.Text.Json;
using static Korvet.ApiServer.Tables.Columns;

namespace Korvet.ApiServer.Tables;

/// <summary>Printers of core/v1 kinds and leases, following upstream's pkg/printers/internalversion.</summary>
internal static class CorePrinters
{
    public static TablePrinter Namespace { get; } = new(
        [Name, Str("Status", "The status of the namespace"), Age],
        (o, now) => [o.Str("metadata", "name"), o.Str("status", "phase"), o.Age(now, "metadata", "creationTimestamp")]);

    public static TablePrinter ConfigMap { get; } = new(
        [Name, Int("Data", "Data contains the configuration data. Each key must consist of alphanumeric characters, '-', '_' or '.'."), Age],
        (o, now) => [o.Str("metadata", "name"), (long)(o.Count("data") + o.Count("binaryData")), o.Age(now, "metadata", "creationTimestamp")]);

    public static TablePrinter Secret { get; } = new(
        [Name, Str("Type", "Used to facilitate programmatic handling of secret data."), Int("Data", "Data contains the secret data."), Age],
        (o, now) => [o.Str("metadata", "name"), o.Str("type"), (long)o.Count("data"), o.Age(now, "metadata", "creationTimestamp")]);

    public static TablePrinter ServiceAccount { get; } = new(
        [Name, Int("Secrets", "Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use."), Age],
        (o, now) => [o.Str("metadata", "name"), (long)o.Count("secrets"), o.Age(now, "metadata", "creationTimestamp")]);

    public static TablePrinter Endpoints { get; } = new(
        [Name, Str("Endpoints", "Endpoints of this service."), Age],
        (o, now) => [o.Str("metadata", "name"), FormatEndpoints(o), o.Age(now, "metadata", "creationTimestamp")]);

    public static TablePrinter Lease { get; } = new(
        [Name, Str("Holder", "The holder of the lease."), Age],
        (o, now) => [o.Str("metadata", "name"), o.Str("spec", "holderIdentity"), o.Age(now, "metadata", "creationTimestamp")]);

    public static TablePrinter Service { get; } = new(
        [
            Name, Str("Type", "The type of service."), Str("Cluster-IP", "The cluster IP of the service."),
            Str("External-IP", "The external IP of the service."), Str("Port(s)", "The ports of the service."), Age,
            Str("Selector", "Route service traffic to pods with label keys and values matching this selector.", 1),
        ],
        (o, now) =>
        [
            o.Str("metadata", "name"), ServiceType(o), Json.OrNone(o.Str("spec", "clusterIP")), ExternalIp(o), ServicePorts(o),
            o.Age(now, "metadata", "creationTimestamp"), Json.FormatLabels(o.At("spec", "selector")),
        ]);

    public static TablePrinter Node { get; } = new(
        [
            Name, Str("Status", "The status of the node"), Str("Roles", "The roles of the node"), Age,
            Str("Version", "Kubelet Version reported by the node."),
            Str("Internal-IP", "List of addresses reachable to the node. Queried from cloud provider, if available.", 1),
            Str("External-IP", "List of addresses reachable to the node. Queried from cloud provider, if available.", 1),
            Str("OS-Image", "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).", 1),
            Str("Kernel-Version", "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).", 1),
            Str("Container-Runtime", "ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).", 1),
        ],
        (o, now) =>
        [
            o.Str("metadata", "name"), NodeStatus(o), NodeRoles(o), o.Age(now, "metadata", "creationTimestamp"),
            o.Str("status", "nodeInfo", "kubeletVersion"), NodeAddress(o, "InternalIP"), NodeAddress(o, "ExternalIP"),
            o.Str("status", "nodeInfo", "osImage"), o.Str("status", "nodeInfo", "kernelVersion"),
            o.Str("status", "nodeInfo", "containerRuntimeVersion"),
        ]);

    public static TablePrinter Event { get; } = new(
        [
            Str("Last Seen", "Time when last event occurred"), Str("Type", "Type of this event (Normal, Warning), new types could be added in the future."),
            Str("Reason", "This should be a short, machine understandable string that gives the reason for the transition into the object's current status."),
            Str("Object", "The object that this event is about."), Str("Subobject", "The subobject that this event is about.", 1),
            Str("Source", "The component reporting this event.", 1), Str("Message", "A human-readable description of the status of this operation."),
            Str("First Seen", "Time when first event occurred", 1), Int("Count", "The number of times this event has occurred.", 1),
            new TableColumn("Name", "string", "name", NameDoc, 1),
        ],
        (o, now) =>
        [
            EventLastSeen(o, now), o.Str("type"), o.Str("reason"),
            $"{o.Str("involvedObject", "kind").ToLowerInvariant()}/{o.Str("involvedObject", "name")}",
            o.Str("involvedObject", "fieldPath"), EventSource(o), o.Str("message"),
            o.Has("firstTimestamp") ? o.Age(now, "firstTimestamp") : o.Age(now, "eventTime"),
            o.Has("count") ? o.Long("count") : 1L, o.Str("metadata", "name"),
        ]);

    private static string ServiceType(JsonElement o) => o.Str("spec", "type") is { Length: > 0 } t ? t : "ClusterIP";

    private static string ExternalIp(JsonElement o)
    {
        string[] external = o.Items("spec", "externalIPs").Select(e => e.GetString() ?? "").ToArray();
        switch (ServiceType(o))
        {
            case "ExternalName":
                return o.Str("spec", "externalName");
            case "LoadBalancer":
                var ips = o.Items("status", "loadBalancer", "ingress").Select(i => i.Str("ip") is { Length: > 0 } ip ? ip : i.Str("hostname"))
                    .Concat(external).ToList();
                return ips.Count > 0 ? string.Join(",", ips) : "<pending>";
            default:
                return external.Length > 0 ? string.Join(",", external) : "<none>";
        }
    }

    private static string ServicePorts(JsonElement o)
    {
        var ports = o.Items("spec", "ports").Select(p =>
        {
            string protocol = p.Str("protocol") is { Length: > 0 } pr ? pr : "TCP";
            return p.Long("nodePort") > 0 ? $"{p.Long("port")}:{p.Long("nodePort")}/{protocol}" : $"{p.Long("port")}/{protocol}";
        }).ToList();
        return ports.Count == 0 ? "<none>" : string.Join(",", ports);
    }

    private static string FormatEndpoints(JsonElement o)
    {
        var all = new List<string>();
        foreach (JsonElement subset in o.Items("subsets"))
        {
            var ports = subset.Items("ports").Select(p => p.Long("port")).ToList();
            foreach (JsonElement address in subset.Items("addresses"))
            {
                if (ports.Count == 0)
                {
                    all.Add(address.Str("ip"));
                }
                else
                {
                    all.AddRange(ports.Select(p => $"{address.Str("ip")}:{p}"));
                }
            }
        }

        if (all.Count == 0)
        {
            return "<none>";
        }

        return all.Count > 3 ? $"{string.Join(",", all.Take(3))} + {all.Count - 3} more..." : string.Join(",", all);
    }

    private static string NodeStatus(JsonElement o)
    {
        JsonElement ready = o.Items("status", "conditions").FirstOrDefault(c => c.Str("type") == "Ready");
        string status = ready.ValueKind == JsonValueKind.Undefined ? "Unknown"
            : ready.Str("status") == "True" ? "Ready"
            : "NotReady"; // upstream printNode: "Not" + type for False and Unknown alike
        return o.At("spec", "unschedulable").ValueKind == JsonValueKind.True ? status + ",SchedulingDisabled" : status;
    }

    private static string NodeRoles(JsonElement o)
    {
        var roles = new SortedSet<string>(StringComparer.Ordinal);
        JsonElement labels = o.At("metadata", "labels");
        if (labels.ValueKind == JsonValueKind.Object)
        {
            foreach (JsonProperty label in labels.EnumerateObject())
            {
                if (label.Name.StartsWith("node-role.kubernetes.io/", StringComparison.Ordinal))
                {
                    string role = label.Name["node-role.kubernetes.io/".Length..];
                    if (role.Length > 0)
                    {
                        roles.Add(role);
                    }
                }
                else if (label.Name == "kubernetes.io/role" && label.Value.GetString() is { Length: > 0 } value)
                {
                    roles.Add(value);
                }
            }
        }

        return roles.Count == 0 ? "<none>" : string.Join(",", roles);
    }

    private static string NodeAddress(JsonElement o, string type) =>
        Json.OrNone(string.Join(",", o.Items("status", "addresses").Where(a => a.Str("type") == type).Select(a => a.Str("address"))));

    private static string EventLastSeen(JsonElement o, DateTimeOffset now) =>
        o.Has("series", "lastObservedTime") ? o.Age(now, "series", "lastObservedTime")
        : o.Has("lastTimestamp") ? o.Age(now, "lastTimestamp")
        : o.Has("eventTime") ? o.Age(now, "eventTime")
        : o.Age(now, "metadata", "creationTimestamp");

    private static string EventSource(JsonElement o)
    {
        string component = o.Str("source", "component") is { Length: > 0 } c ? c : o.Str("reportingComponent");
        string host = o.Str("source", "host") is { Length: > 0 } h ? h : o.Str("reportingInstance");
        return host.Length > 0 ? $"{component}, {host}" : component;
    }
}
