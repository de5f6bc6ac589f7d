using System.Text.Json.Nodes;

namespace Korvet.ApiServer.Strategies;

/// <summary>Ingress, NetworkPolicy, PodDisruptionBudget, HorizontalPodAutoscaler, PriorityClass and StorageClass rules.</summary>
internal static class NetworkingKinds
{
    public const long HighestUserDefinablePriority = 1_000_000_000;

    public static readonly KindRules Ingress = new()
    {
        InitialStatus = _ => new JsonObject { ["loadBalancer"] = new JsonObject() },
        Validate = (obj, causes) =>
        {
            JsonObject? spec = JsonFields.Obj(obj, "spec");
            if (spec?["defaultBackend"] is null && spec?["rules"] is not JsonArray { Count: > 0 })
            {
                causes.Add(FieldErrors.Invalid("spec.rules", "[]", "either `defaultBackend` or `rules` must be specified"));
            }

            foreach ((int r, JsonObject rule) in JsonFields.Items(spec, "rules"))
            {
                foreach ((int p, JsonObject path) in JsonFields.Items(JsonFields.Obj(rule, "http"), "paths"))
                {
                    string at = $"spec.rules[{r}].http.paths[{p}]";
                    string type = JsonFields.Str(path, "pathType");
                    if (path["pathType"] is null)
                    {
                        causes.Add(FieldErrors.Required(at + ".pathType", "pathType must be specified"));
                    }
                    else if (type is not ("Exact" or "ImplementationSpecific" or "Prefix"))
                    {
                        causes.Add(FieldErrors.NotSupported(at + ".pathType", type, "Exact", "ImplementationSpecific", "Prefix"));
                    }

                    string p0 = JsonFields.Str(path, "path");
                    if (type is "Exact" or "Prefix" && !p0.StartsWith('/'))
                    {
                        causes.Add(FieldErrors.Invalid(at + ".path", p0, "must be an absolute path"));
                    }
                }
            }
        },
    };

    public static readonly KindRules NetworkPolicy = new()
    {
        Defaults = obj =>
        {
            JsonObject spec = JsonFields.Child(obj, "spec");
            foreach (string direction in new[] { "ingress", "egress" })
            {
                foreach ((_, JsonObject rule) in JsonFields.Items(spec, direction))
                {
                    foreach ((_, JsonObject port) in JsonFields.Items(rule, "ports"))
                    {
                        JsonFields.DefaultString(port, "protocol", "TCP");
                    }
                }
            }

            if (spec["policyTypes"] is not JsonArray { Count: > 0 })
            {
                var types = new JsonArray("Ingress");
                if (spec["egress"] is JsonArray { Count: > 0 })
                {
                    types.Add((JsonNode)"Egress");
                }

                spec["policyTypes"] = types;
            }
        },
        Validate = (obj, causes) =>
        {
            JsonObject? spec = JsonFields.Obj(obj, "spec");
            if (spec?["podSelector"] is JsonObject selector)
            {
                Selectors.ValidateSelector(selector, "spec.podSelector", causes);
            }

            foreach ((JsonNode? type, int i) in (spec?["policyTypes"] as JsonArray ?? []).Select((t, i) => (t, i)))
            {
                string t = (string?)type ?? "";
                if (t is not ("Ingress" or "Egress"))
                {
                    causes.Add(FieldErrors.NotSupported($"spec.policyTypes[{i}]", t, "Ingress", "Egress"));
                }
            }
        },
    };

    public static readonly KindRules PodDisruptionBudget = new()
    {
        InitialStatus = _ => new JsonObject
        {
            ["currentHealthy"] = 0, ["desiredHealthy"] = 0, ["disruptionsAllowed"] = 0, ["expectedPods"] = 0,
        },
        Validate = (obj, causes) =>
        {
            JsonObject? spec = JsonFields.Obj(obj, "spec");
            if (spec?["minAvailable"] is not null && spec["maxUnavailable"] is not null)
            {
                causes.Add(FieldErrors.InvalidRaw("spec", "policy.PodDisruptionBudgetSpec{...}", "minAvailable and maxUnavailable cannot be both set"));
            }

            if (spec?["selector"] is JsonObject selector)
            {
                Selectors.ValidateSelector(selector, "spec.selector", causes);
            }

            string policy = JsonFields.Str(spec, "unhealthyPodEvictionPolicy");
            if (spec?["unhealthyPodEvictionPolicy"] is not null && policy is not ("AlwaysAllow" or "IfHealthyBudget"))
            {
                causes.Add(FieldErrors.NotSupported("spec.unhealthyPodEvictionPolicy", policy, "AlwaysAllow", "IfHealthyBudget"));
            }
        },
    };

    /// <summary>See <see cref="HpaRules"/>.</summary>
    public static readonly KindRules HorizontalPodAutoscaler = HpaRules.Rules;

    public static readonly KindRules PriorityClass = new()
    {
        Defaults = obj => JsonFields.DefaultString(obj, "preemptionPolicy", "PreemptLowerPriority"),
        Validate = (obj, causes) =>
        {
            string name = JsonFields.Str(JsonFields.Obj(obj, "metadata"), "name");
            bool system = name is "system-node-critical" or "system-cluster-critical";
            if (!system && name.StartsWith("system-", StringComparison.Ordinal))
            {
                causes.Add(FieldErrors.Invalid("metadata.name", name, "priority class names with 'system-' prefix are reserved"));
            }

            if (!system && JsonFields.Long(obj, "value") > HighestUserDefinablePriority)
            {
                causes.Add(FieldErrors.Forbidden("value", $"maximum allowed value of a user defined priority is {HighestUserDefinablePriority}"));
            }

            string policy = JsonFields.Str(obj, "preemptionPolicy");
            if (policy is not ("PreemptLowerPriority" or "Never"))
            {
                causes.Add(FieldErrors.NotSupported("preemptionPolicy", policy, "Never", "PreemptLowerPriority"));
            }
        },
        ValidateUpdate = (obj, old, causes) =>
        {
            if (JsonFields.Long(obj, "value") != JsonFields.Long(old, "value"))
            {
                causes.Add(FieldErrors.Forbidden("value", "may not be changed in an update."));
            }

            if (JsonFields.Str(obj, "preemptionPolicy") != JsonFields.Str(old, "preemptionPolicy"))
            {
                causes.Add(FieldErrors.Invalid("preemptionPolicy", JsonFields.Str(obj, "preemptionPolicy"), "field is immutable"));
            }
        },
    };

    public static readonly KindRules StorageClass = new()
    {
        Defaults = obj =>
        {
            JsonFields.DefaultString(obj, "reclaimPolicy", "Delete");
            JsonFields.DefaultString(obj, "volumeBindingMode", "Immediate");
        },
        Validate = (obj, causes) =>
        {
            if (JsonFields.Str(obj, "provisioner").Length == 0)
            {
                causes.Add(FieldErrors.Required("provisioner", ""));
            }

            string reclaim = JsonFields.Str(obj, "reclaimPolicy");
            if (reclaim is not ("Delete" or "Retain"))
            {
                causes.Add(FieldErrors.NotSupported("reclaimPolicy", reclaim, "Delete", "Retain"));
            }

            string binding = JsonFields.Str(obj, "volumeBindingMode");
            if (binding is not ("Immediate" or "WaitForFirstConsumer"))
            {
                causes.Add(FieldErrors.NotSupported("volumeBindingMode", binding, "Immediate", "WaitForFirstConsumer"));
            }
        },
        ValidateUpdate = (obj, old, causes) =>
        {
            if (!JsonNode.DeepEquals(obj["parameters"], old["parameters"]))
            {
                causes.Add(FieldErrors.Forbidden("parameters", "updates to parameters are forbidden."));
            }

            if (JsonFields.Str(obj, "provisioner") != JsonFields.Str(old, "provisioner"))
            {
                causes.Add(FieldErrors.Forbidden("provisioner", "updates to provisioner are forbidden."));
            }

            if (JsonFields.Str(obj, "reclaimPolicy") != JsonFields.Str(old, "reclaimPolicy"))
            {
                causes.Add(FieldErrors.Forbidden("reclaimPolicy", "updates to reclaimPolicy are forbidden."));
            }

            if (JsonFields.Str(obj, "volumeBindingMode") != JsonFields.Str(old, "volumeBindingMode"))
            {
                causes.Add(FieldErrors.Invalid("volumeBindingMode", JsonFields.Str(obj, "volumeBindingMode"), "field is immutable"));
            }
        },
    };
}
