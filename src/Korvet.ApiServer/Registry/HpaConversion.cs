using System.Text.Json;
using System.Text.Json.Nodes;

namespace Korvet.ApiServer.Registry;

/// <summary>
/// autoscaling/v1 ⇄ autoscaling/v2 HorizontalPodAutoscaler, stored as v2, following upstream's
/// pkg/apis/autoscaling/v1/conversion.go: v1 <c>spec.targetCPUUtilizationPercentage</c> is the v2 cpu Resource metric
/// with a Utilization target; <c>status.currentCPUUtilizationPercentage</c> the cpu Resource current
/// averageUtilization. What v1 cannot express travels in annotations on the v1 object: the other metrics
/// (<see cref="MetricSpecsAnnotation"/>) and all current metrics (<see cref="MetricStatusesAnnotation"/>) in the
/// autoscaling/v1 alpha metric shapes, the conditions (<see cref="ConditionsAnnotation"/>) and the behavior
/// (<see cref="BehaviorAnnotation"/>, upstream's internal type marshalled with Go field names). Converting to v1 first
/// drops any such annotations the stored object carries, converting to v2 consumes and removes them; a v1 object
/// without metrics gets upstream's implicit cpu 80% target. Stateless; thread-safe.
/// </summary>
public sealed class HpaConversion : Conversion
{
    public const string MetricSpecsAnnotation = "autoscaling.alpha.kubernetes.io/metrics";
    public const string MetricStatusesAnnotation = "autoscaling.alpha.kubernetes.io/current-metrics";
    public const string ConditionsAnnotation = "autoscaling.alpha.kubernetes.io/conditions";
    public const string BehaviorAnnotation = "autoscaling.alpha.kubernetes.io/behavior";

    /// <summary>upstream's autoscaling.DefaultCPUUtilization.</summary>
    public const int DefaultCpuUtilization = 80;

    private static readonly string[] RoundTripAnnotations =
        [MetricSpecsAnnotation, MetricStatusesAnnotation, ConditionsAnnotation, BehaviorAnnotation];

    /// <param name="storage">autoscaling/v2 horizontalpodautoscalers.</param>
    /// <param name="served">autoscaling/v1 horizontalpodautoscalers.</param>
    public HpaConversion(ResourceDefinition storage, ResourceDefinition served)
        : base(storage, served)
    {
    }

    /// <summary>v2 → v1.</summary>
    public override JsonObject ToServed(JsonObject stored)
    {
        JsonObject result = Typed(Served);
        JsonObject metadata = CopyMetadataWithoutRoundTrip(stored);
        result["metadata"] = metadata;
        var annotations = new List<(string Key, string Value)>();

        if (stored["spec"] is JsonObject spec)
        {
            var v1Spec = new JsonObject();
            CopyIfPresent(spec, v1Spec, "scaleTargetRef", "minReplicas", "maxReplicas");
            var others = new JsonArray();
            bool cpuSeen = false;
            foreach (JsonObject metric in Objects(spec["metrics"]))
            {
                JsonObject? resource = CpuResource(metric);
                JsonNode? utilization = resource?["target"]?["averageUtilization"];
                if (resource is not null && !cpuSeen)
                {
                    // The first cpu Resource metric names the v1 target (when it is a utilization).
                    cpuSeen = true;
                    if (utilization is not null)
                    {
                        v1Spec["targetCPUUtilizationPercentage"] = utilization.DeepClone();
                    }
                }

                if (resource is null || utilization is null)
                {
                    others.Add((JsonNode)HpaMetricsV1.SpecToV1(metric));
                }
            }

            if (others.Count > 0)
            {
                annotations.Add((MetricSpecsAnnotation, others.ToJsonString(Compact)));
            }

            if (spec["behavior"] is JsonObject behavior)
            {
                annotations.Add((BehaviorAnnotation, HpaMetricsV1.BehaviorToInternal(behavior).ToJsonString(Compact)));
            }

            result["spec"] = v1Spec;
        }

        result["status"] = StatusToV1(stored["status"] as JsonObject ?? [], annotations);

        if (annotations.Count > 0)
        {
            JsonObject target = metadata["annotations"] as JsonObject ?? [];
            foreach ((string key, string value) in annotations)
            {
                target[key] = value;
            }

            metadata["annotations"] = target;
        }

        DropIfEmpty(result, metadata);
        return result;
    }

    /// <summary>v1 → v2.</summary>
    public override JsonObject ToStorage(JsonObject served)
    {
        JsonObject result = Typed(Storage);
        JsonObject? annotations = served["metadata"]?["annotations"] as JsonObject;
        JsonObject metadata = CopyMetadataWithoutRoundTrip(served);
        result["metadata"] = metadata;
        var v2Spec = new JsonObject();
        JsonObject spec = served["spec"] as JsonObject ?? [];
        CopyIfPresent(spec, v2Spec, "scaleTargetRef", "minReplicas", "maxReplicas");
        var metrics = new JsonArray();
        if (ParseArray(annotations, MetricSpecsAnnotation) is { } others)
        {
            foreach (JsonObject metric in Objects(others))
            {
                metrics.Add((JsonNode)HpaMetricsV1.SpecFromV1(metric));
            }
        }

        if (spec["targetCPUUtilizationPercentage"] is JsonValue target)
        {
            metrics.Add((JsonNode)CpuUtilization("target", target.DeepClone()));
        }

        if (metrics.Count == 0)
        {
            // autoscaling/v1's implicit default, made explicit (it needs the annotation's metrics to decide).
            metrics.Add((JsonNode)CpuUtilization("target", DefaultCpuUtilization));
        }

        v2Spec["metrics"] = metrics;
        if (Parse(annotations, BehaviorAnnotation) is JsonObject behavior && HpaMetricsV1.BehaviorFromInternal(behavior) is { } v2Behavior)
        {
            v2Spec["behavior"] = v2Behavior;
        }

        result["spec"] = v2Spec;

        result["status"] = StatusToV2(served["status"] as JsonObject ?? [], annotations);
        DropIfEmpty(result, metadata);
        return result;
    }

    /// <summary>
    /// A v2 status → v1's, always written with its replica counts (Go's encoding: a struct, ints without omitempty);
    /// the current metrics and conditions go to <paramref name="annotations"/>.
    /// </summary>
    private static JsonObject StatusToV1(JsonObject status, List<(string Key, string Value)> annotations)
    {
        var v1Status = new JsonObject();
        CopyIfPresent(status, v1Status, "observedGeneration", "lastScaleTime");
        v1Status["currentReplicas"] = status["currentReplicas"]?.DeepClone() ?? 0;
        v1Status["desiredReplicas"] = status["desiredReplicas"]?.DeepClone() ?? 0;
        var current = new JsonArray();
        foreach (JsonObject metric in Objects(status["currentMetrics"]))
        {
            if (CpuResource(metric)?["current"]?["averageUtilization"] is { } utilization)
            {
                v1Status["currentCPUUtilizationPercentage"] = utilization.DeepClone();
            }

            current.Add((JsonNode)HpaMetricsV1.StatusToV1(metric));
        }

        // Every current metric is kept, the cpu one too: the annotation also carries its raw value.
        if (current.Count > 0)
        {
            annotations.Add((MetricStatusesAnnotation, current.ToJsonString(Compact)));
        }

        JsonArray conditions = [.. Objects(status["conditions"]).Select(JsonNode (c) => HpaMetricsV1.Condition(c))];
        if (conditions.Count > 0)
        {
            annotations.Add((ConditionsAnnotation, conditions.ToJsonString(Compact)));
        }

        return v1Status;
    }

    /// <summary>
    /// A v1 status and the v1 object's annotations → v2's status as Go's encoding writes it: currentReplicas left out
    /// when 0, desiredReplicas and currentMetrics always (currentMetrics null when there are none).
    /// </summary>
    private static JsonObject StatusToV2(JsonObject status, JsonObject? annotations)
    {
        var v2Status = new JsonObject();
        CopyIfPresent(status, v2Status, "observedGeneration", "lastScaleTime");
        if (status["currentReplicas"] is JsonValue replicas && replicas.ToJsonString() != "0")
        {
            v2Status["currentReplicas"] = replicas.DeepClone();
        }

        v2Status["desiredReplicas"] = status["desiredReplicas"]?.DeepClone() ?? 0;
        v2Status["currentMetrics"] = null;
        if (ParseArray(annotations, MetricStatusesAnnotation) is { } currentMetrics)
        {
            // The annotation has more than the cpu percentage: it wins.
            v2Status["currentMetrics"] = new JsonArray([.. Objects(currentMetrics).Select(HpaMetricsV1.StatusFromV1)]);
        }
        else if (status["currentCPUUtilizationPercentage"] is JsonValue utilization)
        {
            v2Status["currentMetrics"] = new JsonArray(CpuUtilization("current", utilization.DeepClone()));
        }

        if (ParseArray(annotations, ConditionsAnnotation) is { } conditions)
        {
            v2Status["conditions"] = new JsonArray([.. Objects(conditions).Select(HpaMetricsV1.Condition)]);
        }

        return v2Status;
    }

    /// <summary>The resource source of a Resource metric (spec or status) on cpu, else null.</summary>
    private static JsonObject? CpuResource(JsonObject metric) =>
        (string?)metric["type"] == "Resource" && metric["resource"] is JsonObject resource && (string?)resource["name"] == "cpu"
            ? resource
            : null;

    /// <summary><c>{type: Resource, resource: {name: cpu, target|current: {...averageUtilization}}}</c>.</summary>
    private static JsonObject CpuUtilization(string member, JsonNode utilization)
    {
        var value = new JsonObject();
        if (member == "target")
        {
            value["type"] = "Utilization";
        }

        value["averageUtilization"] = utilization;
        return new JsonObject
        {
            ["type"] = "Resource",
            ["resource"] = new JsonObject { ["name"] = "cpu", [member] = value },
        };
    }

    /// <summary>A copy of the metadata without the round-trip annotations (empty when the source has none).</summary>
    private static JsonObject CopyMetadataWithoutRoundTrip(JsonObject source)
    {
        if (source["metadata"] is not JsonObject metadata)
        {
            return [];
        }

        var copy = (JsonObject)metadata.DeepClone();
        if (copy["annotations"] is JsonObject annotations)
        {
            foreach (string key in RoundTripAnnotations)
            {
                annotations.Remove(key);
            }

            if (annotations.Count == 0)
            {
                copy.Remove("annotations");
            }
        }

        return copy;
    }

    /// <summary>Leaves out metadata the source did not have and the conversion did not need.</summary>
    private static void DropIfEmpty(JsonObject result, JsonObject metadata)
    {
        if (metadata.Count == 0)
        {
            result.Remove("metadata");
        }
    }

    private static void CopyIfPresent(JsonObject from, JsonObject to, params string[] keys)
    {
        foreach (string key in keys)
        {
            if (from.TryGetPropertyValue(key, out JsonNode? value) && value is not null)
            {
                to[key] = value.DeepClone();
            }
        }
    }

    private static IEnumerable<JsonObject> Objects(JsonNode? node) => node is JsonArray array ? array.OfType<JsonObject>() : [];

    /// <summary>An annotation's JSON value; malformed values are ignored, as upstream moves only well-formed data.</summary>
    private static JsonNode? Parse(JsonObject? annotations, string key)
    {
        if (annotations?[key] is not JsonValue value || !value.TryGetValue(out string? text))
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static JsonArray? ParseArray(JsonObject? annotations, string key) => Parse(annotations, key) as JsonArray;
}
