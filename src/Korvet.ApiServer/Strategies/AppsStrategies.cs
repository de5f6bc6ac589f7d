using System.Text.Json.Nodes;
using Korvet.ApiServer.Errors;
using Korvet.ApiServer.Registry;

namespace Korvet.ApiServer.Strategies;

/// <summary>apps/v1 Deployment: SetDefaults_Deployment, ValidateDeployment, selector immutable on update.</summary>
internal sealed class DeploymentStrategy : KindStrategy
{
    public DeploymentStrategy(ResourceDefinition resource)
        : base(resource)
    {
    }

    protected override void ApplyDefaults(JsonObject obj)
    {
        JsonObject spec = JsonFields.Child(obj, "spec");
        JsonFields.Default(spec, "replicas", 1);
        JsonObject strategy = JsonFields.Child(spec, "strategy");
        JsonFields.DefaultString(strategy, "type", "RollingUpdate");
        if (JsonFields.Str(strategy, "type") == "RollingUpdate")
        {
            JsonObject rolling = JsonFields.Child(strategy, "rollingUpdate");
            JsonFields.Default(rolling, "maxUnavailable", "25%");
            JsonFields.Default(rolling, "maxSurge", "25%");
        }

        JsonFields.Default(spec, "revisionHistoryLimit", 10);
        JsonFields.Default(spec, "progressDeadlineSeconds", 600);
        PodDefaults.Spec(JsonFields.Child(JsonFields.Child(spec, "template"), "spec"));
    }

    protected override void ValidateObject(JsonObject obj, List<StatusCause> causes)
    {
        var spec = obj["spec"] as JsonObject;
        MetaValidation.NonNegative(spec, "replicas", "spec.replicas", causes);
        MetaValidation.NonNegative(spec, "revisionHistoryLimit", "spec.revisionHistoryLimit", causes);
        MetaValidation.NonNegative(spec, "minReadySeconds", "spec.minReadySeconds", causes);
        Selectors.ValidateWorkload(spec, "empty selector is invalid for deployment", causes, "Always");
        JsonObject? strategy = JsonFields.Obj(spec, "strategy");
        string type = JsonFields.Str(strategy, "type");
        if (type is not ("Recreate" or "RollingUpdate"))
        {
            causes.Add(FieldErrors.NotSupported("spec.strategy.type", type, "Recreate", "RollingUpdate"));
        }
        else if (type == "Recreate" && strategy?["rollingUpdate"] is not null)
        {
            causes.Add(FieldErrors.Forbidden("spec.strategy.rollingUpdate", "may not be specified when strategy `type` is 'Recreate'"));
        }

        if (JsonFields.Long(spec, "progressDeadlineSeconds") is long deadline &&
            deadline <= (JsonFields.Long(spec, "minReadySeconds") ?? 0))
        {
            causes.Add(FieldErrors.Invalid("spec.progressDeadlineSeconds", deadline, "must be greater than minReadySeconds"));
        }
    }

    protected override void ValidateTransition(JsonObject obj, JsonObject old, List<StatusCause> causes) =>
        ImmutableSelector(obj["spec"] as JsonObject, old["spec"] as JsonObject, "spec.selector", causes);
}

/// <summary>apps/v1 ReplicaSet: replicas 1, template defaults, selector/template rules, immutable selector.</summary>
internal sealed class ReplicaSetStrategy : KindStrategy
{
    public ReplicaSetStrategy(ResourceDefinition resource)
        : base(resource)
    {
    }

    protected override void ApplyDefaults(JsonObject obj)
    {
        JsonObject spec = JsonFields.Child(obj, "spec");
        JsonFields.Default(spec, "replicas", 1);
        PodDefaults.Spec(JsonFields.Child(JsonFields.Child(spec, "template"), "spec"));
    }

    protected override void ValidateObject(JsonObject obj, List<StatusCause> causes)
    {
        var spec = obj["spec"] as JsonObject;
        MetaValidation.NonNegative(spec, "replicas", "spec.replicas", causes);
        MetaValidation.NonNegative(spec, "minReadySeconds", "spec.minReadySeconds", causes);
        Selectors.ValidateWorkload(spec, "empty selector is invalid for deployment", causes, "Always");
    }

    protected override void ValidateTransition(JsonObject obj, JsonObject old, List<StatusCause> causes) =>
        ImmutableSelector(obj["spec"] as JsonObject, old["spec"] as JsonObject, "spec.selector", causes);
}

/// <summary>apps/v1 DaemonSet: RollingUpdate 1/0, revisionHistoryLimit 10, template defaults, immutable selector.</summary>
internal sealed class DaemonSetStrategy : KindStrategy
{
    public DaemonSetStrategy(ResourceDefinition resource)
        : base(resource)
    {
    }

    protected override void ApplyDefaults(JsonObject obj)
    {
        JsonObject spec = JsonFields.Child(obj, "spec");
        JsonObject strategy = JsonFields.Child(spec, "updateStrategy");
        JsonFields.DefaultString(strategy, "type", "RollingUpdate");
        if (JsonFields.Str(strategy, "type") == "RollingUpdate")
        {
            JsonObject rolling = JsonFields.Child(strategy, "rollingUpdate");
            JsonFields.Default(rolling, "maxUnavailable", 1);
            JsonFields.Default(rolling, "maxSurge", 0);
        }

        JsonFields.Default(spec, "revisionHistoryLimit", 10);
        PodDefaults.Spec(JsonFields.Child(JsonFields.Child(spec, "template"), "spec"));
    }

    protected override void ValidateObject(JsonObject obj, List<StatusCause> causes)
    {
        var spec = obj["spec"] as JsonObject;
        Selectors.ValidateWorkload(spec, "empty selector is invalid for daemonset", causes, "Always");
        string type = JsonFields.Str(JsonFields.Obj(spec, "updateStrategy"), "type");
        if (type is not ("OnDelete" or "RollingUpdate"))
        {
            causes.Add(FieldErrors.NotSupported("spec.updateStrategy.type", type, "OnDelete", "RollingUpdate"));
        }
    }

    protected override void ValidateTransition(JsonObject obj, JsonObject old, List<StatusCause> causes) =>
        ImmutableSelector(obj["spec"] as JsonObject, old["spec"] as JsonObject, "spec.selector", causes);
}

/// <summary>apps/v1 StatefulSet: upstream defaults incl. PVC retention policy and claim templates; spec update limits.</summary>
internal sealed class StatefulSetStrategy : KindStrategy
{
    public const string ForbiddenUpdateMessage =
        "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden";

    public StatefulSetStrategy(ResourceDefinition resource)
        : base(resource)
    {
    }

    protected override void ApplyDefaults(JsonObject obj)
    {
        JsonObject spec = JsonFields.Child(obj, "spec");
        JsonFields.Default(spec, "replicas", 1);
        JsonFields.DefaultString(spec, "podManagementPolicy", "OrderedReady");
        JsonObject strategy = JsonFields.Child(spec, "updateStrategy");
        JsonFields.DefaultString(strategy, "type", "RollingUpdate");
        if (JsonFields.Str(strategy, "type") == "RollingUpdate")
        {
            JsonFields.Default(JsonFields.Child(strategy, "rollingUpdate"), "partition", 0);
        }

        JsonFields.Default(spec, "revisionHistoryLimit", 10);
        JsonObject retention = JsonFields.Child(spec, "persistentVolumeClaimRetentionPolicy");
        JsonFields.DefaultString(retention, "whenDeleted", "Retain");
        JsonFields.DefaultString(retention, "whenScaled", "Retain");
        foreach ((_, JsonObject claim) in JsonFields.Items(spec, "volumeClaimTemplates"))
        {
            ClaimDefaults.Apply(claim);
        }

        PodDefaults.Spec(JsonFields.Child(JsonFields.Child(spec, "template"), "spec"));
    }

    protected override void ValidateObject(JsonObject obj, List<StatusCause> causes)
    {
        var spec = obj["spec"] as JsonObject;
        MetaValidation.NonNegative(spec, "replicas", "spec.replicas", causes);
        string policy = JsonFields.Str(spec, "podManagementPolicy");
        if (policy is not ("OrderedReady" or "Parallel"))
        {
            causes.Add(FieldErrors.Invalid("spec.podManagementPolicy", policy,
                "must be 'OrderedReady' (default) or 'Parallel'"));
        }

        Selectors.ValidateWorkload(WithClaimVolumes(spec), "empty selector is invalid for statefulset", causes, "Always");
    }

    /// <summary>
    /// The spec as validated: every volumeClaimTemplate is also a volume of the template (the controller adds it to each
    /// pod), so containers may mount claims by template name as upstream allows. A copy; the stored object is unchanged.
    /// </summary>
    private static JsonObject? WithClaimVolumes(JsonObject? spec)
    {
        if (spec?["volumeClaimTemplates"] is not JsonArray { Count: > 0 } claims || spec["template"] is not JsonObject)
        {
            return spec;
        }

        var copy = (JsonObject)spec.DeepClone();
        JsonObject podSpec = JsonFields.Child(JsonFields.Child(copy, "template"), "spec");
        if (podSpec["volumes"] is not JsonArray volumes)
        {
            volumes = new JsonArray();
            podSpec["volumes"] = volumes;
        }

        var names = new HashSet<string>(volumes.Select(v => (string?)(v as JsonObject)?["name"] ?? ""), StringComparer.Ordinal);
        foreach (JsonNode? claim in claims)
        {
            if (claim?["metadata"]?["name"] is JsonValue nameNode && nameNode.TryGetValue(out string? name) && names.Add(name))
            {
                volumes.Add((JsonNode)new JsonObject { ["name"] = name, ["persistentVolumeClaim"] = new JsonObject { ["claimName"] = name } });
            }
        }

        return copy;
    }

    protected override void ValidateTransition(JsonObject obj, JsonObject old, List<StatusCause> causes)
    {
        var spec = (JsonObject?)obj["spec"]?.DeepClone() ?? new JsonObject();
        var oldSpec = (JsonObject?)old["spec"]?.DeepClone() ?? new JsonObject();
        foreach (string mutable in new[] { "replicas", "ordinals", "template", "updateStrategy", "persistentVolumeClaimRetentionPolicy", "minReadySeconds" })
        {
            spec.Remove(mutable);
            oldSpec.Remove(mutable);
        }

        if (!JsonNode.DeepEquals(spec, oldSpec))
        {
            causes.Add(FieldErrors.Forbidden("spec", ForbiddenUpdateMessage));
        }
    }
}

/// <summary>core/v1 ReplicationController: selector and labels default from the template, replicas 1.</summary>
internal sealed class ReplicationControllerStrategy : KindStrategy
{
    public ReplicationControllerStrategy(ResourceDefinition resource)
        : base(resource)
    {
    }

    protected override void ApplyDefaults(JsonObject obj)
    {
        JsonObject spec = JsonFields.Child(obj, "spec");
        if (JsonFields.Path(spec, "template", "metadata", "labels") is { Count: > 0 } templateLabels)
        {
            if (spec["selector"] is not JsonObject { Count: > 0 })
            {
                spec["selector"] = templateLabels.DeepClone();
            }

            JsonObject meta = JsonFields.Child(obj, "metadata");
            if (meta["labels"] is not JsonObject { Count: > 0 })
            {
                meta["labels"] = templateLabels.DeepClone();
            }
        }

        JsonFields.Default(spec, "replicas", 1);
        if (spec["template"] is JsonObject template)
        {
            PodDefaults.Spec(JsonFields.Child(template, "spec"));
        }
    }

    protected override void ValidateObject(JsonObject obj, List<StatusCause> causes)
    {
        var spec = obj["spec"] as JsonObject;
        MetaValidation.NonNegative(spec, "replicas", "spec.replicas", causes);
        if (JsonFields.Obj(spec, "selector") is not { Count: > 0 } selector)
        {
            causes.Add(FieldErrors.Required("spec.selector", ""));
        }
        else
        {
            MetaValidation.ValidateLabels(selector, "spec.selector", causes);
            JsonObject? labels = JsonFields.Path(spec, "template", "metadata", "labels");
            if (!Selectors.Matches(new JsonObject { ["matchLabels"] = selector.DeepClone() }, labels))
            {
                causes.Add(FieldErrors.InvalidRaw("spec.template.metadata.labels", FieldErrors.GoStringMap(labels),
                    "`selector` does not match template `labels`"));
            }
        }

        Selectors.ValidateTemplate(JsonFields.Obj(spec, "template"), "spec.template", causes, "Always");
    }
}
