using System.Text.Json;
using System.Text.Json.Nodes;
using Korvet.ApiServer.Errors;
using Korvet.ApiServer.Registry;
using Korvet.ApiServer.Storage;
using Korvet.ApiServer.Strategies;
using Korvet.Storage;

namespace Korvet.ApiServer.Services;

/// <summary>
/// Cluster IPs and node ports of core/v1 Services. There is no allocation bitmap: the used sets are read from the
/// stored Services (a consistent backend list) under one lock that is held until the caller's write finishes, so
/// concurrent writes through this server never pick the same value, a restart sees exactly what is stored, a delete
/// releases its values, and a dry run (which never writes) allocates nothing lasting. Requires a single API server
/// per store, which is Korvet's deployment.
/// </summary>
public sealed class ServiceAllocator : IWriteAllocator
{
    private readonly SemaphoreSlim _lock = new(1, 1);

    /// <param name="nodePorts">The node port range (default 30000-32767); requested ports outside it are invalid.</param>
    public ServiceAllocator(string serviceCidr, PortRange? nodePorts = null)
    {
        Range = new Ipv4Range(serviceCidr);
        NodePorts = nodePorts ?? PortRange.Default;
    }

    public Ipv4Range Range { get; }

    public PortRange NodePorts { get; }

    public bool Handles(ResourceDefinition resource) => resource.Group.Length == 0 && resource.Plural == "services";

    public async Task<IDisposable> AllocateAsync(IBackend backend, ResourceDefinition resource, string key, JsonObject obj,
        JsonObject? old, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken);
        var lease = new Lease(_lock);
        try
        {
            (HashSet<string> ips, HashSet<long> ports) = await UsedAsync(backend, resource.KeyPrefix, key, cancellationToken);
            var spec = obj["spec"] as JsonObject ?? new JsonObject();
            obj["spec"] = spec;
            var oldSpec = old?["spec"] as JsonObject;
            string name = JsonFields.Str(obj["metadata"] as JsonObject, "name");
            var causes = new List<StatusCause>();
            string type = JsonFields.Str(spec, "type");
            if (type != "ExternalName")
            {
                AllocateIp(spec, oldSpec, ips, causes);
            }

            bool wantsNodePorts = type == "NodePort" || (type == "LoadBalancer" && spec["allocateLoadBalancerNodePorts"]?.GetValueKind() != JsonValueKind.False);
            if (wantsNodePorts)
            {
                AllocateNodePorts(spec, oldSpec, ports, causes);
            }

            if (causes.Count > 0)
            {
                throw StatusErrors.Invalid(resource, name, causes);
            }

            return lease;
        }
        catch
        {
            lease.Dispose();
            throw;
        }
    }

    private void AllocateIp(JsonObject spec, JsonObject? oldSpec, HashSet<string> used, List<StatusCause> causes)
    {
        string ip = JsonFields.Str(spec, "clusterIP");
        if (ip == "None")
        {
            return;
        }

        if (ip.Length == 0)
        {
            ip = Range.PickFree(used) ?? throw StatusErrors.Internal("failed to allocate a serviceIP: range is full");
        }
        else if (ip != JsonFields.Str(oldSpec, "clusterIP"))
        {
            if (!Range.Contains(ip) || System.Net.IPAddress.Parse(ip).ToString() != ip)
            {
                causes.Add(FieldErrors.Invalid("spec.clusterIP", ip, $"provided IP is not in the valid range. The range of valid IPs is {Range.Cidr}"));
                return;
            }

            if (used.Contains(ip))
            {
                causes.Add(FieldErrors.Invalid("spec.clusterIP", ip, "provided IP is already allocated"));
                return;
            }
        }

        spec["clusterIP"] = ip;
        spec["clusterIPs"] = new JsonArray(ip);
    }

    private void AllocateNodePorts(JsonObject spec, JsonObject? oldSpec, HashSet<long> used, List<StatusCause> causes)
    {
        var owned = new HashSet<long>();
        foreach ((_, JsonObject oldPort) in JsonFields.Items(oldSpec, "ports"))
        {
            if (JsonFields.Long(oldPort, "nodePort") is long n and not 0)
            {
                owned.Add(n);
            }
        }

        var ports = JsonFields.Items(spec, "ports").ToList();
        var claimed = new HashSet<long>();
        foreach ((int i, JsonObject port) in ports)
        {
            long requested = JsonFields.Long(port, "nodePort") ?? 0;
            if (requested == 0)
            {
                continue;
            }

            if (!NodePorts.Contains(requested))
            {
                causes.Add(FieldErrors.Invalid($"spec.ports[{i}].nodePort", requested,
                    $"provided port is not in the valid range. The range of valid ports is {NodePorts}"));
            }
            else if (!owned.Contains(requested) && used.Contains(requested))
            {
                causes.Add(FieldErrors.Invalid($"spec.ports[{i}].nodePort", requested, "provided port is already allocated"));
            }

            claimed.Add(requested);
        }

        foreach ((_, JsonObject port) in ports)
        {
            if ((JsonFields.Long(port, "nodePort") ?? 0) != 0)
            {
                continue;
            }

            long picked = PickPort(used, claimed) ?? throw StatusErrors.Internal("failed to allocate a nodePort: range is full");
            claimed.Add(picked);
            port["nodePort"] = picked;
        }
    }

    private long? PickPort(HashSet<long> used, HashSet<long> claimed)
    {
        int size = NodePorts.Size;
        int start = Random.Shared.Next(size);
        for (int i = 0; i < size; i++)
        {
            long candidate = NodePorts.Min + ((start + i) % size);
            if (!used.Contains(candidate) && !claimed.Contains(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>Cluster IPs and node ports of every stored Service except the one at <paramref name="ownKey"/>.</summary>
    private static async Task<(HashSet<string> Ips, HashSet<long> Ports)> UsedAsync(IBackend backend, string prefix, string ownKey,
        CancellationToken cancellationToken)
    {
        var ips = new HashSet<string>(StringComparer.Ordinal);
        var ports = new HashSet<long>();
        string? after = null;
        while (true)
        {
            ListResult page = await backend.ListAsync(prefix, new ListOptions(0, 500, after), cancellationToken);
            foreach (KeyValue kv in page.Items)
            {
                if (kv.Key != ownKey)
                {
                    Collect(kv.Value, ips, ports);
                }
            }

            if (!page.More || page.Items.Count == 0)
            {
                return (ips, ports);
            }

            after = page.Items[^1].Key;
        }
    }

    private static void Collect(byte[] value, HashSet<string> ips, HashSet<long> ports)
    {
        using JsonDocument doc = JsonDocument.Parse(value);
        if (!doc.RootElement.TryGetProperty("spec", out JsonElement spec) || spec.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        if (spec.TryGetProperty("clusterIP", out JsonElement ip) && ip.ValueKind == JsonValueKind.String && ip.GetString() is { Length: > 0 } s && s != "None")
        {
            ips.Add(s);
        }

        if (spec.TryGetProperty("ports", out JsonElement list) && list.ValueKind == JsonValueKind.Array)
        {
            foreach (JsonElement port in list.EnumerateArray())
            {
                if (port.ValueKind == JsonValueKind.Object && port.TryGetProperty("nodePort", out JsonElement np) && np.TryGetInt64(out long n) && n != 0)
                {
                    ports.Add(n);
                }
            }
        }
    }

    /// <summary>Releases the allocation lock once; later disposals are no-ops.</summary>
    private sealed class Lease(SemaphoreSlim gate) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                gate.Release();
            }
        }
    }
}
