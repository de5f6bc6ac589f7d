using System.Text.Json.Nodes;
using Korvet.Api.Resource;
using Korvet.ApiServer.Errors;

namespace Korvet.ApiServer.Strategies;

/// <summary>
/// HorizontalPodAutoscaler defaulting and validation on the stored autoscaling/v2 form (v1 requests arrive converted:
/// an invalid v1 targetCPUUtilizationPercentage is reported at its v2 path, as upstream validates the internal type).
/// Follows upstream's pkg/apis/autoscaling/v2/defaults.go (1.32: minReplicas 1, cpu 80% when no metrics, a set
/// behavior completed with the default rules) and pkg/apis/autoscaling/validation.
/// </summary>
internal static class HpaRules
{
    private const int MaxPeriodSeconds = 1800;
    private const int MaxStabilizationWindowSeconds = 3600;

    private static readonly string[] MetricSourceTypes = ["ContainerResource", "External", "Object", "Pods", "Resource"];

    public static KindRules Rules { get; } = new()
    {
        Defaults = Defaults,
        Validate = Validate,
        // What upstream's v2 encoding writes for a fresh status: desiredReplicas and currentMetrics are not omitempty.
        InitialStatus = _ => new JsonObject { ["currentMetrics"] = null, ["desiredReplicas"] = 0 },
    };

    private static void Defaults(JsonObject obj)
    {
        JsonObject spec = JsonFields.Child(obj, "spec");
        JsonFields.Default(spec, "minReplicas", 1);
        if (spec["metrics"] is not JsonArray { Count: > 0 })
        {
            spec["metrics"] = new JsonArray(new JsonObject
            {
                ["type"] = "Resource",
                ["resource"] = new JsonObject
                {
                    ["name"] = "cpu",
                    ["target"] = new JsonObject { ["type"] = "Utilization", ["averageUtilization"] = 80 },
                },
            });
        }

        if (spec["behavior"] is JsonObject behavior)
        {
            behavior["scaleUp"] = CompleteRules(behavior["scaleUp"] as JsonObject, 0,
                [("Pods", 4, 15), ("Percent", 100, 15)]);
            behavior["scaleDown"] = CompleteRules(behavior["scaleDown"] as JsonObject, null, [("Percent", 100, 15)]);
        }
    }

    /// <summary>upstream's GenerateHPAScaleUpRules/GenerateHPAScaleDownRules: the defaults with the set fields kept.</summary>
    private static JsonObject CompleteRules(JsonObject? rules, int? window, (string Type, int Value, int Period)[] policies)
    {
        JsonObject result = rules is null ? [] : (JsonObject)rules.DeepClone();
        if (result["stabilizationWindowSeconds"] is null && window is { } w)
        {
            result["stabilizationWindowSeconds"] = w;
        }

        JsonFields.Default(result, "selectPolicy", "Max");
        if (result["policies"] is null)
        {
            result["policies"] = new JsonArray([.. policies.Select(p => (JsonNode)new JsonObject
            {
                ["type"] = p.Type,
                ["value"] = p.Value,
                ["periodSeconds"] = p.Period,
            })]);
        }

        return result;
    }

    private static void Validate(JsonObject obj, List<StatusCause> causes)
    {
        JsonObject? spec = JsonFields.Obj(obj, "spec");
        long? min = JsonFields.Long(spec, "minReplicas");
        long max = JsonFields.Long(spec, "maxReplicas") ?? 0;
        if (min < 1)
        {
            causes.Add(FieldErrors.Invalid("spec.minReplicas", min.Value, "must be greater than or equal to 1"));
        }

        if (max < 1)
        {
            causes.Add(FieldErrors.Invalid("spec.maxReplicas", max, "must be greater than 0"));
        }

        if (min is { } m && max < m)
        {
            causes.Add(FieldErrors.Invalid("spec.maxReplicas", max, "must be greater than or equal to `minReplicas`"));
        }

        JsonObject? target = JsonFields.Obj(spec, "scaleTargetRef");
        ValidateReference(target, "spec.scaleTargetRef", causes);
        foreach ((int i, JsonObject metric) in JsonFields.Items(spec, "metrics"))
        {
            ValidateMetric(metric, $"spec.metrics[{i}]", causes);
        }

        if (JsonFields.Obj(spec, "behavior") is { } behavior)
        {
            ValidateRules(JsonFields.Obj(behavior, "scaleUp"), "spec.behavior.scaleUp", causes);
            ValidateRules(JsonFields.Obj(behavior, "scaleDown"), "spec.behavior.scaleDown", causes);
        }

        ValidateStatus(obj, causes);
    }

    private static void ValidateStatus(JsonObject obj, List<StatusCause> causes)
    {
        JsonObject? status = JsonFields.Obj(obj, "status");
        foreach (string field in new[] { "currentReplicas", "desiredReplicas" })
        {
            if (JsonFields.Long(status, field) is < 0 and var value)
            {
                causes.Add(FieldErrors.Invalid($"status.{field}", value, "must be greater than or equal to 0"));
            }
        }
    }

    private static void ValidateReference(JsonObject? reference, string path, List<StatusCause> causes)
    {
        foreach (string field in new[] { "kind", "name" })
        {
            string value = JsonFields.Str(reference, field);
            if (value.Length == 0)
            {
                causes.Add(FieldErrors.Required($"{path}.{field}", ""));
            }
            else if (value is "." or ".." || value.Contains('/') || value.Contains('%'))
            {
                causes.Add(FieldErrors.Invalid($"{path}.{field}", value, PathSegmentMessage(value)));
            }
        }
    }

    /// <summary>upstream's path.IsValidPathSegmentName messages (the first that applies).</summary>
    private static string PathSegmentMessage(string value) =>
        value is "." or ".." ? $"may not be '{value}'" : value.Contains('/') ? "may not contain '/'" : "may not contain '%'";

    private static void ValidateMetric(JsonObject metric, string path, List<StatusCause> causes)
    {
        string type = JsonFields.Str(metric, "type");
        if (type.Length == 0)
        {
            causes.Add(FieldErrors.Required(path + ".type", "must specify a metric source type"));
        }

        if (!MetricSourceTypes.Contains(type))
        {
            causes.Add(FieldErrors.NotSupported(path + ".type", type, MetricSourceTypes));
        }

        var present = new List<string>();
        foreach (string source in new[] { "object", "external", "pods", "resource", "containerResource" })
        {
            if (JsonFields.Obj(metric, source) is not { } value)
            {
                continue;
            }

            present.Add(source);
            if (present.Count == 1)
            {
                ValidateSource(source, value, $"{path}.{source}", causes);
            }
        }

        string expected = type.Length == 0 ? "" : char.ToLowerInvariant(type[0]) + type[1..];
        if (MetricSourceTypes.Contains(type) && !present.Contains(expected))
        {
            causes.Add(FieldErrors.Required($"{path}.{expected}", "must populate information for the given metric source"));
        }
        else if (!MetricSourceTypes.Contains(type))
        {
            // upstream reports an unknown type twice (its type check, then its switch's default).
            causes.Add(FieldErrors.NotSupported(path + ".type", type, MetricSourceTypes));
        }

        if (present.Count > 1)
        {
            foreach (string extra in present.Where(p => p != expected))
            {
                causes.Add(FieldErrors.Forbidden($"{path}.{extra}", "must populate the given metric source only"));
            }
        }
    }

    private static void ValidateSource(string source, JsonObject value, string path, List<StatusCause> causes)
    {
        JsonObject? target = JsonFields.Obj(value, "target");
        switch (source)
        {
            case "object":
                ValidateReference(JsonFields.Obj(value, "describedObject"), path + ".describedObject", causes);
                ValidateIdentifier(JsonFields.Obj(value, "metric"), path + ".metric", causes);
                ValidateTarget(target, path + ".target", causes);
                if (target?["value"] is null && target?["averageValue"] is null)
                {
                    causes.Add(FieldErrors.Required(path + ".target.averageValue", "must set either a target value or averageValue"));
                }

                break;
            case "external":
                ValidateIdentifier(JsonFields.Obj(value, "metric"), path + ".metric", causes);
                ValidateTarget(target, path + ".target", causes);
                if (target?["value"] is null && target?["averageValue"] is null)
                {
                    causes.Add(FieldErrors.Required(path + ".target.averageValue", "must set either a target value for metric or a per-pod target"));
                }

                if (target?["value"] is not null && target["averageValue"] is not null)
                {
                    causes.Add(FieldErrors.Forbidden(path + ".target.value", "may not set both a target value for metric and a per-pod target"));
                }

                break;
            case "pods":
                ValidateIdentifier(JsonFields.Obj(value, "metric"), path + ".metric", causes);
                ValidateTarget(target, path + ".target", causes);
                if (target?["averageValue"] is null)
                {
                    causes.Add(FieldErrors.Required(path + ".target.averageValue", "must specify a positive target averageValue"));
                }

                break;
            default:
                if (JsonFields.Str(value, "name").Length == 0)
                {
                    causes.Add(FieldErrors.Required(path + ".name", "must specify a resource name"));
                }

                if (source == "containerResource" && JsonFields.Str(value, "container").Length == 0)
                {
                    causes.Add(FieldErrors.Required(path + ".container", "must specify a container"));
                }

                ValidateTarget(target, path + ".target", causes);
                if (target?["averageUtilization"] is null && target?["averageValue"] is null)
                {
                    causes.Add(FieldErrors.Required(path + ".target.averageUtilization", "must set either a target raw value or a target utilization"));
                }

                if (target?["averageUtilization"] is not null && target["averageValue"] is not null)
                {
                    causes.Add(FieldErrors.Forbidden(path + ".target.averageValue", "may not set both a target raw value and a target utilization"));
                }

                break;
        }
    }

    private static void ValidateTarget(JsonObject? target, string path, List<StatusCause> causes)
    {
        string type = JsonFields.Str(target, "type");
        if (type.Length == 0)
        {
            causes.Add(FieldErrors.Required(path + ".type", "must specify a metric target type"));
        }

        if (type is not ("Utilization" or "Value" or "AverageValue"))
        {
            causes.Add(FieldErrors.Invalid(path + ".type", type, "must be either Utilization, Value, or AverageValue"));
        }

        foreach (string field in new[] { "value", "averageValue" })
        {
            if (target?[field] is JsonValue quantity && (!Quantity.TryParse(quantity.ToString(), out Quantity? q) || q.Sign != 1))
            {
                causes.Add(FieldErrors.InvalidRaw($"{path}.{field}", quantity.ToString(), "must be positive"));
            }
        }

        if (JsonFields.Long(target, "averageUtilization") is < 1 and var utilization)
        {
            causes.Add(FieldErrors.Invalid(path + ".averageUtilization", utilization, "must be greater than 0"));
        }
    }

    private static void ValidateIdentifier(JsonObject? identifier, string path, List<StatusCause> causes)
    {
        string name = JsonFields.Str(identifier, "name");
        if (name.Length == 0)
        {
            causes.Add(FieldErrors.Required(path + ".name", "must specify a metric name"));
        }
        else if (name is "." or ".." || name.Contains('/') || name.Contains('%'))
        {
            causes.Add(FieldErrors.Invalid(path + ".name", name, PathSegmentMessage(name)));
        }
    }

    private static void ValidateRules(JsonObject? rules, string path, List<StatusCause> causes)
    {
        if (rules is null)
        {
            return;
        }

        if (JsonFields.Long(rules, "stabilizationWindowSeconds") is { } window && window is < 0 or > MaxStabilizationWindowSeconds)
        {
            causes.Add(FieldErrors.Invalid(path + ".stabilizationWindowSeconds", window,
                window < 0 ? "must be greater than or equal to zero" : $"must be less than or equal to {MaxStabilizationWindowSeconds}"));
        }

        if (rules["selectPolicy"] is not null && JsonFields.Str(rules, "selectPolicy") is not ("Max" or "Min" or "Disabled") and var select)
        {
            causes.Add(FieldErrors.NotSupported(path + ".selectPolicy", select, "Disabled", "Max", "Min"));
        }

        if (rules["policies"] is not JsonArray { Count: > 0 })
        {
            causes.Add(FieldErrors.Required(path + ".policies", "must specify at least one Policy"));
        }

        foreach ((int i, JsonObject policy) in JsonFields.Items(rules, "policies"))
        {
            string at = $"{path}.policies[{i}]";
            string type = JsonFields.Str(policy, "type");
            if (type is not ("Pods" or "Percent"))
            {
                causes.Add(FieldErrors.NotSupported(at + ".type", type, "Percent", "Pods"));
            }

            if ((JsonFields.Long(policy, "value") ?? 0) is <= 0 and var value)
            {
                causes.Add(FieldErrors.Invalid(at + ".value", value, "must be greater than zero"));
            }

            long period = JsonFields.Long(policy, "periodSeconds") ?? 0;
            if (period <= 0)
            {
                causes.Add(FieldErrors.Invalid(at + ".periodSeconds", period, "must be greater than zero"));
            }
            else if (period > MaxPeriodSeconds)
            {
                causes.Add(FieldErrors.Invalid(at + ".periodSeconds", period, $"must be less than or equal to {MaxPeriodSeconds}"));
            }
        }
    }
}
