using System.Text.Json;
using static Korvet.ApiServer.Tables.Columns;

namespace Korvet.ApiServer.Tables;

/// <summary>Printers of networking.k8s.io and discovery.k8s.io kinds, following upstream's
/// pkg/printers/internalversion (printIngress, printIngressClass, printNetworkPolicy, printEndpointSlice).</summary>
internal static class NetworkingPrinters
{
    /// <summary>Upstream clips load-balancer addresses to 16 characters outside -o wide; the server prints wide.</summary>
    private const int LoadBalancerWidth = 16;

    public static TablePrinter Ingress { get; } = new(
        [
            Name, Str("Class", "The name of the IngressClass resource that should be used for additional configuration"),
            Str("Hosts", "Hosts that incoming requests are matched against before the ingress rule"),
            Str("Address", "Address is a list containing ingress points for the load-balancer"),
            Str("Ports", "Ports of TLS configurations that open"), Age,
        ],
        (o, now) =>
        [
            o.Str("metadata", "name"), o.Has("spec", "ingressClassName") ? o.Str("spec", "ingressClassName") : "<none>",
            IngressHosts(o), LoadBalancerAddresses(o.At("status", "loadBalancer"), wide: true),
            o.Count("spec", "tls") > 0 ? "80, 443" : "80", o.Age(now, "metadata", "creationTimestamp"),
        ]);

    public static TablePrinter IngressClass { get; } = new(
        [
            Name, Str("Controller", "Controller that is responsible for handling this class"),
            Str("Parameters", "A reference to a resource with additional parameters"), Age,
        ],
        (o, now) => [o.Str("metadata", "name"), o.Str("spec", "controller"), IngressClassParameters(o), o.Age(now, "metadata", "creationTimestamp")]);

    public static TablePrinter NetworkPolicy { get; } = new(
        [Name, Str("Pod-Selector", "Selects the pods to which this NetworkPolicy object applies."), Age],
        (o, now) => [o.Str("metadata", "name"), Json.FormatSelector(o.At("spec", "podSelector")), o.Age(now, "metadata", "creationTimestamp")]);

    public static TablePrinter EndpointSlice { get; } = new(
        [
            Name, Str("AddressType", "addressType specifies the type of address carried by this EndpointSlice."),
            Str("Ports", "ports specifies the list of network ports exposed by each endpoint in this slice."),
            Str("Endpoints", "endpoints is a list of unique endpoints in this slice."), Age,
        ],
        (o, now) =>
        [
            o.Str("metadata", "name"), o.Str("addressType"), SlicePorts(o), SliceEndpoints(o), o.Age(now, "metadata", "creationTimestamp"),
        ]);

    /// <summary>The first three rule hosts, then "+ N more..." (N counts every rule past the third); "*" when none.</summary>
    private static string IngressHosts(JsonElement o)
    {
        const int max = 3;
        var hosts = new List<string>();
        bool more = false;
        int rules = 0;
        foreach (JsonElement rule in o.Items("spec", "rules"))
        {
            rules++;
            if (hosts.Count == max)
            {
                more = true;
            }

            if (!more && rule.Str("host").Length > 0)
            {
                hosts.Add(rule.Str("host"));
            }
        }

        if (hosts.Count == 0)
        {
            return "*";
        }

        string joined = string.Join(",", hosts);
        return more ? $"{joined} + {rules - max} more..." : joined;
    }

    /// <summary>Sorted, distinct IPs (else hostnames) of a load-balancer status, clipped unless wide.</summary>
    internal static string LoadBalancerAddresses(JsonElement loadBalancer, bool wide)
    {
        var addresses = new SortedSet<string>(StringComparer.Ordinal);
        foreach (JsonElement ingress in loadBalancer.Items("ingress"))
        {
            string address = ingress.Str("ip") is { Length: > 0 } ip ? ip : ingress.Str("hostname");
            if (address.Length > 0)
            {
                addresses.Add(address);
            }
        }

        string joined = string.Join(",", addresses);
        return !wide && joined.Length > LoadBalancerWidth ? joined[..(LoadBalancerWidth - 3)] + "..." : joined;
    }

    private static string IngressClassParameters(JsonElement o)
    {
        JsonElement parameters = o.At("spec", "parameters");
        if (parameters.ValueKind != JsonValueKind.Object)
        {
            return "<none>";
        }

        string kind = parameters.Str("kind");
        if (parameters.Has("apiGroup"))
        {
            kind += "." + parameters.Str("apiGroup");
        }

        return kind + "/" + parameters.Str("name");
    }

    private static string SlicePorts(JsonElement o) => WithMore(o.Items("ports").Select(p =>
        p.Has("port") ? p.Long("port").ToString(System.Globalization.CultureInfo.InvariantCulture) : p.Has("name") ? p.Str("name") : "*"));

    private static string SliceEndpoints(JsonElement o) =>
        WithMore(o.Items("endpoints").SelectMany(e => e.Items("addresses")).Select(a => a.GetString() ?? ""));

    /// <summary>Upstream's listWithMoreString: the first three, "+ N more...", or "&lt;unset&gt;" when empty.</summary>
    private static string WithMore(IEnumerable<string> values)
    {
        const int max = 3;
        var list = new List<string>(max);
        int count = 0;
        foreach (string value in values)
        {
            if (list.Count < max)
            {
                list.Add(value);
            }

            count++;
        }

        string joined = string.Join(",", list);
        return count > max ? $"{joined} + {count - max} more..." : joined.Length == 0 ? "<unset>" : joined;
    }
}
