using Korvet.Api.Core.V1;

namespace Korvet.Controllers.Endpoints;

/// <summary>
/// The per-pod facts both endpoint controllers share (upstream's endpointutil and podutil): whether a pod belongs in a
/// service's endpoints, its readiness, its address and which container port a service port reaches. Pure.
/// </summary>
public static class PodEndpoints
{
    /// <summary>Upstream's ShouldPodBeInEndpoints: not terminal, has an IP, and not terminating unless tolerated.</summary>
    public static bool ShouldBeInEndpoints(Pod pod, bool includeTerminating)
    {
        if (pod.Status?.Phase is "Succeeded" or "Failed")
        {
            return false;
        }

        if (Address(pod) is null)
        {
            return false;
        }

        return includeTerminating || pod.Metadata?.DeletionTimestamp is null;
    }

    /// <summary>The pod's IPv4 address: status.podIP, else the first IPv4 entry of status.podIPs; null when none.</summary>
    public static string? Address(Pod pod)
    {
        if (pod.Status?.PodIP is { Length: > 0 } ip && !ip.Contains(':', StringComparison.Ordinal))
        {
            return ip;
        }

        return pod.Status?.PodIPs?.Select(p => p.IP).FirstOrDefault(p => p.Length > 0 && !p.Contains(':', StringComparison.Ordinal));
    }

    /// <summary>True when the pod's Ready condition is True.</summary>
    public static bool IsReady(Pod pod) =>
        pod.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true;

    /// <summary>
    /// Upstream's FindPort: a numeric targetPort as is (absent = the service port); a named one is the container port
    /// of that name and protocol in the pod's containers (then restartable init containers); null when the pod has none.
    /// </summary>
    public static int? FindPort(Pod pod, ServicePort servicePort)
    {
        if (servicePort.TargetPort is not { } target)
        {
            return servicePort.Port;
        }

        if (target.IsInt)
        {
            return target.IntValue;
        }

        string protocol = servicePort.Protocol ?? "TCP";
        IEnumerable<Container> containers = (pod.Spec?.Containers ?? [])
            .Concat((pod.Spec?.InitContainers ?? []).Where(c => c.RestartPolicy == "Always"));
        foreach (Container container in containers)
        {
            foreach (ContainerPort port in container.Ports ?? [])
            {
                if (port.Name == target.StringValue && (port.Protocol ?? "TCP") == protocol)
                {
                    return port.ContainerPortValue;
                }
            }
        }

        return null;
    }

    /// <summary>Upstream's ShouldSetHostname: the pod asked for a hostname under this service's subdomain.</summary>
    public static bool ShouldSetHostname(Pod pod, Service service) =>
        pod.Spec?.Hostname is { Length: > 0 } && pod.Spec.Subdomain == service.Metadata?.Name
        && pod.Metadata?.Namespace == service.Metadata?.Namespace;

    /// <summary>True when the service has no cluster IP ("None"): headless.</summary>
    public static bool IsHeadless(Service service) =>
        service.Spec?.ClusterIP is null or "" or "None";

    /// <summary>The reference endpoints keep to their pod.</summary>
    public static ObjectReference TargetRef(Pod pod) => new()
    {
        Kind = "Pod",
        Namespace = pod.Metadata?.Namespace,
        Name = pod.Metadata?.Name,
        Uid = pod.Metadata?.Uid,
    };
}
