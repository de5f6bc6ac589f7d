using System.Text.Json.Nodes;

namespace Korvet.ApiServer.Registry;

/// <summary>
/// The pieces of <see cref="HpaConversion"/>: autoscaling/v2 metric sources and statuses ⇄ the autoscaling/v1 alpha
/// shapes upstream writes into the v1 annotations (metricName/targetValue/... as in k8s.io/api/autoscaling/v1), and
/// the v2 behavior ⇄ upstream's internal HorizontalPodAutoscalerBehavior JSON (Go field names, nil pointers as null).
/// Quantities that are plain values (not pointers) in the v1 types are written as "0" when v2 has none, as Go does.
/// Pure functions of their input; thread-safe.
/// </summary>
internal static class HpaMetricsV1
{
    private const string ZeroQuantity = "0";

    public static JsonObject SpecToV1(JsonObject metric)
    {
        var result = new JsonObject { ["type"] = Clone(metric["type"]) };
        if (metric["object"] is JsonObject obj)
        {
            JsonObject? target = obj["target"] as JsonObject;
            var v1 = new JsonObject
            {
                ["target"] = Reference(obj["describedObject"] as JsonObject),
                ["metricName"] = Clone(obj["metric"]?["name"]) ?? "",
                ["targetValue"] = Clone(target?["value"]) ?? ZeroQuantity,
            };
            Set(v1, "selector", obj["metric"]?["selector"]);
            Set(v1, "averageValue", target?["averageValue"]);
            result["object"] = v1;
        }

        if (metric["pods"] is JsonObject pods)
        {
            var v1 = new JsonObject
            {
                ["metricName"] = Clone(pods["metric"]?["name"]) ?? "",
                ["targetAverageValue"] = Clone(pods["target"]?["averageValue"]) ?? ZeroQuantity,
            };
            Set(v1, "selector", pods["metric"]?["selector"]);
            result["pods"] = v1;
        }

        if (metric["resource"] is JsonObject resource)
        {
            result["resource"] = ResourceTargetToV1(resource, false);
        }

        if (metric["containerResource"] is JsonObject container)
        {
            result["containerResource"] = ResourceTargetToV1(container, true);
        }

        if (metric["external"] is JsonObject external)
        {
            JsonObject? target = external["target"] as JsonObject;
            var v1 = new JsonObject { ["metricName"] = Clone(external["metric"]?["name"]) ?? "" };
            Set(v1, "metricSelector", external["metric"]?["selector"]);
            Set(v1, "targetValue", target?["value"]);
            Set(v1, "targetAverageValue", target?["averageValue"]);
            result["external"] = v1;
        }

        return result;
    }

    public static JsonObject SpecFromV1(JsonObject metric)
    {
        var result = new JsonObject { ["type"] = Clone(metric["type"]) };
        if (metric["object"] is JsonObject obj)
        {
            JsonNode? average = obj["averageValue"];
            result["object"] = new JsonObject
            {
                ["describedObject"] = Reference(obj["target"] as JsonObject),
                ["target"] = Target(average is null ? "Value" : "AverageValue", Clone(obj["targetValue"]) ?? ZeroQuantity, average, null),
                ["metric"] = Identifier(obj["metricName"], obj["selector"]),
            };
        }

        if (metric["pods"] is JsonObject pods)
        {
            result["pods"] = new JsonObject
            {
                ["metric"] = Identifier(pods["metricName"], pods["selector"]),
                ["target"] = Target("AverageValue", null, Clone(pods["targetAverageValue"]) ?? ZeroQuantity, null),
            };
        }

        if (metric["resource"] is JsonObject resource)
        {
            result["resource"] = ResourceTargetFromV1(resource, false);
        }

        if (metric["containerResource"] is JsonObject container)
        {
            result["containerResource"] = ResourceTargetFromV1(container, true);
        }

        if (metric["external"] is JsonObject external)
        {
            JsonNode? value = external["targetValue"];
            result["external"] = new JsonObject
            {
                ["metric"] = Identifier(external["metricName"], external["metricSelector"]),
                ["target"] = Target(value is null ? "AverageValue" : "Value", value, external["targetAverageValue"], null),
            };
        }

        return result;
    }

    public static JsonObject StatusToV1(JsonObject metric)
    {
        var result = new JsonObject { ["type"] = Clone(metric["type"]) };
        if (metric["object"] is JsonObject obj)
        {
            JsonObject? current = obj["current"] as JsonObject;
            var v1 = new JsonObject
            {
                ["target"] = Reference(obj["describedObject"] as JsonObject),
                ["metricName"] = Clone(obj["metric"]?["name"]) ?? "",
                ["currentValue"] = Clone(current?["value"]) ?? ZeroQuantity,
            };
            Set(v1, "selector", obj["metric"]?["selector"]);
            Set(v1, "averageValue", current?["averageValue"]);
            result["object"] = v1;
        }

        if (metric["pods"] is JsonObject pods)
        {
            var v1 = new JsonObject
            {
                ["metricName"] = Clone(pods["metric"]?["name"]) ?? "",
                ["currentAverageValue"] = Clone(pods["current"]?["averageValue"]) ?? ZeroQuantity,
            };
            Set(v1, "selector", pods["metric"]?["selector"]);
            result["pods"] = v1;
        }

        if (metric["resource"] is JsonObject resource)
        {
            result["resource"] = ResourceCurrentToV1(resource, false);
        }

        if (metric["containerResource"] is JsonObject container)
        {
            result["containerResource"] = ResourceCurrentToV1(container, true);
        }

        if (metric["external"] is JsonObject external)
        {
            JsonObject? current = external["current"] as JsonObject;
            var v1 = new JsonObject { ["metricName"] = Clone(external["metric"]?["name"]) ?? "" };
            Set(v1, "metricSelector", external["metric"]?["selector"]);
            v1["currentValue"] = Clone(current?["value"]) ?? ZeroQuantity;
            Set(v1, "currentAverageValue", current?["averageValue"]);
            result["external"] = v1;
        }

        return result;
    }

    public static JsonObject StatusFromV1(JsonObject metric)
    {
        var result = new JsonObject { ["type"] = Clone(metric["type"]) };
        if (metric["object"] is JsonObject obj)
        {
            result["object"] = new JsonObject
            {
                ["metric"] = Identifier(obj["metricName"], obj["selector"]),
                ["current"] = Current(Clone(obj["currentValue"]) ?? ZeroQuantity, obj["averageValue"], null),
                ["describedObject"] = Reference(obj["target"] as JsonObject),
            };
        }

        if (metric["pods"] is JsonObject pods)
        {
            result["pods"] = new JsonObject
            {
                ["metric"] = Identifier(pods["metricName"], pods["selector"]),
                ["current"] = Current(null, Clone(pods["currentAverageValue"]) ?? ZeroQuantity, null),
            };
        }

        if (metric["resource"] is JsonObject resource)
        {
            result["resource"] = ResourceCurrentFromV1(resource, false);
        }

        if (metric["containerResource"] is JsonObject container)
        {
            result["containerResource"] = ResourceCurrentFromV1(container, true);
        }

        if (metric["external"] is JsonObject external)
        {
            result["external"] = new JsonObject
            {
                ["metric"] = Identifier(external["metricName"], external["metricSelector"]),
                ["current"] = Current(Clone(external["currentValue"]) ?? ZeroQuantity, external["currentAverageValue"], null),
            };
        }

        return result;
    }

    /// <summary>A copy of a condition: the v1 and v2 shapes are the same.</summary>
    public static JsonObject Condition(JsonObject condition) => (JsonObject)condition.DeepClone();

    /// <summary>v2 behavior → upstream's internal type as encoding/json writes it (no tags: Go names, nil as null).</summary>
    public static JsonObject BehaviorToInternal(JsonObject behavior) => new()
    {
        ["ScaleUp"] = RulesToInternal(behavior["scaleUp"] as JsonObject),
        ["ScaleDown"] = RulesToInternal(behavior["scaleDown"] as JsonObject),
    };

    /// <summary>
    /// The internal behavior JSON → v2, matching names case-insensitively as encoding/json does; null when it holds
    /// neither direction (upstream moves only a non-empty, well-formed behavior into the spec).
    /// </summary>
    public static JsonObject? BehaviorFromInternal(JsonObject behavior)
    {
        JsonObject? up = RulesFromInternal(Member(behavior, "ScaleUp"));
        JsonObject? down = RulesFromInternal(Member(behavior, "ScaleDown"));
        if (up is null && down is null)
        {
            return null;
        }

        var result = new JsonObject();
        Set(result, "scaleUp", up);
        Set(result, "scaleDown", down);
        return result;
    }

    private static JsonObject? RulesToInternal(JsonObject? rules)
    {
        if (rules is null)
        {
            return null;
        }

        JsonArray? policies = rules["policies"] is JsonArray list
            ? [.. list.OfType<JsonObject>().Select(JsonNode (p) => new JsonObject
            {
                ["Type"] = Clone(p["type"]) ?? "",
                ["Value"] = Clone(p["value"]) ?? 0,
                ["PeriodSeconds"] = Clone(p["periodSeconds"]) ?? 0,
            })]
            : null;
        return new JsonObject
        {
            ["StabilizationWindowSeconds"] = Clone(rules["stabilizationWindowSeconds"]),
            ["SelectPolicy"] = Clone(rules["selectPolicy"]),
            ["Policies"] = policies,
        };
    }

    private static JsonObject? RulesFromInternal(JsonNode? node)
    {
        if (node is not JsonObject rules)
        {
            return null;
        }

        var result = new JsonObject();
        Set(result, "stabilizationWindowSeconds", Member(rules, "StabilizationWindowSeconds"));
        Set(result, "selectPolicy", Member(rules, "SelectPolicy"));
        if (Member(rules, "Policies") is JsonArray policies)
        {
            result["policies"] = new JsonArray([.. policies.OfType<JsonObject>().Select(p => new JsonObject
            {
                ["type"] = Clone(Member(p, "Type")) ?? "",
                ["value"] = Clone(Member(p, "Value")) ?? 0,
                ["periodSeconds"] = Clone(Member(p, "PeriodSeconds")) ?? 0,
            })]);
        }

        return result;
    }

    /// <summary>A member by name, compared case-insensitively (an exact match first), like encoding/json.</summary>
    private static JsonNode? Member(JsonObject obj, string name)
    {
        if (obj.TryGetPropertyValue(name, out JsonNode? exact))
        {
            return exact;
        }

        foreach ((string key, JsonNode? value) in obj)
        {
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }

        return null;
    }

    private static JsonObject ResourceTargetToV1(JsonObject source, bool container)
    {
        JsonObject? target = source["target"] as JsonObject;
        var v1 = new JsonObject { ["name"] = Clone(source["name"]) ?? "" };
        Set(v1, "targetAverageUtilization", target?["averageUtilization"]);
        Set(v1, "targetAverageValue", target?["averageValue"]);
        if (container)
        {
            v1["container"] = Clone(source["container"]) ?? "";
        }

        return v1;
    }

    private static JsonObject ResourceTargetFromV1(JsonObject source, bool container)
    {
        JsonNode? utilization = source["targetAverageUtilization"];
        var v2 = new JsonObject
        {
            ["name"] = Clone(source["name"]) ?? "",
            ["target"] = Target(utilization is null ? "AverageValue" : "Utilization", null, source["targetAverageValue"], utilization),
        };
        if (container)
        {
            v2["container"] = Clone(source["container"]) ?? "";
        }

        return v2;
    }

    private static JsonObject ResourceCurrentToV1(JsonObject source, bool container)
    {
        JsonObject? current = source["current"] as JsonObject;
        var v1 = new JsonObject { ["name"] = Clone(source["name"]) ?? "" };
        Set(v1, "currentAverageUtilization", current?["averageUtilization"]);
        v1["currentAverageValue"] = Clone(current?["averageValue"]) ?? ZeroQuantity;
        if (container)
        {
            v1["container"] = Clone(source["container"]) ?? "";
        }

        return v1;
    }

    private static JsonObject ResourceCurrentFromV1(JsonObject source, bool container)
    {
        var v2 = new JsonObject
        {
            ["name"] = Clone(source["name"]) ?? "",
            ["current"] = Current(null, Clone(source["currentAverageValue"]) ?? ZeroQuantity, source["currentAverageUtilization"]),
        };
        if (container)
        {
            v2["container"] = Clone(source["container"]) ?? "";
        }

        return v2;
    }

    /// <summary>v2 MetricTarget: type, value, averageValue, averageUtilization (unset ones left out).</summary>
    private static JsonObject Target(string type, JsonNode? value, JsonNode? averageValue, JsonNode? averageUtilization)
    {
        var target = new JsonObject { ["type"] = type };
        Set(target, "value", value);
        Set(target, "averageValue", averageValue);
        Set(target, "averageUtilization", averageUtilization);
        return target;
    }

    /// <summary>v2 MetricValueStatus: value, averageValue, averageUtilization (unset ones left out).</summary>
    private static JsonObject Current(JsonNode? value, JsonNode? averageValue, JsonNode? averageUtilization)
    {
        var current = new JsonObject();
        Set(current, "value", value);
        Set(current, "averageValue", averageValue);
        Set(current, "averageUtilization", averageUtilization);
        return current;
    }

    private static JsonObject Identifier(JsonNode? name, JsonNode? selector)
    {
        var identifier = new JsonObject { ["name"] = Clone(name) ?? "" };
        Set(identifier, "selector", selector);
        return identifier;
    }

    /// <summary>A CrossVersionObjectReference: kind, name, apiVersion (left out when empty).</summary>
    private static JsonObject Reference(JsonObject? source)
    {
        var reference = new JsonObject
        {
            ["kind"] = Clone(source?["kind"]) ?? "",
            ["name"] = Clone(source?["name"]) ?? "",
        };
        if (source?["apiVersion"] is JsonValue apiVersion && ((string?)apiVersion)?.Length > 0)
        {
            reference["apiVersion"] = apiVersion.DeepClone();
        }

        return reference;
    }

    private static void Set(JsonObject target, string key, JsonNode? value)
    {
        if (value is not null)
        {
            target[key] = value.Parent is null ? value : value.DeepClone();
        }
    }

    private static JsonNode? Clone(JsonNode? node) => node?.DeepClone();
}
