using System.Text.Json;
using System.Text.Json.Nodes;
using Korvet.ApiServer.Registry;
using Korvet.ApiServer.Tables;

namespace Korvet.ApiServer.Tests.Unit;

/// <summary>autoscaling/v1 ⇄ autoscaling/v2 HorizontalPodAutoscaler conversion (upstream's v1 conversion.go) and the
/// HPA table printer.</summary>
public sealed class HpaConversionTests
{
    private static readonly ResourceRegistry Registry = ResourceRegistry.CreateBuiltin();
    private static readonly HpaConversion Conversion =
        (HpaConversion)new StoredVersions(Registry).For(Registry.Find("autoscaling", "v1", "horizontalpodautoscalers")!)!;

    private static JsonObject Obj(string json) => (JsonObject)JsonNode.Parse(json)!;

    private static JsonNode? Annotation(JsonObject v1, string key) =>
        v1["metadata"]?["annotations"]?[key] is JsonValue v ? JsonNode.Parse((string)v!) : null;

    [Fact]
    public void V1TargetCpuBecomesTheV2CpuMetricAndBack()
    {
        JsonObject v1 = Obj("""
            {"apiVersion":"autoscaling/v1","kind":"HorizontalPodAutoscaler","metadata":{"name":"web","namespace":"default"},
             "spec":{"scaleTargetRef":{"apiVersion":"apps/v1","kind":"Deployment","name":"web"},"minReplicas":2,"maxReplicas":5,
                     "targetCPUUtilizationPercentage":50},
             "status":{"currentReplicas":2,"desiredReplicas":3,"currentCPUUtilizationPercentage":70}}
            """);
        JsonObject v2 = Conversion.ToStorage(v1);
        Assert.Equal("autoscaling/v2", (string?)v2["apiVersion"]);
        Assert.Equal(["kind", "apiVersion", "metadata", "spec", "status"], v2.Select(p => p.Key));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            {"scaleTargetRef":{"apiVersion":"apps/v1","kind":"Deployment","name":"web"},"minReplicas":2,"maxReplicas":5,
             "metrics":[{"type":"Resource","resource":{"name":"cpu","target":{"type":"Utilization","averageUtilization":50}}}]}
            """), v2["spec"]), v2["spec"]!.ToJsonString());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            {"currentReplicas":2,"desiredReplicas":3,"currentMetrics":[{"type":"Resource","resource":{"name":"cpu","current":{"averageUtilization":70}}}]}
            """), v2["status"]), v2["status"]!.ToJsonString());
        Assert.Null(v2["spec"]!["targetCPUUtilizationPercentage"]);
        Assert.Null(v2["metadata"]!["annotations"]);

        JsonObject back = Conversion.ToServed(v2);
        Assert.Equal(("autoscaling/v1", 50, 70), ((string?)back["apiVersion"], (int)back["spec"]!["targetCPUUtilizationPercentage"]!,
            (int)back["status"]!["currentCPUUtilizationPercentage"]!));
        Assert.Null(back["spec"]!["metrics"]);
        Assert.Null(Annotation(back, HpaConversion.MetricSpecsAnnotation));

        // The raw current metric travels along (upstream keeps it for its averageValue): shape of the v1 alpha type.
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            [{"type":"Resource","resource":{"name":"cpu","currentAverageUtilization":70,"currentAverageValue":"0"}}]
            """), Annotation(back, HpaConversion.MetricStatusesAnnotation)));
    }

    [Fact]
    public void V1WithoutTargetGetsTheImplicitCpuDefault()
    {
        JsonObject v2 = Conversion.ToStorage(Obj("""
            {"metadata":{"name":"h"},"spec":{"scaleTargetRef":{"kind":"Deployment","name":"d"},"maxReplicas":3}}
            """));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            [{"type":"Resource","resource":{"name":"cpu","target":{"type":"Utilization","averageUtilization":80}}}]
            """), v2["spec"]!["metrics"]));
        // Status as Go's v2 encoding writes it: desiredReplicas and currentMetrics are not omitempty.
        Assert.Equal("""{"desiredReplicas":0,"currentMetrics":null}""", v2["status"]!.ToJsonString());
        JsonObject v1 = Conversion.ToServed(v2);
        Assert.Equal(80, (int)v1["spec"]!["targetCPUUtilizationPercentage"]!);
        Assert.Equal("""{"currentReplicas":0,"desiredReplicas":0}""", v1["status"]!.ToJsonString());
    }

    [Fact]
    public void MetricsV1CannotExpressTravelInAnnotationsAndAreConsumed()
    {
        JsonObject v2 = Obj("""
            {"apiVersion":"autoscaling/v2","kind":"HorizontalPodAutoscaler",
             "metadata":{"name":"h","namespace":"default","resourceVersion":"7","annotations":{"team":"a","autoscaling.alpha.kubernetes.io/metrics":"stale"}},
             "spec":{"scaleTargetRef":{"apiVersion":"apps/v1","kind":"Deployment","name":"d"},"minReplicas":1,"maxReplicas":10,
               "metrics":[
                 {"type":"Resource","resource":{"name":"memory","target":{"type":"AverageValue","averageValue":"100Mi"}}},
                 {"type":"Pods","pods":{"metric":{"name":"qps"},"target":{"type":"AverageValue","averageValue":"10"}}},
                 {"type":"Object","object":{"describedObject":{"apiVersion":"networking.k8s.io/v1","kind":"Ingress","name":"main"},
                   "metric":{"name":"hits","selector":{"matchLabels":{"a":"b"}}},"target":{"type":"Value","value":"2k"}}},
                 {"type":"External","external":{"metric":{"name":"queue"},"target":{"type":"AverageValue","averageValue":"30"}}},
                 {"type":"ContainerResource","containerResource":{"name":"cpu","container":"app","target":{"type":"Utilization","averageUtilization":60}}},
                 {"type":"Resource","resource":{"name":"cpu","target":{"type":"Utilization","averageUtilization":50}}}],
               "behavior":{"scaleDown":{"stabilizationWindowSeconds":60,"selectPolicy":"Max","policies":[{"type":"Percent","value":10,"periodSeconds":60}]},
                           "scaleUp":{"stabilizationWindowSeconds":0,"selectPolicy":"Max","policies":[{"type":"Pods","value":4,"periodSeconds":15}]}}},
             "status":{"observedGeneration":3,"currentReplicas":2,"desiredReplicas":2,
               "currentMetrics":[
                 {"type":"Resource","resource":{"name":"memory","current":{"averageValue":"80Mi"}}},
                 {"type":"Resource","resource":{"name":"cpu","current":{"averageValue":"120m","averageUtilization":40}}}],
               "conditions":[{"type":"AbleToScale","status":"True","lastTransitionTime":"2026-01-01T00:00:00Z","reason":"ReadyForNewScale","message":"ok"}]}}
            """);

        JsonObject v1 = Conversion.ToServed(v2);
        Assert.Equal((50, 40), ((int)v1["spec"]!["targetCPUUtilizationPercentage"]!, (int)v1["status"]!["currentCPUUtilizationPercentage"]!));
        Assert.Equal(("a", "7"), ((string?)v1["metadata"]!["annotations"]!["team"], (string?)v1["metadata"]!["resourceVersion"]));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            [{"type":"Resource","resource":{"name":"memory","targetAverageValue":"100Mi"}},
             {"type":"Pods","pods":{"metricName":"qps","targetAverageValue":"10"}},
             {"type":"Object","object":{"target":{"kind":"Ingress","name":"main","apiVersion":"networking.k8s.io/v1"},"metricName":"hits",
               "targetValue":"2k","selector":{"matchLabels":{"a":"b"}}}},
             {"type":"External","external":{"metricName":"queue","targetAverageValue":"30"}},
             {"type":"ContainerResource","containerResource":{"name":"cpu","targetAverageUtilization":60,"container":"app"}}]
            """), Annotation(v1, HpaConversion.MetricSpecsAnnotation)), (string?)v1["metadata"]!["annotations"]![HpaConversion.MetricSpecsAnnotation]);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            [{"type":"Resource","resource":{"name":"memory","currentAverageValue":"80Mi"}},
             {"type":"Resource","resource":{"name":"cpu","currentAverageUtilization":40,"currentAverageValue":"120m"}}]
            """), Annotation(v1, HpaConversion.MetricStatusesAnnotation)));
        Assert.True(JsonNode.DeepEquals(v2["status"]!["conditions"], Annotation(v1, HpaConversion.ConditionsAnnotation)));
        // The behavior is upstream's internal type marshalled by encoding/json: Go field names, nil pointers as null.
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            {"ScaleUp":{"StabilizationWindowSeconds":0,"SelectPolicy":"Max","Policies":[{"Type":"Pods","Value":4,"PeriodSeconds":15}]},
             "ScaleDown":{"StabilizationWindowSeconds":60,"SelectPolicy":"Max","Policies":[{"Type":"Percent","Value":10,"PeriodSeconds":60}]}}
            """), Annotation(v1, HpaConversion.BehaviorAnnotation)));
        Assert.Null(v1["spec"]!["metrics"]);
        Assert.Null(v1["spec"]!["behavior"]);
        Assert.Null(v1["status"]!["conditions"]);

        // Back to v2: the annotations are consumed and removed; the v1 cpu target comes after the annotation's metrics
        // (upstream's order); everything else is as it was.
        JsonObject again = Conversion.ToStorage(v1);
        Assert.Equal("a", (string?)again["metadata"]!["annotations"]!["team"]);
        Assert.Single(again["metadata"]!["annotations"]!.AsObject());
        var expected = (JsonObject)v2.DeepClone();
        expected["metadata"]!["annotations"]!.AsObject().Remove(HpaConversion.MetricSpecsAnnotation);
        // v1's memory status has no utilization and keeps only the value (current.averageValue is a plain value in v1).
        Assert.True(JsonNode.DeepEquals(expected["metadata"], again["metadata"]), again["metadata"]!.ToJsonString());
        Assert.True(JsonNode.DeepEquals(expected["spec"], again["spec"]), again["spec"]!.ToJsonString());
        Assert.True(JsonNode.DeepEquals(expected["status"], again["status"]), again["status"]!.ToJsonString());
        Assert.True(JsonNode.DeepEquals(v1, Conversion.ToServed(again)));
    }

    [Fact]
    public void StaleRoundTripAnnotationsOnTheStoredObjectAreNotShown()
    {
        JsonObject v1 = Conversion.ToServed(Obj("""
            {"metadata":{"name":"h","annotations":{"autoscaling.alpha.kubernetes.io/conditions":"[]","autoscaling.alpha.kubernetes.io/behavior":"{}"}},
             "spec":{"scaleTargetRef":{"kind":"Deployment","name":"d"},"maxReplicas":2,
               "metrics":[{"type":"Resource","resource":{"name":"cpu","target":{"type":"Utilization","averageUtilization":80}}}]}}
            """));
        Assert.Null(v1["metadata"]!["annotations"]);
    }

    [Fact]
    public void MalformedAnnotationsAreIgnoredAndBehaviorNamesMatchCaseInsensitively()
    {
        JsonObject v2 = Conversion.ToStorage(Obj("""
            {"metadata":{"name":"h","annotations":{"autoscaling.alpha.kubernetes.io/metrics":"not json",
               "autoscaling.alpha.kubernetes.io/behavior":"{\"scaleDown\":{\"policies\":[{\"type\":\"Pods\",\"value\":1,\"periodSeconds\":30}]}}"}},
             "spec":{"scaleTargetRef":{"kind":"Deployment","name":"d"},"maxReplicas":2,"targetCPUUtilizationPercentage":60}}
            """));
        Assert.Null(v2["metadata"]!["annotations"]);
        Assert.Equal(60, (int)v2["spec"]!["metrics"]![0]!["resource"]!["target"]!["averageUtilization"]!);
        Assert.Single(v2["spec"]!["metrics"]!.AsArray());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"scaleDown":{"policies":[{"type":"Pods","value":1,"periodSeconds":30}]}}"""),
            v2["spec"]!["behavior"]), v2["spec"]!["behavior"]!.ToJsonString());

        JsonObject empty = Conversion.ToStorage(Obj("""
            {"metadata":{"name":"h","annotations":{"autoscaling.alpha.kubernetes.io/behavior":"{}"}},"spec":{"maxReplicas":2}}
            """));
        Assert.Null(empty["spec"]!["behavior"]);
    }

    [Fact]
    public void V1AlphaMetricShapesConvertLikeUpstream()
    {
        JsonObject v2 = Conversion.ToStorage(Obj("""
            {"metadata":{"name":"h","annotations":{
               "autoscaling.alpha.kubernetes.io/metrics":"[{\"type\":\"Object\",\"object\":{\"target\":{\"kind\":\"Service\",\"name\":\"s\"},\"metricName\":\"m\",\"targetValue\":\"5\",\"averageValue\":\"2\"}},{\"type\":\"External\",\"external\":{\"metricName\":\"q\",\"targetValue\":\"9\"}}]",
               "autoscaling.alpha.kubernetes.io/current-metrics":"[{\"type\":\"Pods\",\"pods\":{\"metricName\":\"qps\",\"currentAverageValue\":\"7\"}}]"}},
             "spec":{"scaleTargetRef":{"kind":"Deployment","name":"d"},"maxReplicas":2},"status":{"currentReplicas":1,"desiredReplicas":1}}
            """));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            [{"type":"Object","object":{"describedObject":{"kind":"Service","name":"s"},"target":{"type":"AverageValue","value":"5","averageValue":"2"},"metric":{"name":"m"}}},
             {"type":"External","external":{"metric":{"name":"q"},"target":{"type":"Value","value":"9"}}}]
            """), v2["spec"]!["metrics"]), v2["spec"]!["metrics"]!.ToJsonString());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            {"currentReplicas":1,"desiredReplicas":1,"currentMetrics":[{"type":"Pods","pods":{"metric":{"name":"qps"},"current":{"averageValue":"7"}}}]}
            """), v2["status"]), v2["status"]!.ToJsonString());
    }

    [Fact]
    public void AStoredObjectIsConvertedOncePerServedVersion()
    {
        var stored = new Korvet.ApiServer.Storage.StoredObject("/registry/autoscaling/horizontalpodautoscalers/default/h", """
            {"apiVersion":"autoscaling/v2","kind":"HorizontalPodAutoscaler","metadata":{"name":"h","namespace":"default"},
             "spec":{"scaleTargetRef":{"kind":"Deployment","name":"d"},"maxReplicas":2,
               "metrics":[{"type":"Resource","resource":{"name":"cpu","target":{"type":"Utilization","averageUtilization":70}}}]}}
            """u8.ToArray(), 42);
        Korvet.ApiServer.Storage.StoredObject first = Conversion.ToServed(stored);
        Assert.Same(first, Conversion.ToServed(stored));
        Assert.Equal((stored.Key, 42L), (first.Key, first.ResourceVersion));
        JsonObject served = (JsonObject)JsonNode.Parse(first.Json)!;
        Assert.Equal(("autoscaling/v1", "42", 70), ((string?)served["apiVersion"], (string?)served["metadata"]!["resourceVersion"],
            (int)served["spec"]!["targetCPUUtilizationPercentage"]!));
    }

    [Fact]
    public void PrinterShowsUpstreamTargets()
    {
        TablePrinter printer = new TableConverter(TimeProvider.System).PrinterFor(Registry.Find("autoscaling", "v2", "horizontalpodautoscalers")!);
        Assert.Equal(["Name", "Reference", "Targets", "MinPods", "MaxPods", "Replicas", "Age"], printer.Columns.Select(c => c.Name));
        using JsonDocument doc = JsonDocument.Parse("""
            {"metadata":{"name":"web","creationTimestamp":"2026-01-01T00:00:00Z"},
             "spec":{"scaleTargetRef":{"kind":"Deployment","name":"web"},"minReplicas":2,"maxReplicas":5,
               "metrics":[{"type":"Resource","resource":{"name":"cpu","target":{"type":"Utilization","averageUtilization":50}}}]}}
            """);
        object?[] cells = printer.Cells(doc.RootElement, DateTimeOffset.Parse("2026-01-01T00:05:00Z", System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(["web", "Deployment/web", "cpu: <unknown>/50%", "2", 5L, 0L, "5m"], cells);

        using JsonDocument many = JsonDocument.Parse("""
            {"spec":{"metrics":[
               {"type":"Resource","resource":{"name":"memory","target":{"type":"AverageValue","averageValue":"1024Mi"}}},
               {"type":"Resource","resource":{"name":"cpu","target":{"type":"Utilization","averageUtilization":50}}},
               {"type":"Pods","pods":{"metric":{"name":"qps"},"target":{"type":"AverageValue","averageValue":"10"}}}]},
             "status":{"currentMetrics":[
               {"type":"Resource","resource":{"name":"memory","current":{"averageValue":"50Mi"}}},
               {"type":"Resource","resource":{"name":"cpu","current":{"averageValue":"100m","averageUtilization":33}}}]}}
            """);
        Assert.Equal("memory: 50Mi/1Gi, cpu: 33%/50% + 1 more...",
            HpaPrinter.FormatMetrics(many.RootElement.GetProperty("spec").GetProperty("metrics"), many.RootElement.GetProperty("status").GetProperty("currentMetrics")));
        Assert.Equal("<none>", HpaPrinter.FormatMetrics(default, default));
    }
}
