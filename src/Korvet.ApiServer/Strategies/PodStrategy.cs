using System.Text.Json.Nodes;
using Korvet.ApiServer.Errors;
using Korvet.ApiServer.Registry;

namespace Korvet.ApiServer.Strategies;

/// <summary>
/// Pods and pods/status: upstream's pod defaulting, a Pending status with the QoS class on create, ValidatePodSpec's
/// common rules, and ValidatePodUpdate's "spec is immutable except images, activeDeadlineSeconds, tolerations
/// additions". Status updates (handled by the store) keep the stored spec, so they pass the update rules unchanged.
/// Deletion (graceful for bound pods, answering with the pod) is the store's <see cref="Storage.PodStrategy"/>.
/// </summary>
internal sealed class PodStrategy : KindStrategy
{
    private readonly Storage.PodStrategy _lifecycle = new();


    public const string ForbiddenUpdateMessage =
        "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)";

    private readonly long _defaultTolerationSeconds;

    public PodStrategy(ResourceDefinition resource, long defaultTolerationSeconds = 300)
        : base(resource) => _defaultTolerationSeconds = defaultTolerationSeconds;

    public override bool ReturnDeletedObject => _lifecycle.ReturnDeletedObject;

    public override long GracePeriodSeconds(ResourceDefinition resource, JsonObject obj, long? requested) =>
        _lifecycle.GracePeriodSeconds(resource, obj, requested);

    protected override void ApplyDefaults(JsonObject obj) => PodDefaults.Pod(JsonFields.Child(obj, "spec"));

    public override void PrepareForCreate(ResourceDefinition resource, JsonObject obj)
    {
        base.PrepareForCreate(resource, obj);
        DefaultTolerations.Add(JsonFields.Child(obj, "spec"), _defaultTolerationSeconds);
        obj["status"] = new JsonObject { ["phase"] = "Pending", ["qosClass"] = ResourceValidation.QosClass((JsonObject)obj["spec"]!) };
    }

    protected override void ValidateObject(JsonObject obj, List<StatusCause> causes) =>
        PodValidation.Spec(obj["spec"] as JsonObject, "spec", causes);

    protected override void ValidateTransition(JsonObject obj, JsonObject old, List<StatusCause> causes)
    {
        var spec = (JsonObject?)obj["spec"]?.DeepClone() ?? new JsonObject();
        var oldSpec = (JsonObject?)old["spec"]?.DeepClone() ?? new JsonObject();
        long? deadline = JsonFields.Long(spec, "activeDeadlineSeconds");
        long? oldDeadline = JsonFields.Long(oldSpec, "activeDeadlineSeconds");
        if (oldDeadline is not null && deadline is null)
        {
            causes.Add(FieldErrors.Invalid("spec.activeDeadlineSeconds", "<nil>", "must not update from a positive integer to nil value"));
        }
        else if (oldDeadline is long before && deadline is long now && now > before)
        {
            causes.Add(FieldErrors.Invalid("spec.activeDeadlineSeconds", now, "must be less than or equal to previous value"));
        }

        spec.Remove("activeDeadlineSeconds");
        oldSpec.Remove("activeDeadlineSeconds");
        foreach (string list in new[] { "containers", "initContainers" })
        {
            if (spec[list] is JsonArray now && oldSpec[list] is JsonArray before && now.Count == before.Count)
            {
                for (int i = 0; i < now.Count; i++)
                {
                    if (now[i] is JsonObject c && before[i] is JsonObject b)
                    {
                        c["image"] = b["image"]?.DeepClone();
                    }
                }
            }
        }

        if (oldSpec["tolerations"] is JsonArray oldTolerations && spec["tolerations"] is JsonArray tolerations &&
            oldTolerations.All(t => tolerations.Any(n => JsonNode.DeepEquals(n, t))))
        {
            spec.Remove("tolerations");
            oldSpec.Remove("tolerations");
        }
        else if (oldSpec["tolerations"] is null)
        {
            spec.Remove("tolerations");
        }

        if (JsonFields.Long(oldSpec, "terminationGracePeriodSeconds") is < 0)
        {
            spec.Remove("terminationGracePeriodSeconds");
            oldSpec.Remove("terminationGracePeriodSeconds");
        }

        if (!JsonNode.DeepEquals(spec, oldSpec))
        {
            causes.Add(FieldErrors.Forbidden("spec", ForbiddenUpdateMessage));
        }
    }
}
