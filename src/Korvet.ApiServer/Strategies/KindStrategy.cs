using System.Text.Json.Nodes;
using Korvet.ApiServer.Errors;
using Korvet.ApiServer.Registry;
using Korvet.ApiServer.Storage;

namespace Korvet.ApiServer.Strategies;

/// <summary>
/// Base of the kind-specific strategies: the resource-dependent flags and status-subresource handling come from the
/// default rules of the resource (<see cref="DefaultStrategy.ForResource"/>); subclasses add upstream's defaulting
/// (applied on create and on every main-resource update, as upstream defaults every decoded request body) and
/// validation. Metadata labels and annotations are validated for every kind. Stateless and thread-safe.
/// </summary>
internal abstract class KindStrategy : IResourceStrategy
{
    private readonly IResourceStrategy _defaults;

    protected KindStrategy(ResourceDefinition resource) => _defaults = DefaultStrategy.ForResource(resource);

    public virtual NameRule NameRule => _defaults.NameRule;

    public bool TracksGeneration => _defaults.TracksGeneration;

    public bool AllowCreateOnUpdate => _defaults.AllowCreateOnUpdate;

    public bool AllowUnconditionalUpdate => _defaults.AllowUnconditionalUpdate;

    public virtual bool ReturnDeletedObject => _defaults.ReturnDeletedObject;

    public virtual long GracePeriodSeconds(ResourceDefinition resource, JsonObject obj, long? requested) =>
        _defaults.GracePeriodSeconds(resource, obj, requested);

    public GarbageCollectionPolicy DefaultGarbageCollectionPolicy => _defaults.DefaultGarbageCollectionPolicy;

    public virtual bool HoldForTermination(JsonObject obj) => _defaults.HoldForTermination(obj);

    /// <summary>Upstream's SetObjectDefaults for the kind; must be idempotent.</summary>
    protected abstract void ApplyDefaults(JsonObject obj);

    /// <summary>Kind-specific validation of a whole object (create, and update before transition checks).</summary>
    protected virtual void ValidateObject(JsonObject obj, List<StatusCause> causes)
    {
    }

    /// <summary>Rules about what an update may change (immutable fields).</summary>
    protected virtual void ValidateTransition(JsonObject obj, JsonObject old, List<StatusCause> causes)
    {
    }

    public virtual void PrepareForCreate(ResourceDefinition resource, JsonObject obj)
    {
        _defaults.PrepareForCreate(resource, obj);
        ApplyDefaults(obj);
    }

    public virtual void PrepareForUpdate(ResourceDefinition resource, JsonObject obj, JsonObject old)
    {
        _defaults.PrepareForUpdate(resource, obj, old);
        ApplyDefaults(obj);
    }

    public IReadOnlyList<StatusCause> Validate(ResourceDefinition resource, JsonObject obj)
    {
        var causes = new List<StatusCause>();
        MetaValidation.ValidateMeta(obj["metadata"] as JsonObject, "metadata", causes);
        ValidateObject(obj, causes);
        return causes;
    }

    public IReadOnlyList<StatusCause> ValidateUpdate(ResourceDefinition resource, JsonObject obj, JsonObject old)
    {
        var causes = new List<StatusCause>();
        MetaValidation.ValidateMeta(obj["metadata"] as JsonObject, "metadata", causes);
        ValidateObject(obj, causes);
        ValidateTransition(obj, old, causes);
        return causes;
    }

    /// <summary>Adds <c>field is immutable</c> for a string field that changed.</summary>
    protected static void Immutable(JsonObject? obj, JsonObject? old, string key, string path, List<StatusCause> causes)
    {
        string now = JsonFields.Str(obj, key);
        if (now != JsonFields.Str(old, key))
        {
            causes.Add(FieldErrors.Invalid(path, now, "field is immutable"));
        }
    }

    /// <summary>Adds <c>field is immutable</c> for a label selector that changed (printed as Go prints it).</summary>
    protected static void ImmutableSelector(JsonObject? spec, JsonObject? oldSpec, string path, List<StatusCause> causes)
    {
        JsonNode? now = spec?["selector"];
        JsonNode? before = oldSpec?["selector"];
        if (!JsonNode.DeepEquals(now, before))
        {
            causes.Add(FieldErrors.InvalidRaw(path, FieldErrors.GoLabelSelector(now as JsonObject), "field is immutable"));
        }
    }
}
