using Korvet.Api.Core.V1;
using Korvet.Api.Discovery.V1;
using Korvet.Controllers.Endpoints;

namespace Korvet.Controllers.EndpointSlice;

/// <summary>The endpoints of one slice and the ports they share (upstream's endpointMeta + endpoints).</summary>
public sealed record DesiredSlice(List<Api.Discovery.V1.EndpointPort> Ports, List<Endpoint> Endpoints)
{
    /// <summary>A comparable key of the port set.</summary>
    public string PortsKey => EndpointSliceBuilder.PortsKey(Ports);
}

/// <summary>
/// The desired EndpointSlices of a Service with a selector (upstream's endpointslice reconciler, IPv4): one endpoint per
/// pod with an IP that is not terminal (terminating ones included with conditions ready/serving/terminating), grouped by
/// the ports the pod resolves, at most <see cref="MaxEndpointsPerSlice"/> per slice; with no endpoints at all, one
/// empty placeholder slice. Pure and deterministic (endpoints sorted by pod name).
/// </summary>
public static class EndpointSliceBuilder
{
    public const int MaxEndpointsPerSlice = 100;
    public const string ServiceNameLabel = "kubernetes.io/service-name";
    public const string ManagedByLabel = "endpointslice.kubernetes.io/managed-by";
    public const string ControllerName = "endpointslice-controller.k8s.io";

    public static List<DesiredSlice> Build(Service service, IEnumerable<Pod> pods, int maxPerSlice = MaxEndpointsPerSlice)
    {
        bool publishNotReady = service.Spec?.PublishNotReadyAddresses == true;
        var groups = new SortedDictionary<string, (List<Api.Discovery.V1.EndpointPort> Ports, List<(string Name, Endpoint Endpoint)> Endpoints)>(StringComparer.Ordinal);
        foreach (Pod pod in pods)
        {
            if (!PodEndpoints.ShouldBeInEndpoints(pod, includeTerminating: true))
            {
                continue;
            }

            bool serving = PodEndpoints.IsReady(pod);
            bool terminating = pod.Metadata?.DeletionTimestamp is not null;
            bool ready = (publishNotReady || serving) && (!terminating || publishNotReady);
            var endpoint = new Endpoint
            {
                Addresses = [PodEndpoints.Address(pod)!],
                Conditions = new EndpointConditions { Ready = ready, Serving = serving, Terminating = terminating },
                TargetRef = PodEndpoints.TargetRef(pod),
                NodeName = pod.Spec?.NodeName is { Length: > 0 } node ? node : null,
                Hostname = PodEndpoints.ShouldSetHostname(pod, service) ? pod.Spec!.Hostname : null,
            };

            List<Api.Discovery.V1.EndpointPort> ports = Ports(service, pod);
            string key = PortsKey(ports);
            if (!groups.TryGetValue(key, out var group))
            {
                group = (ports, []);
                groups[key] = group;
            }

            group.Endpoints.Add((pod.Metadata?.Name ?? "", endpoint));
        }

        var slices = new List<DesiredSlice>();
        foreach ((List<Api.Discovery.V1.EndpointPort> ports, List<(string Name, Endpoint Endpoint)> endpoints) in groups.Values)
        {
            List<Endpoint> sorted = endpoints.OrderBy(e => e.Name, StringComparer.Ordinal).Select(e => e.Endpoint).ToList();
            for (int i = 0; i < sorted.Count; i += maxPerSlice)
            {
                slices.Add(new DesiredSlice(ports, sorted.Skip(i).Take(maxPerSlice).ToList()));
            }
        }

        if (slices.Count == 0)
        {
            slices.Add(new DesiredSlice([], []));
        }

        return slices;
    }

    /// <summary>The slice labels: the service's, plus service name, manager, and the headless marker when headless.</summary>
    public static Dictionary<string, string> Labels(Service service)
    {
        Dictionary<string, string> labels = EndpointsBuilder.Labels(service);
        labels[ServiceNameLabel] = service.Metadata?.Name ?? "";
        labels[ManagedByLabel] = ControllerName;
        return labels;
    }

    /// <summary>The service ports a pod serves, in service order (named targetPorts resolved in this pod).</summary>
    public static List<Api.Discovery.V1.EndpointPort> Ports(Service service, Pod pod)
    {
        var ports = new List<Api.Discovery.V1.EndpointPort>();
        foreach (ServicePort servicePort in service.Spec?.Ports ?? [])
        {
            if (PodEndpoints.FindPort(pod, servicePort) is { } number)
            {
                ports.Add(new Api.Discovery.V1.EndpointPort
                {
                    Name = servicePort.Name ?? "",
                    Port = number,
                    Protocol = servicePort.Protocol ?? "TCP",
                    AppProtocol = servicePort.AppProtocol,
                });
            }
        }

        return ports;
    }

    public static string PortsKey(IEnumerable<Api.Discovery.V1.EndpointPort>? ports) =>
        string.Join("|", (ports ?? []).Select(p => $"{p.Name}/{p.Protocol}/{p.Port}/{p.AppProtocol}"));
}
