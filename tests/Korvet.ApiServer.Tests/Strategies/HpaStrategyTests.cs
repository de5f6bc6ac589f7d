using System.Text.Json.Nodes;
using static Korvet.ApiServer.Tests.Strategies.StrategyHarness;

namespace Korvet.ApiServer.Tests.Strategies;

/// <summary>HorizontalPodAutoscaler defaulting and validation on the stored autoscaling/v2 form (upstream 1.32).</summary>
public sealed class HpaStrategyTests
{
    private const string Group = "autoscaling";
    private const string Plural = "horizontalpodautoscalers";

    private static string Hpa(string specTail) =>
        """{"metadata":{"name":"h"},"spec":{"scaleTargetRef":{"kind":"Deployment","name":"d"},"maxReplicas":4""" + specTail + "}}";

    [Fact]
    public void ASetBehaviorIsCompletedWithTheDefaultRules()
    {
        JsonObject hpa = Defaulted(Group, Plural, Hpa(""","behavior":{"scaleDown":{"stabilizationWindowSeconds":30}}"""));
        AssertJson("""
            {"scaleDown":{"stabilizationWindowSeconds":30,"selectPolicy":"Max","policies":[{"type":"Percent","value":100,"periodSeconds":15}]},
             "scaleUp":{"stabilizationWindowSeconds":0,"selectPolicy":"Max","policies":[{"type":"Pods","value":4,"periodSeconds":15},{"type":"Percent","value":100,"periodSeconds":15}]}}
            """, (JsonObject)hpa["spec"]!["behavior"]!);
        Assert.Null(Defaulted(Group, Plural, Hpa(""))["spec"]!["behavior"]);
    }

    [Theory]
    [InlineData(""","metrics":[{"type":"Resource","resource":{"name":"cpu","target":{"type":"Utilization","averageUtilization":0}}}]""",
        "spec.metrics[0].resource.target.averageUtilization: Invalid value: 0: must be greater than 0")]
    [InlineData(""","metrics":[{"type":"Resource","resource":{"name":"memory","target":{"type":"AverageValue"}}}]""",
        "spec.metrics[0].resource.target.averageUtilization: Required value: must set either a target raw value or a target utilization")]
    [InlineData(""","metrics":[{"type":"Pods","pods":{"metric":{"name":"qps"},"target":{"type":"AverageValue","averageValue":"0"}}}]""",
        "spec.metrics[0].pods.target.averageValue: Invalid value: 0: must be positive")]
    [InlineData(""","metrics":[{"type":"Pods","resource":{"name":"cpu","target":{"type":"Utilization","averageUtilization":5}}}]""",
        "spec.metrics[0].pods: Required value: must populate information for the given metric source")]
    [InlineData(""","metrics":[{"type":"External","external":{"metric":{"name":"q"},"target":{"type":"Bogus","value":"1","averageValue":"2"}}}]""",
        "[spec.metrics[0].external.target.type: Invalid value: \"Bogus\": must be either Utilization, Value, or AverageValue, spec.metrics[0].external.target.value: Forbidden: may not set both a target value for metric and a per-pod target]")]
    [InlineData(""","metrics":[{"type":"Object","object":{"describedObject":{"kind":"Ingress","name":"i"},"metric":{"name":""},"target":{"type":"Value"}}}]""",
        "[spec.metrics[0].object.metric.name: Required value: must specify a metric name, spec.metrics[0].object.target.averageValue: Required value: must set either a target value or averageValue]")]
    [InlineData(""","behavior":{"scaleUp":{"stabilizationWindowSeconds":4000,"selectPolicy":"Most","policies":[{"type":"Pods","value":0,"periodSeconds":2000}]}}""",
        "[spec.behavior.scaleUp.stabilizationWindowSeconds: Invalid value: 4000: must be less than or equal to 3600, spec.behavior.scaleUp.selectPolicy: Unsupported value: \"Most\": supported values: \"Disabled\", \"Max\", \"Min\", spec.behavior.scaleUp.policies[0].value: Invalid value: 0: must be greater than zero, spec.behavior.scaleUp.policies[0].periodSeconds: Invalid value: 2000: must be less than or equal to 1800]")]
    public void MetricsAndBehaviorAreValidatedLikeUpstream(string specTail, string message) =>
        Assert.Equal("HorizontalPodAutoscaler \"h\" is invalid: " + message, CreateError(Group, Plural, Hpa(specTail)));
}
