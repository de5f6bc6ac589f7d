using System.Text.Json.Nodes;

namespace Korvet.ApiServer.Strategies;

/// <summary>Upstream defaulting and the common validation of the smaller core, coordination and discovery kinds.</summary>
internal static class CoreKinds
{
    public const string ClaimUpdateMessage =
        "spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims";

    public static readonly KindRules Endpoints = new()
    {
        Defaults = obj =>
        {
            foreach ((_, JsonObject subset) in JsonFields.Items(obj, "subsets"))
            {
                foreach ((_, JsonObject port) in JsonFields.Items(subset, "ports"))
                {
                    JsonFields.DefaultString(port, "protocol", "TCP");
                }
            }
        },
        Validate = (obj, causes) =>
        {
            foreach ((int s, JsonObject subset) in JsonFields.Items(obj, "subsets"))
            {
                foreach ((int a, JsonObject address) in JsonFields.Items(subset, "addresses"))
                {
                    if (JsonFields.Str(address, "ip").Length == 0)
                    {
                        causes.Add(FieldErrors.Required($"subsets[{s}].addresses[{a}].ip", ""));
                    }
                }

                foreach ((int p, JsonObject port) in JsonFields.Items(subset, "ports"))
                {
                    long number = JsonFields.Long(port, "port") ?? 0;
                    if (!MetaValidation.IsValidPort(number))
                    {
                        causes.Add(FieldErrors.Invalid($"subsets[{s}].ports[{p}].port", number, MetaValidation.PortRangeMessage));
                    }
                }
            }
        },
    };

    public static readonly KindRules EndpointSlice = new()
    {
        Defaults = obj =>
        {
            foreach ((_, JsonObject port) in JsonFields.Items(obj, "ports"))
            {
                JsonFields.Default(port, "name", "");
                JsonFields.Default(port, "protocol", "TCP");
            }
        },
        Validate = (obj, causes) =>
        {
            string type = JsonFields.Str(obj, "addressType");
            if (type.Length == 0)
            {
                causes.Add(FieldErrors.Required("addressType", ""));
            }
            else if (type is not ("IPv4" or "IPv6" or "FQDN"))
            {
                causes.Add(FieldErrors.NotSupported("addressType", type, "IPv4", "IPv6", "FQDN"));
            }

            foreach ((int i, JsonObject endpoint) in JsonFields.Items(obj, "endpoints"))
            {
                if (endpoint["addresses"] is not JsonArray { Count: > 0 })
                {
                    causes.Add(FieldErrors.Required($"endpoints[{i}].addresses", "must contain at least 1 address"));
                }
            }
        },
        ValidateUpdate = (obj, old, causes) =>
        {
            if (JsonFields.Str(obj, "addressType") != JsonFields.Str(old, "addressType"))
            {
                causes.Add(FieldErrors.Invalid("addressType", JsonFields.Str(obj, "addressType"), "field is immutable"));
            }
        },
    };

    public static readonly KindRules ServiceAccount = new();

    public static readonly KindRules Node = new()
    {
        KeepStatusOnCreate = true,
        Defaults = obj =>
        {
            if (JsonFields.Obj(obj, "status") is { } status && status["allocatable"] is null && status["capacity"] is JsonObject capacity)
            {
                status["allocatable"] = capacity.DeepClone();
            }
        },
    };

    public static readonly KindRules PersistentVolumeClaim = new()
    {
        Defaults = ClaimDefaults.Apply,
        Validate = (obj, causes) =>
        {
            JsonObject? spec = JsonFields.Obj(obj, "spec");
            if (spec?["accessModes"] is not JsonArray { Count: > 0 } && JsonFields.Obj(spec, "dataSourceRef") is null)
            {
                causes.Add(FieldErrors.Required("spec.accessModes", "at least 1 access mode is required"));
            }

            foreach (JsonNode? mode in spec?["accessModes"] as JsonArray ?? [])
            {
                string m = (string?)mode ?? "";
                if (m is not ("ReadWriteOnce" or "ReadOnlyMany" or "ReadWriteMany" or "ReadWriteOncePod"))
                {
                    causes.Add(FieldErrors.NotSupported("spec.accessModes", m, "ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"));
                }
            }

            if (JsonFields.Path(spec, "resources", "requests")?["storage"] is null)
            {
                causes.Add(FieldErrors.Required("spec.resources[storage]", ""));
            }

            string volumeMode = JsonFields.Str(spec, "volumeMode");
            if (volumeMode is not ("Block" or "Filesystem"))
            {
                causes.Add(FieldErrors.NotSupported("spec.volumeMode", volumeMode, "Block", "Filesystem"));
            }
        },
        ValidateUpdate = (obj, old, causes) =>
        {
            var spec = (JsonObject?)obj["spec"]?.DeepClone() ?? new JsonObject();
            var oldSpec = (JsonObject?)old["spec"]?.DeepClone() ?? new JsonObject();
            foreach (JsonObject s in new[] { spec, oldSpec })
            {
                (s["resources"] as JsonObject)?.Remove("requests");
                s.Remove("volumeAttributesClassName");
            }

            if (JsonFields.Str(oldSpec, "volumeName").Length == 0)
            {
                spec.Remove("volumeName");
                oldSpec.Remove("volumeName");
            }

            if (!JsonNode.DeepEquals(spec, oldSpec))
            {
                causes.Add(FieldErrors.Forbidden("spec", ClaimUpdateMessage));
            }
        },
    };

    public static readonly KindRules ResourceQuota = new()
    {
        Validate = (obj, causes) =>
        {
            foreach (KeyValuePair<string, JsonNode?> pair in JsonFields.Path(obj, "spec", "hard") ?? [])
            {
                foreach (string msg in MetaValidation.QualifiedName(pair.Key))
                {
                    causes.Add(FieldErrors.Invalid("spec.hard[" + pair.Key + "]", pair.Key, msg));
                }
            }
        },
    };

    public static readonly KindRules LimitRange = new()
    {
        Defaults = obj =>
        {
            foreach ((_, JsonObject item) in JsonFields.Items(JsonFields.Obj(obj, "spec"), "limits"))
            {
                if (JsonFields.Str(item, "type") != "Container")
                {
                    continue;
                }

                var defaults = JsonFields.Obj(item, "default")?.DeepClone() as JsonObject ?? new JsonObject();
                var requests = JsonFields.Obj(item, "defaultRequest")?.DeepClone() as JsonObject ?? new JsonObject();
                CopyMissing(JsonFields.Obj(item, "max"), defaults);
                CopyMissing(defaults, requests);
                CopyMissing(JsonFields.Obj(item, "min"), requests);
                if (defaults.Count > 0)
                {
                    item["default"] = defaults;
                }

                if (requests.Count > 0)
                {
                    item["defaultRequest"] = requests;
                }
            }
        },
        Validate = (obj, causes) =>
        {
            foreach ((int i, JsonObject item) in JsonFields.Items(JsonFields.Obj(obj, "spec"), "limits"))
            {
                string type = JsonFields.Str(item, "type");
                if (type is not ("Container" or "Pod" or "PersistentVolumeClaim"))
                {
                    causes.Add(FieldErrors.NotSupported($"spec.limits[{i}].type", type, "Container", "PersistentVolumeClaim", "Pod"));
                }
            }
        },
    };

    public static readonly KindRules Event = new();

    public static readonly KindRules Lease = new()
    {
        Validate = (obj, causes) =>
        {
            if (JsonFields.Long(JsonFields.Obj(obj, "spec"), "leaseDurationSeconds") is <= 0 and long d)
            {
                causes.Add(FieldErrors.Invalid("spec.leaseDurationSeconds", d, "must be greater than 0"));
            }

            if (JsonFields.Long(JsonFields.Obj(obj, "spec"), "leaseTransitions") is < 0 and long t)
            {
                causes.Add(FieldErrors.Invalid("spec.leaseTransitions", t, "must be greater than or equal to 0"));
            }
        },
    };

    private static void CopyMissing(JsonObject? from, JsonObject to)
    {
        foreach (KeyValuePair<string, JsonNode?> pair in from ?? [])
        {
            if (!to.ContainsKey(pair.Key))
            {
                to[pair.Key] = pair.Value?.DeepClone();
            }
        }
    }
}
