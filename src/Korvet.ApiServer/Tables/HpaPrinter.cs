using System.Text.Json;
using Korvet.Api.Resource;
using static Korvet.ApiServer.Tables.Columns;

namespace Korvet.ApiServer.Tables;

/// <summary>
/// HorizontalPodAutoscaler rows (the stored autoscaling/v2 form), following upstream's printHorizontalPodAutoscaler
/// and formatHPAMetrics (pkg/printers/internalversion/printers.go): at most two metrics, e.g. <c>cpu: &lt;unknown&gt;/50%</c>,
/// then <c>+ N more...</c>; quantities canonical; a missing quantity prints as Go prints a nil one.
/// </summary>
internal static class HpaPrinter
{
    private const string Unknown = "<unknown>";
    private const string Nil = "<nil>";
    private const int MaxShown = 2;

    public static TablePrinter Printer { get; } = new(
        [
            Name,
            Str("Reference", "scaleTargetRef points to the target resource to scale, and is used to the pods for which metrics should be collected, as well as to actually change the replica count."),
            Str("Targets", "metrics contains the specifications for which to use to calculate the desired replica count (the maximum replica count across all metrics will be used).  The desired replica count is calculated multiplying the ratio between the target value and the current value by the current number of pods.  Ergo, metrics used must decrease as the pod count is increased, and vice-versa.  See the individual metric source types for more information about how each type of metric must respond."),
            Str("MinPods", "minReplicas is the lower limit for the number of replicas to which the autoscaler can scale down.  It defaults to 1 pod.  minReplicas is allowed to be 0 if the alpha feature gate HPAScaleToZero is enabled and at least one Object or External metric is configured.  Scaling is active as long as at least one metric value is available."),
            Int("MaxPods", "maxReplicas is the upper limit for the number of replicas to which the autoscaler can scale up. It cannot be less that minReplicas."),
            Int("Replicas", "currentReplicas is current number of replicas of pods managed by this autoscaler, as last seen by the autoscaler."),
            Age,
        ],
        (o, now) =>
        [
            o.Str("metadata", "name"), $"{o.Str("spec", "scaleTargetRef", "kind")}/{o.Str("spec", "scaleTargetRef", "name")}",
            FormatMetrics(o.At("spec", "metrics"), o.At("status", "currentMetrics")),
            o.Has("spec", "minReplicas") ? o.Long("spec", "minReplicas").ToString(System.Globalization.CultureInfo.InvariantCulture) : "<unset>",
            o.Long("spec", "maxReplicas"), o.Long("status", "currentReplicas"), o.Age(now, "metadata", "creationTimestamp"),
        ]);

    /// <summary>upstream's formatHPAMetrics over v2 MetricSpecs and the status' currentMetrics (matched by index).</summary>
    public static string FormatMetrics(JsonElement specs, JsonElement statuses)
    {
        if (specs.ValueKind != JsonValueKind.Array || specs.GetArrayLength() == 0)
        {
            return "<none>";
        }

        JsonElement[] current = statuses.ValueKind == JsonValueKind.Array ? [.. statuses.EnumerateArray()] : [];
        var list = new List<string>();
        int i = 0;
        foreach (JsonElement spec in specs.EnumerateArray())
        {
            JsonElement status = i < current.Length ? current[i] : default;
            list.Add(FormatMetric(spec, status));
            i++;
        }

        string shown = string.Join(", ", list.Take(MaxShown));
        return list.Count > MaxShown ? $"{shown} + {list.Count - MaxShown} more..." : shown;
    }

    private static string FormatMetric(JsonElement spec, JsonElement status)
    {
        switch (spec.Str("type"))
        {
            case "External":
            case "Object":
            {
                string source = spec.Str("type") == "External" ? "external" : "object";
                JsonElement target = spec.At(source, "target");
                JsonElement now = status.At(source);
                if (target.Has("averageValue"))
                {
                    string value = now.Has("current", "averageValue") ? Quantity(now.At("current", "averageValue")) : Unknown;
                    return $"{value}/{Quantity(target.At("averageValue"))} (avg)";
                }

                return $"{(now.ValueKind == JsonValueKind.Object ? Quantity(now.At("current", "value")) : Unknown)}/{Quantity(target.At("value"))}";
            }

            case "Pods":
            {
                JsonElement now = status.At("pods");
                string value = now.ValueKind == JsonValueKind.Object ? Quantity(now.At("current", "averageValue")) : Unknown;
                return $"{value}/{Quantity(spec.At("pods", "target", "averageValue"))}";
            }

            case "Resource":
            case "ContainerResource":
            {
                string source = spec.Str("type") == "Resource" ? "resource" : "containerResource";
                JsonElement target = spec.At(source, "target");
                JsonElement now = status.At(source);
                string name = spec.Str(source, "name");
                if (target.Has("averageValue"))
                {
                    string value = now.ValueKind == JsonValueKind.Object ? Quantity(now.At("current", "averageValue")) : Unknown;
                    return $"{name}: {value}/{Quantity(target.At("averageValue"))}";
                }

                string utilization = now.Has("current", "averageUtilization") ? $"{now.Long("current", "averageUtilization")}%" : Unknown;
                string wanted = target.Has("averageUtilization") ? $"{target.Long("averageUtilization")}%" : "<auto>";
                return $"{name}: {utilization}/{wanted}";
            }

            default:
                return "<unknown type>";
        }
    }

    /// <summary>A quantity in canonical form; an absent one as Go's nil *Quantity prints.</summary>
    private static string Quantity(JsonElement value)
    {
        if (value.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
        {
            return Nil;
        }

        string text = value.ValueKind == JsonValueKind.String ? value.GetString() ?? "" : value.GetRawText();
        return Korvet.Api.Resource.Quantity.TryParse(text, out Quantity? q) ? q.ToString() : text;
    }
}
