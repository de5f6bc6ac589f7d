using System.Text.Json.Nodes;
using Korvet.ApiServer.Errors;

namespace Korvet.ApiServer.Strategies;

/// <summary>
/// The commonly hit parts of upstream's ValidatePodSpec with its field paths and messages: containers (names,
/// images, ports, env, volume mounts, probes, policies), volumes, restart and DNS policies, grace periods.
/// </summary>
internal static class PodValidation
{
    private static readonly string[] Protocols = ["SCTP", "TCP", "UDP"];

    private static readonly string[] ProbeHandlers = ["exec", "httpGet", "tcpSocket", "grpc"];

    public static void Spec(JsonObject? spec, string path, List<StatusCause> causes, params string[] restartPolicies)
    {
        if (spec is null)
        {
            causes.Add(FieldErrors.Required(path + ".containers", ""));
            return;
        }

        var volumes = Volumes(spec, path + ".volumes", causes);
        var names = new HashSet<string>(StringComparer.Ordinal);
        if (spec["containers"] is not JsonArray { Count: > 0 })
        {
            causes.Add(FieldErrors.Required(path + ".containers", ""));
        }

        foreach (string list in new[] { "initContainers", "containers" })
        {
            foreach ((int i, JsonObject c) in JsonFields.Items(spec, list))
            {
                Container(c, $"{path}.{list}[{i}]", names, volumes, causes);
            }
        }

        string restart = JsonFields.Str(spec, "restartPolicy");
        string[] allowed = restartPolicies.Length > 0 ? restartPolicies : ["Always", "OnFailure", "Never"];
        if (restart.Length == 0)
        {
            causes.Add(FieldErrors.Required(path + ".restartPolicy", ""));
        }
        else if (!allowed.Contains(restart))
        {
            causes.Add(FieldErrors.NotSupported(path + ".restartPolicy", restart, allowed));
        }

        string dns = JsonFields.Str(spec, "dnsPolicy");
        if (dns.Length > 0 && dns is not ("ClusterFirstWithHostNet" or "ClusterFirst" or "Default" or "None"))
        {
            causes.Add(FieldErrors.NotSupported(path + ".dnsPolicy", dns, "ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"));
        }

        if (JsonFields.Long(spec, "activeDeadlineSeconds") is long deadline && deadline is < 1 or > int.MaxValue)
        {
            causes.Add(FieldErrors.Invalid(path + ".activeDeadlineSeconds", deadline, "must be between 1 and 2147483647, inclusive"));
        }

        MetaValidation.NonNegative(spec, "terminationGracePeriodSeconds", path + ".terminationGracePeriodSeconds", causes);
        if (JsonFields.Str(spec, "nodeName") is { Length: > 0 } nodeName)
        {
            foreach (StatusCause c in Storage.NameValidation.Validate(nodeName, Storage.NameRule.Dns1123Subdomain, path + ".nodeName"))
            {
                causes.Add(c);
            }
        }
    }

    private static HashSet<string> Volumes(JsonObject spec, string path, List<StatusCause> causes)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach ((int i, JsonObject v) in JsonFields.Items(spec, "volumes"))
        {
            string name = JsonFields.Str(v, "name");
            string at = $"{path}[{i}]";
            if (name.Length == 0)
            {
                causes.Add(FieldErrors.Required(at + ".name", ""));
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

            int sources = v.Count(p => p.Key != "name" && p.Value is not null);
            if (sources == 0)
            {
                causes.Add(FieldErrors.Required(at, "must specify a volume type"));
            }
            else if (sources > 1)
            {
                causes.Add(FieldErrors.Forbidden(at, "may not specify more than 1 volume type"));
            }

            if (v["configMap"] is JsonObject cm && JsonFields.Str(cm, "name").Length == 0)
            {
                causes.Add(FieldErrors.Required(at + ".configMap.name", ""));
            }

            if (v["secret"] is JsonObject secret && JsonFields.Str(secret, "secretName").Length == 0)
            {
                causes.Add(FieldErrors.Required(at + ".secret.secretName", ""));
            }

            if (v["persistentVolumeClaim"] is JsonObject pvc && JsonFields.Str(pvc, "claimName").Length == 0)
            {
                causes.Add(FieldErrors.Required(at + ".persistentVolumeClaim.claimName", ""));
            }

            if (v["hostPath"] is JsonObject hp && JsonFields.Str(hp, "path").Length == 0)
            {
                causes.Add(FieldErrors.Required(at + ".hostPath.path", ""));
            }
        }

        return names;
    }

    private static void Container(JsonObject c, string path, HashSet<string> names, HashSet<string> volumes, List<StatusCause> causes)
    {
        string name = JsonFields.Str(c, "name");
        if (name.Length == 0)
        {
            causes.Add(FieldErrors.Required(path + ".name", ""));
        }
        else
        {
            foreach (string msg in MetaValidation.Dns1123LabelErrors(name))
            {
                causes.Add(FieldErrors.Invalid(path + ".name", name, msg));
            }

            if (!names.Add(name))
            {
                causes.Add(FieldErrors.Duplicate(path + ".name", name));
            }
        }

        if (JsonFields.Str(c, "image").Length == 0)
        {
            causes.Add(FieldErrors.Required(path + ".image", ""));
        }

        string pull = JsonFields.Str(c, "imagePullPolicy");
        if (pull.Length > 0 && pull is not ("Always" or "IfNotPresent" or "Never"))
        {
            causes.Add(FieldErrors.NotSupported(path + ".imagePullPolicy", pull, "Always", "IfNotPresent", "Never"));
        }

        string tmp = JsonFields.Str(c, "terminationMessagePolicy");
        if (tmp.Length > 0 && tmp is not ("File" or "FallbackToLogsOnError"))
        {
            causes.Add(FieldErrors.Invalid(path + ".terminationMessagePolicy", tmp, "must be 'File' or 'FallbackToLogsOnError'"));
        }

        Ports(c, path + ".ports", causes);
        ResourceValidation.Validate(JsonFields.Obj(c, "resources"), path + ".resources", causes);
        foreach ((int i, JsonObject env) in JsonFields.Items(c, "env"))
        {
            string envName = JsonFields.Str(env, "name");
            if (envName.Length == 0)
            {
                causes.Add(FieldErrors.Required($"{path}.env[{i}].name", ""));
            }
            else if (envName.Contains('='))
            {
                causes.Add(FieldErrors.Invalid($"{path}.env[{i}].name", envName,
                    "a valid environment variable name must consist only of printable ASCII characters other than '='"));
            }
        }

        var mountPaths = new HashSet<string>(StringComparer.Ordinal);
        foreach ((int i, JsonObject mount) in JsonFields.Items(c, "volumeMounts"))
        {
            string at = $"{path}.volumeMounts[{i}]";
            string volume = JsonFields.Str(mount, "name");
            if (volume.Length == 0)
            {
                causes.Add(FieldErrors.Required(at + ".name", ""));
            }
            else if (!volumes.Contains(volume))
            {
                causes.Add(FieldErrors.NotFound(at + ".name", volume));
            }

            string mountPath = JsonFields.Str(mount, "mountPath");
            if (mountPath.Length == 0)
            {
                causes.Add(FieldErrors.Required(at + ".mountPath", ""));
            }
            else if (!mountPaths.Add(mountPath))
            {
                causes.Add(FieldErrors.Invalid(at + ".mountPath", mountPath, "must be unique"));
            }
        }

        foreach (string probe in new[] { "livenessProbe", "readinessProbe", "startupProbe" })
        {
            if (c[probe] is JsonObject p)
            {
                string at = path + "." + probe;
                int handlers = ProbeHandlers.Count(h => p[h] is not null);
                if (handlers == 0)
                {
                    causes.Add(FieldErrors.Required(at, "must specify a handler type"));
                }

                foreach (string field in new[] { "initialDelaySeconds", "timeoutSeconds", "periodSeconds", "successThreshold", "failureThreshold" })
                {
                    MetaValidation.NonNegative(p, field, $"{at}.{field}", causes);
                }

                if (probe != "readinessProbe" && JsonFields.Long(p, "successThreshold") is long s && s != 1)
                {
                    causes.Add(FieldErrors.Invalid(at + ".successThreshold", s, "must be 1"));
                }
            }
        }
    }

    private static void Ports(JsonObject c, string path, List<StatusCause> causes)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach ((int i, JsonObject port) in JsonFields.Items(c, "ports"))
        {
            string at = $"{path}[{i}]";
            string name = JsonFields.Str(port, "name");
            if (name.Length > 0)
            {
                foreach (string msg in MetaValidation.PortNameErrors(name))
                {
                    causes.Add(FieldErrors.Invalid(at + ".name", name, msg));
                }

                if (!names.Add(name))
                {
                    causes.Add(FieldErrors.Duplicate(at + ".name", name));
                }
            }

            long containerPort = JsonFields.Long(port, "containerPort") ?? 0;
            if (containerPort == 0)
            {
                causes.Add(FieldErrors.Required(at + ".containerPort", ""));
            }
            else if (!MetaValidation.IsValidPort(containerPort))
            {
                causes.Add(FieldErrors.Invalid(at + ".containerPort", containerPort, MetaValidation.PortRangeMessage));
            }

            if (JsonFields.Long(port, "hostPort") is long hostPort && hostPort != 0 && !MetaValidation.IsValidPort(hostPort))
            {
                causes.Add(FieldErrors.Invalid(at + ".hostPort", hostPort, MetaValidation.PortRangeMessage));
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
        }
    }
}
