using System.Text.Json.Nodes;
using Korvet.ApiServer.Errors;
using Korvet.ApiServer.Registry;

namespace Korvet.ApiServer.Strategies;

/// <summary>
/// core/v1 Service: SetDefaults_Service (type, session affinity, port protocol and targetPort, traffic policies),
/// the IP-family fields the service REST layer fills in on a single-stack IPv4 cluster, ValidateService's common
/// rules, and on update the allocated clusterIP/nodePorts carried over when a PUT omits them (upstream's
/// patchAllocatedValues) plus the immutable clusterIP. IP and node-port allocation are the allocator's job.
/// </summary>
internal sealed class ServiceStrategy : KindStrategy
{
    private static readonly string[] Protocols = ["SCTP", "TCP", "UDP"];

    public ServiceStrategy(ResourceDefinition resource)
        : base(resource)
    {
    }

    protected override void ApplyDefaults(JsonObject obj)
    {
        JsonObject spec = JsonFields.Child(obj, "spec");
        JsonFields.DefaultString(spec, "sessionAffinity", "None");
        JsonFields.DefaultString(spec, "type", "ClusterIP");
        string type = JsonFields.Str(spec, "type");
        foreach ((_, JsonObject port) in JsonFields.Items(spec, "ports"))
        {
            JsonFields.DefaultString(port, "protocol", "TCP");
            if (port["targetPort"] is null || port["targetPort"]?.ToString() is "0" or "")
            {
                port["targetPort"] = port["port"]?.DeepClone();
            }
        }

        if (type is "NodePort" or "LoadBalancer")
        {
            JsonFields.DefaultString(spec, "externalTrafficPolicy", "Cluster");
        }

        if (type == "LoadBalancer")
        {
            JsonFields.Default(spec, "allocateLoadBalancerNodePorts", true);
        }

        if (JsonFields.Str(spec, "sessionAffinity") == "ClientIP")
        {
            JsonObject clientIp = JsonFields.Child(JsonFields.Child(spec, "sessionAffinityConfig"), "clientIP");
            JsonFields.Default(clientIp, "timeoutSeconds", 10800);
        }

        if (type == "ExternalName")
        {
            return;
        }

        JsonFields.DefaultString(spec, "internalTrafficPolicy", "Cluster");
        string clusterIp = JsonFields.Str(spec, "clusterIP");
        if (clusterIp.Length > 0 && spec["clusterIPs"] is not JsonArray { Count: > 0 })
        {
            spec["clusterIPs"] = new JsonArray(clusterIp);
        }

        bool headlessWithoutSelector = clusterIp == "None" && spec["selector"] is not JsonObject { Count: > 0 };
        JsonFields.DefaultString(spec, "ipFamilyPolicy", headlessWithoutSelector ? "RequireDualStack" : "SingleStack");
        if (spec["ipFamilies"] is not JsonArray { Count: > 0 })
        {
            spec["ipFamilies"] = headlessWithoutSelector ? new JsonArray("IPv4", "IPv6") : new JsonArray("IPv4");
        }
    }

    public override void PrepareForCreate(ResourceDefinition resource, JsonObject obj)
    {
        base.PrepareForCreate(resource, obj);
        obj["status"] = new JsonObject { ["loadBalancer"] = new JsonObject() };
    }

    public override void PrepareForUpdate(ResourceDefinition resource, JsonObject obj, JsonObject old)
    {
        JsonObject spec = JsonFields.Child(obj, "spec");
        var oldSpec = old["spec"] as JsonObject;
        string type = JsonFields.Str(spec, "type");
        if (type != "ExternalName" && JsonFields.Str(spec, "clusterIP").Length == 0 && JsonFields.Str(oldSpec, "clusterIP").Length > 0)
        {
            spec["clusterIP"] = oldSpec!["clusterIP"]!.DeepClone();
            spec["clusterIPs"] = oldSpec["clusterIPs"]?.DeepClone();
        }

        if (type is "NodePort" or "LoadBalancer")
        {
            foreach ((_, JsonObject port) in JsonFields.Items(spec, "ports"))
            {
                if ((JsonFields.Long(port, "nodePort") ?? 0) != 0)
                {
                    continue;
                }

                foreach ((_, JsonObject oldPort) in JsonFields.Items(oldSpec, "ports"))
                {
                    if (JsonFields.Long(oldPort, "port") == JsonFields.Long(port, "port") &&
                        (JsonFields.Str(oldPort, "protocol") is var p && (p == JsonFields.Str(port, "protocol") || JsonFields.Str(port, "protocol").Length == 0)) &&
                        oldPort["nodePort"] is JsonNode nodePort)
                    {
                        port["nodePort"] = nodePort.DeepClone();
                        break;
                    }
                }
            }
        }

        base.PrepareForUpdate(resource, obj, old);
    }

    protected override void ValidateObject(JsonObject obj, List<StatusCause> causes)
    {
        var spec = obj["spec"] as JsonObject;
        string type = JsonFields.Str(spec, "type");
        if (type is not ("ClusterIP" or "ExternalName" or "LoadBalancer" or "NodePort"))
        {
            causes.Add(FieldErrors.NotSupported("spec.type", type, "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"));
        }

        string affinity = JsonFields.Str(spec, "sessionAffinity");
        if (affinity is not ("ClientIP" or "None"))
        {
            causes.Add(FieldErrors.NotSupported("spec.sessionAffinity", affinity, "ClientIP", "None"));
        }

        bool headless = JsonFields.Str(spec, "clusterIP") == "None";
        if (type == "ExternalName" && JsonFields.Str(spec, "externalName").Length == 0)
        {
            causes.Add(FieldErrors.Required("spec.externalName", ""));
        }

        var ports = JsonFields.Items(spec, "ports").ToList();
        if (ports.Count == 0 && !headless && type != "ExternalName")
        {
            causes.Add(FieldErrors.Required("spec.ports", ""));
        }

        if (JsonFields.Obj(spec, "selector") is { } selector)
        {
            MetaValidation.ValidateLabels(selector, "spec.selector", causes);
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        var portKeys = new HashSet<(long, string)>();
        foreach ((int i, JsonObject port) in ports)
        {
            Port(port, $"spec.ports[{i}]", ports.Count > 1, type, names, portKeys, causes);
        }
    }

    private static void Port(JsonObject port, string at, bool requireName, string type, HashSet<string> names,
        HashSet<(long, string)> portKeys, List<StatusCause> causes)
    {
        string name = JsonFields.Str(port, "name");
        if (name.Length == 0)
        {
            if (requireName)
            {
                causes.Add(FieldErrors.Required(at + ".name", ""));
            }
        }
        else
        {
            foreach (string msg in MetaValidation.Dns1123LabelErrors(name))
            {
                causes.Add(FieldErrors.Invalid(at + ".name", name, msg));
            }

            if (!names.Add(name))
            {
                causes.Add(FieldErrors.Duplicate(at + ".name", name));
            }
        }

        long number = JsonFields.Long(port, "port") ?? 0;
        if (!MetaValidation.IsValidPort(number))
        {
            causes.Add(FieldErrors.Invalid(at + ".port", number, MetaValidation.PortRangeMessage));
        }

        string protocol = JsonFields.Str(port, "protocol");
        if (protocol.Length == 0)
        {
            causes.Add(FieldErrors.Required(at + ".protocol", ""));
        }
        else if (!Protocols.Contains(protocol))
        {
            causes.Add(FieldErrors.NotSupported(at + ".protocol", protocol, Protocols));
        }

        if (!portKeys.Add((number, protocol)))
        {
            causes.Add(FieldErrors.DuplicateRaw(at, $"core.ServicePort{{Name:{FieldErrors.Quote(name)}, Protocol:{FieldErrors.Quote(protocol)}, Port:{number}}}"));
        }

        if (port["targetPort"] is JsonValue target)
        {
            if (target.TryGetValue(out long targetNumber))
            {
                if (!MetaValidation.IsValidPort(targetNumber))
                {
                    causes.Add(FieldErrors.Invalid(at + ".targetPort", targetNumber, MetaValidation.PortRangeMessage));
                }
            }
            else if (target.TryGetValue(out string? targetName))
            {
                foreach (string msg in MetaValidation.PortNameErrors(targetName))
                {
                    causes.Add(FieldErrors.Invalid(at + ".targetPort", targetName, msg));
                }
            }
        }

        long nodePort = JsonFields.Long(port, "nodePort") ?? 0;
        if (nodePort != 0)
        {
            // The range check belongs to the allocator, which knows --service-node-port-range.
            if (type is "ClusterIP" or "ExternalName")
            {
                causes.Add(FieldErrors.Forbidden(at + ".nodePort", $"may not be used when `type` is '{type}'"));
            }
        }
    }

    protected override void ValidateTransition(JsonObject obj, JsonObject old, List<StatusCause> causes)
    {
        var spec = obj["spec"] as JsonObject;
        var oldSpec = old["spec"] as JsonObject;
        string before = JsonFields.Str(oldSpec, "clusterIP");
        string now = JsonFields.Str(spec, "clusterIP");
        if (before.Length > 0 && now != before && JsonFields.Str(spec, "type") != "ExternalName" && JsonFields.Str(oldSpec, "type") != "ExternalName")
        {
            string ips = spec?["clusterIPs"] is JsonArray list
                ? "[]string{" + string.Join(", ", list.Select(x => FieldErrors.Quote((string?)x ?? ""))) + "}"
                : "[]string(nil)";
            causes.Add(FieldErrors.InvalidRaw("spec.clusterIPs[0]", ips, "may not change once set"));
        }
    }
}
