using System.Text.Json.Nodes;

namespace Korvet.ApiServer.Strategies;

/// <summary>
/// Upstream core/v1 defaulting of pod specs (SetDefaults_PodSpec, _Container, _ContainerPort, _Probe, _HTTPGetAction,
/// _Volume and the volume sources, _ObjectFieldSelector) and of pods (SetDefaults_Pod: enableServiceLinks, requests
/// from limits). Used by pods and every pod template. Works in place on JSON so unknown fields survive.
/// </summary>
internal static class PodDefaults
{
    private const int DefaultFileMode = 420; // 0644

    /// <summary>Defaults of a Pod's spec (template defaults plus the pod-only ones).</summary>
    public static void Pod(JsonObject spec)
    {
        Spec(spec);
        JsonFields.Default(spec, "enableServiceLinks", true);
        foreach (string list in new[] { "containers", "initContainers" })
        {
            foreach ((_, JsonObject c) in JsonFields.Items(spec, list))
            {
                if (JsonFields.Path(c, "resources", "limits") is { Count: > 0 } limits)
                {
                    JsonObject requests = JsonFields.Child((JsonObject)c["resources"]!, "requests");
                    foreach (KeyValuePair<string, JsonNode?> limit in limits)
                    {
                        if (!requests.ContainsKey(limit.Key))
                        {
                            requests[limit.Key] = limit.Value?.DeepClone();
                        }
                    }
                }
            }
        }
    }

    /// <summary>Defaults of a pod template's spec (SetDefaults_PodSpec and the nested objects).</summary>
    public static void Spec(JsonObject spec)
    {
        JsonFields.DefaultString(spec, "dnsPolicy", "ClusterFirst");
        JsonFields.DefaultString(spec, "restartPolicy", "Always");
        JsonFields.Default(spec, "terminationGracePeriodSeconds", 30);
        JsonFields.Default(spec, "securityContext", new JsonObject());
        JsonFields.DefaultString(spec, "schedulerName", "default-scheduler");
        bool hostNetwork = JsonFields.Bool(spec, "hostNetwork");
        foreach (string list in new[] { "containers", "initContainers", "ephemeralContainers" })
        {
            foreach ((_, JsonObject c) in JsonFields.Items(spec, list))
            {
                Container(c, hostNetwork);
            }
        }

        foreach ((_, JsonObject volume) in JsonFields.Items(spec, "volumes"))
        {
            Volume(volume);
        }
    }

    private static void Container(JsonObject c, bool hostNetwork)
    {
        if (JsonFields.Str(c, "imagePullPolicy").Length == 0)
        {
            c["imagePullPolicy"] = ImageTag(JsonFields.Str(c, "image")) == "latest" ? "Always" : "IfNotPresent";
        }

        JsonFields.DefaultString(c, "terminationMessagePath", "/dev/termination-log");
        JsonFields.DefaultString(c, "terminationMessagePolicy", "File");
        JsonFields.Default(c, "resources", new JsonObject());
        foreach ((_, JsonObject port) in JsonFields.Items(c, "ports"))
        {
            JsonFields.DefaultString(port, "protocol", "TCP");
            if (hostNetwork && (JsonFields.Long(port, "hostPort") ?? 0) == 0 && port["containerPort"] is JsonNode cp)
            {
                port["hostPort"] = cp.DeepClone();
            }
        }

        foreach (string probe in new[] { "livenessProbe", "readinessProbe", "startupProbe" })
        {
            if (c[probe] is JsonObject p)
            {
                JsonFields.Default(p, "timeoutSeconds", 1);
                JsonFields.Default(p, "periodSeconds", 10);
                JsonFields.Default(p, "successThreshold", 1);
                JsonFields.Default(p, "failureThreshold", 3);
                HttpGet(p);
            }
        }

        if (c["lifecycle"] is JsonObject lifecycle)
        {
            foreach (string hook in new[] { "postStart", "preStop" })
            {
                if (lifecycle[hook] is JsonObject h)
                {
                    HttpGet(h);
                }
            }
        }

        foreach ((_, JsonObject env) in JsonFields.Items(c, "env"))
        {
            EnvSource(JsonFields.Obj(env, "valueFrom"));
        }
    }

    private static void EnvSource(JsonObject? valueFrom)
    {
        if (JsonFields.Obj(valueFrom, "fieldRef") is { } fieldRef)
        {
            JsonFields.DefaultString(fieldRef, "apiVersion", "v1");
        }

        if (JsonFields.Obj(valueFrom, "resourceFieldRef") is { } resourceRef)
        {
            JsonFields.Default(resourceRef, "divisor", "0");
        }
    }

    private static void HttpGet(JsonObject handler)
    {
        if (handler["httpGet"] is JsonObject get)
        {
            JsonFields.DefaultString(get, "path", "/");
            JsonFields.DefaultString(get, "scheme", "HTTP");
        }
    }

    private static void Volume(JsonObject volume)
    {
        if (volume.Count == 0 || volume.All(p => p.Key == "name"))
        {
            volume["emptyDir"] = new JsonObject();
            return;
        }

        foreach (string mode in new[] { "configMap", "secret", "downwardAPI", "projected" })
        {
            if (volume[mode] is JsonObject source)
            {
                JsonFields.Default(source, "defaultMode", DefaultFileMode);
            }
        }

        foreach ((_, JsonObject item) in JsonFields.Items(JsonFields.Obj(volume, "downwardAPI"), "items"))
        {
            EnvSource(item);
        }

        foreach ((_, JsonObject source) in JsonFields.Items(JsonFields.Obj(volume, "projected"), "sources"))
        {
            if (source["serviceAccountToken"] is JsonObject token)
            {
                JsonFields.Default(token, "expirationSeconds", 3600);
            }

            foreach ((_, JsonObject item) in JsonFields.Items(JsonFields.Obj(source, "downwardAPI"), "items"))
            {
                EnvSource(item);
            }
        }

        if (volume["hostPath"] is JsonObject hostPath)
        {
            JsonFields.Default(hostPath, "type", "");
        }

        if (volume["iscsi"] is JsonObject iscsi)
        {
            JsonFields.DefaultString(iscsi, "iscsiInterface", "default");
        }

        if (volume["rbd"] is JsonObject rbd)
        {
            JsonFields.DefaultString(rbd, "pool", "rbd");
            JsonFields.DefaultString(rbd, "user", "admin");
            JsonFields.DefaultString(rbd, "keyring", "/etc/ceph/keyring");
        }

        if (JsonFields.Path(volume, "ephemeral", "volumeClaimTemplate", "spec") is { } claimSpec)
        {
            JsonFields.DefaultString(claimSpec, "volumeMode", "Filesystem");
        }
    }

    /// <summary>The tag of an image reference as upstream's ParseImageName yields it ("latest" when neither tag nor digest).</summary>
    public static string ImageTag(string image)
    {
        if (image.Contains('@'))
        {
            string beforeDigest = image[..image.IndexOf('@')];
            int c = beforeDigest.LastIndexOf(':');
            return c > beforeDigest.LastIndexOf('/') ? beforeDigest[(c + 1)..] : "";
        }

        int colon = image.LastIndexOf(':');
        return colon > image.LastIndexOf('/') ? image[(colon + 1)..] : "latest";
    }
}
