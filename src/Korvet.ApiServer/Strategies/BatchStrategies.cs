using System.Text.Json.Nodes;
using Korvet.ApiServer.Errors;
using Korvet.ApiServer.Registry;

namespace Korvet.ApiServer.Strategies;

/// <summary>
/// batch/v1 Job: SetDefaults_Job, the generated selector and template labels from metadata.uid (the store assigns
/// the uid before PrepareForCreate) unless <c>spec.manualSelector</c>, ValidateJob's common rules, and the
/// immutable selector/template/completionMode on update.
/// </summary>
internal sealed class JobStrategy : KindStrategy
{
    public const string ControllerUidLabel = "batch.kubernetes.io/controller-uid";
    public const string JobNameLabel = "batch.kubernetes.io/job-name";

    public JobStrategy(ResourceDefinition resource)
        : base(resource)
    {
    }

    protected override void ApplyDefaults(JsonObject obj)
    {
        JsonObject spec = JsonFields.Child(obj, "spec");
        if (spec["completions"] is null && spec["parallelism"] is null)
        {
            spec["completions"] = 1;
            spec["parallelism"] = 1;
        }

        JsonFields.Default(spec, "parallelism", 1);
        JsonFields.Default(spec, "backoffLimit", spec["backoffLimitPerIndex"] is null ? 6 : int.MaxValue);
        JsonFields.DefaultString(spec, "completionMode", "NonIndexed");
        JsonFields.Default(spec, "suspend", false);
        JsonFields.DefaultString(spec, "podReplacementPolicy", spec["podFailurePolicy"] is null ? "TerminatingOrFailed" : "Failed");
        JsonObject meta = JsonFields.Child(obj, "metadata");
        if (meta["labels"] is not JsonObject { Count: > 0 } && JsonFields.Path(spec, "template", "metadata", "labels") is { Count: > 0 } labels)
        {
            meta["labels"] = labels.DeepClone();
        }

        PodDefaults.Spec(JsonFields.Child(JsonFields.Child(spec, "template"), "spec"));
    }

    public override void PrepareForCreate(ResourceDefinition resource, JsonObject obj)
    {
        base.PrepareForCreate(resource, obj);
        var spec = (JsonObject)obj["spec"]!;
        if (JsonFields.Bool(spec, "manualSelector"))
        {
            return;
        }

        var meta = (JsonObject)obj["metadata"]!;
        string uid = JsonFields.Str(meta, "uid");
        string name = JsonFields.Str(meta, "name");
        JsonObject templateLabels = JsonFields.Child(JsonFields.Child(JsonFields.Child(spec, "template"), "metadata"), "labels");
        JsonFields.Default(templateLabels, "controller-uid", uid);
        JsonFields.Default(templateLabels, ControllerUidLabel, uid);
        JsonFields.Default(templateLabels, "job-name", name);
        JsonFields.Default(templateLabels, JobNameLabel, name);
        JsonFields.Default(JsonFields.Child(JsonFields.Child(spec, "selector"), "matchLabels"), ControllerUidLabel, uid);
    }

    protected override void ValidateObject(JsonObject obj, List<StatusCause> causes)
    {
        var spec = obj["spec"] as JsonObject;
        foreach (string field in new[] { "parallelism", "completions", "backoffLimit", "activeDeadlineSeconds", "ttlSecondsAfterFinished" })
        {
            MetaValidation.NonNegative(spec, field, "spec." + field, causes);
        }

        if (JsonFields.Long(spec, "activeDeadlineSeconds") is 0)
        {
            causes.Add(FieldErrors.Invalid("spec.activeDeadlineSeconds", 0, "must be greater than 0"));
        }

        string mode = JsonFields.Str(spec, "completionMode");
        if (mode is not ("NonIndexed" or "Indexed"))
        {
            causes.Add(FieldErrors.NotSupported("spec.completionMode", mode, "NonIndexed", "Indexed"));
        }
        else if (mode == "Indexed" && spec?["completions"] is null)
        {
            causes.Add(FieldErrors.Required("spec.completions", "when completion mode is Indexed"));
        }

        Selectors.ValidateWorkload(spec, "empty selector is invalid for job", causes, "OnFailure", "Never");
    }

    protected override void ValidateTransition(JsonObject obj, JsonObject old, List<StatusCause> causes)
    {
        var spec = obj["spec"] as JsonObject;
        var oldSpec = old["spec"] as JsonObject;
        ImmutableSelector(spec, oldSpec, "spec.selector", causes);
        Immutable(spec, oldSpec, "completionMode", "spec.completionMode", causes);
        if (!JsonNode.DeepEquals(spec?["template"], oldSpec?["template"]) && !JsonFields.Bool(oldSpec, "suspend"))
        {
            causes.Add(FieldErrors.InvalidRaw("spec.template", "core.PodTemplateSpec{...}", "field is immutable"));
        }
    }
}

/// <summary>batch/v1 CronJob: SetDefaults_CronJob plus pod template defaults of the job template; schedule required.</summary>
internal sealed class CronJobStrategy : KindStrategy
{
    public CronJobStrategy(ResourceDefinition resource)
        : base(resource)
    {
    }

    protected override void ApplyDefaults(JsonObject obj)
    {
        JsonObject spec = JsonFields.Child(obj, "spec");
        JsonFields.DefaultString(spec, "concurrencyPolicy", "Allow");
        JsonFields.Default(spec, "suspend", false);
        JsonFields.Default(spec, "successfulJobsHistoryLimit", 3);
        JsonFields.Default(spec, "failedJobsHistoryLimit", 1);
        JsonObject jobSpec = JsonFields.Child(JsonFields.Child(spec, "jobTemplate"), "spec");
        PodDefaults.Spec(JsonFields.Child(JsonFields.Child(jobSpec, "template"), "spec"));
    }

    protected override void ValidateObject(JsonObject obj, List<StatusCause> causes)
    {
        var spec = obj["spec"] as JsonObject;
        string schedule = JsonFields.Str(spec, "schedule");
        if (schedule.Length == 0)
        {
            causes.Add(FieldErrors.Required("spec.schedule", ""));
        }
        else if (!schedule.StartsWith('@') && schedule.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length != 5
                 && !schedule.StartsWith("TZ=", StringComparison.Ordinal) && !schedule.StartsWith("CRON_TZ=", StringComparison.Ordinal))
        {
            causes.Add(FieldErrors.Invalid("spec.schedule", schedule,
                $"expected exactly 5 fields, found {schedule.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length}: {schedule}"));
        }

        string policy = JsonFields.Str(spec, "concurrencyPolicy");
        if (policy is not ("Allow" or "Forbid" or "Replace"))
        {
            causes.Add(FieldErrors.NotSupported("spec.concurrencyPolicy", policy, "Allow", "Forbid", "Replace"));
        }

        MetaValidation.NonNegative(spec, "startingDeadlineSeconds", "spec.startingDeadlineSeconds", causes);
        MetaValidation.NonNegative(spec, "successfulJobsHistoryLimit", "spec.successfulJobsHistoryLimit", causes);
        MetaValidation.NonNegative(spec, "failedJobsHistoryLimit", "spec.failedJobsHistoryLimit", causes);
        JsonObject? template = JsonFields.Path(spec, "jobTemplate", "spec", "template");
        Selectors.ValidateTemplate(template, "spec.jobTemplate.spec.template", causes, "OnFailure", "Never");
    }
}
