using Korvet.Api.Core.V1;

namespace Korvet.Controllers.Endpoints;

/// <summary>
/// The desired <c>subsets</c> and labels of a Service's Endpoints from its selected pods (upstream's endpoints
/// controller syncService + RepackSubsets): ready pods (or all, with publishNotReadyAddresses) are addresses, the others
/// notReadyAddresses; pods are grouped by the ports they resolve (named targetPorts per pod). Pure and deterministic:
/// subsets and addresses come out sorted so equal inputs give equal output.
/// </summary>
public static class EndpointsBuilder
{
    public const string HeadlessLabel = "service.kubernetes.io/headless";

    public static List<EndpointSubset> Subsets(Service service, IEnumerable<Pod> pods)
    {
        bool tolerateUnready = service.Spec?.PublishNotReadyAddresses == true;
        List<ServicePort> servicePorts = service.Spec?.Ports ?? [];
        var groups = new Dictionary<string, (List<Api.Core.V1.EndpointPort> Ports, Dictionary<string, EndpointAddress> Ready, Dictionary<string, EndpointAddress> NotReady)>();
        foreach (Pod pod in pods)
        {
            if (!PodEndpoints.ShouldBeInEndpoints(pod, tolerateUnready))
            {
                continue;
            }

            var address = new EndpointAddress
            {
                IP = PodEndpoints.Address(pod)!,
                NodeName = pod.Spec?.NodeName is { Length: > 0 } node ? node : null,
                TargetRef = PodEndpoints.TargetRef(pod),
                Hostname = PodEndpoints.ShouldSetHostname(pod, service) ? pod.Spec!.Hostname : null,
            };
            bool ready = tolerateUnready || PodEndpoints.IsReady(pod);
            if (servicePorts.Count == 0)
            {
                if (PodEndpoints.IsHeadless(service))
                {
                    Add(groups, [], address, ready);
                }

                continue;
            }

            // Upstream adds one subset per service port, then repacks subsets with equal port sets together.
            var ports = new List<Api.Core.V1.EndpointPort>();
            foreach (ServicePort servicePort in servicePorts)
            {
                if (PodEndpoints.FindPort(pod, servicePort) is { } number)
                {
                    ports.Add(new Api.Core.V1.EndpointPort
                    {
                        Name = servicePort.Name is { Length: > 0 } n ? n : null,
                        Port = number,
                        Protocol = servicePort.Protocol ?? "TCP",
                        AppProtocol = servicePort.AppProtocol,
                    });
                }
            }

            foreach (Api.Core.V1.EndpointPort port in ports)
            {
                Add(groups, [port], address, ready);
            }
        }

        // Repack: addresses with the same port set share one subset; each address's ports are merged.
        var byAddressSet = new Dictionary<string, (List<Api.Core.V1.EndpointPort> Ports, List<EndpointAddress> Ready, List<EndpointAddress> NotReady)>();
        var portsPerAddress = new Dictionary<string, (EndpointAddress Address, bool Ready, List<Api.Core.V1.EndpointPort> Ports)>();
        foreach ((List<Api.Core.V1.EndpointPort> ports, Dictionary<string, EndpointAddress> ready, Dictionary<string, EndpointAddress> notReady) in groups.Values)
        {
            foreach ((string key, EndpointAddress a) in ready.Concat(notReady))
            {
                bool isReady = ready.ContainsKey(key);
                if (!portsPerAddress.TryGetValue(key, out var entry))
                {
                    entry = (a, isReady, []);
                    portsPerAddress[key] = entry;
                }

                entry.Ports.AddRange(ports);
            }
        }

        foreach ((EndpointAddress address, bool ready, List<Api.Core.V1.EndpointPort> ports) in portsPerAddress.Values)
        {
            List<Api.Core.V1.EndpointPort> sorted = ports.OrderBy(PortKey, StringComparer.Ordinal).ToList();
            string key = string.Join("|", sorted.Select(PortKey));
            if (!byAddressSet.TryGetValue(key, out var subset))
            {
                subset = (sorted, [], []);
                byAddressSet[key] = subset;
            }

            (ready ? subset.Ready : subset.NotReady).Add(address);
        }

        return byAddressSet.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => new EndpointSubset
        {
            Addresses = p.Value.Ready.Count == 0 ? null : p.Value.Ready.OrderBy(AddressKey, StringComparer.Ordinal).ToList(),
            NotReadyAddresses = p.Value.NotReady.Count == 0 ? null : p.Value.NotReady.OrderBy(AddressKey, StringComparer.Ordinal).ToList(),
            Ports = p.Value.Ports.Count == 0 ? null : p.Value.Ports,
        }).ToList();
    }

    /// <summary>The service's labels, with <c>service.kubernetes.io/headless</c> exactly when the service is headless.</summary>
    public static Dictionary<string, string> Labels(Service service)
    {
        var labels = new Dictionary<string, string>(service.Metadata?.Labels ?? new Dictionary<string, string>());
        labels.Remove(HeadlessLabel);
        if (PodEndpoints.IsHeadless(service))
        {
            labels[HeadlessLabel] = "";
        }

        return labels;
    }

    private static void Add(Dictionary<string, (List<Api.Core.V1.EndpointPort> Ports, Dictionary<string, EndpointAddress> Ready, Dictionary<string, EndpointAddress> NotReady)> groups,
        List<Api.Core.V1.EndpointPort> ports, EndpointAddress address, bool ready)
    {
        string key = string.Join("|", ports.Select(PortKey));
        if (!groups.TryGetValue(key, out var group))
        {
            group = (ports, [], []);
            groups[key] = group;
        }

        // One IP appears once per port set; ready wins over not ready (upstream's repack).
        string addressKey = AddressKey(address);
        if (ready)
        {
            group.NotReady.Remove(addressKey);
            group.Ready[addressKey] = address;
        }
        else if (!group.Ready.ContainsKey(addressKey))
        {
            group.NotReady[addressKey] = address;
        }
    }

    private static string PortKey(Api.Core.V1.EndpointPort p) => $"{p.Name}/{p.Protocol}/{p.Port:D5}";

    private static string AddressKey(EndpointAddress a) => $"{a.IP}/{a.TargetRef?.Uid}";
}
