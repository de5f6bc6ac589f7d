using System.Text.Json.Nodes;
using Korvet.ApiServer.Errors;
using Korvet.ApiServer.Registry;

namespace Korvet.ApiServer.Storage;

/// <summary>
/// The strategy every kind gets until it has its own: upstream's name rules, generation tracking for kinds whose
/// upstream strategy maintains it, create-on-update where upstream allows it, and status subresource semantics
/// (a create starts with an empty status, a main-resource update keeps the stored status).
/// </summary>
public class DefaultStrategy : IResourceStrategy
{
    private static readonly HashSet<string> GenerationKinds =
    [
        "deployments", "replicasets", "statefulsets", "daemonsets", "replicationcontrollers", "jobs", "cronjobs",
        "poddisruptionbudgets", "customresourcedefinitions", "ingresses", "networkpolicies", "horizontalpodautoscalers",
        "flowschemas", "prioritylevelconfigurations", "validatingadmissionpolicies", "validatingadmissionpolicybindings",
    ];

    private static readonly HashSet<string> CreateOnUpdateKinds =
    [
        "endpoints", "events", "leases", "limitranges", "roles", "rolebindings", "clusterroles", "clusterrolebindings",
        "endpointslices",
    ];

    /// <summary>Kinds whose served version orphans dependents by default, for backwards compatibility (upstream).</summary>
    private static readonly HashSet<(string Group, string Plural)> OrphanByDefaultKinds = [("", "replicationcontrollers"), ("batch", "jobs")];

    private static readonly HashSet<string> LabelNamedKinds = ["namespaces", "services"];

    private static readonly HashSet<string> PathSegmentNamedKinds = ["roles", "rolebindings", "clusterroles", "clusterrolebindings"];

    private readonly ResourceDefinition? _resource;

    public DefaultStrategy()
    {
    }

    private DefaultStrategy(ResourceDefinition resource) => _resource = resource;

    public virtual NameRule NameRule => NameRule.Dns1123Subdomain;

    public virtual bool TracksGeneration => false;

    public virtual bool AllowCreateOnUpdate => false;

    public virtual bool AllowUnconditionalUpdate => true;

    public virtual bool ReturnDeletedObject => false;

    /// <summary>The per-resource view of the default rules (the store asks it instead of the bare default).</summary>
    public static IResourceStrategy ForResource(ResourceDefinition resource) => new Resolved(resource);

    public virtual void PrepareForCreate(ResourceDefinition resource, JsonObject obj)
    {
        if (resource.HasStatusSubresource)
        {
            obj["status"] = new JsonObject();
        }
    }

    public virtual void PrepareForUpdate(ResourceDefinition resource, JsonObject obj, JsonObject old)
    {
        if (resource.HasStatusSubresource)
        {
            obj["status"] = old["status"]?.DeepClone();
            if (obj["status"] is null)
            {
                obj.Remove("status");
            }
        }
    }

    public virtual IReadOnlyList<StatusCause> Validate(ResourceDefinition resource, JsonObject obj) => [];

    public virtual IReadOnlyList<StatusCause> ValidateUpdate(ResourceDefinition resource, JsonObject obj, JsonObject old) => [];

    public virtual long GracePeriodSeconds(ResourceDefinition resource, JsonObject obj, long? requested) => 0;

    public virtual GarbageCollectionPolicy DefaultGarbageCollectionPolicy => GarbageCollectionPolicy.DeleteDependents;

    public virtual bool HoldForTermination(JsonObject obj) => false;

    /// <summary>The default rules bound to one resource, so the resource-dependent flags answer correctly.</summary>
    private sealed class Resolved : DefaultStrategy
    {
        public Resolved(ResourceDefinition resource)
            : base(resource)
        {
        }

        public override NameRule NameRule =>
            LabelNamedKinds.Contains(_resource!.Plural) && _resource.Group.Length == 0 ? NameRule.Dns1123Label
            : PathSegmentNamedKinds.Contains(_resource.Plural) ? NameRule.PathSegment
            : NameRule.Dns1123Subdomain;

        public override bool TracksGeneration => GenerationKinds.Contains(_resource!.Plural);

        public override bool AllowCreateOnUpdate => CreateOnUpdateKinds.Contains(_resource!.Plural);

        public override bool ReturnDeletedObject => _resource!.Plural == "services" && _resource.Group.Length == 0;

        public override GarbageCollectionPolicy DefaultGarbageCollectionPolicy =>
            _resource!.Plural == "events" ? GarbageCollectionPolicy.Unsupported
            : OrphanByDefaultKinds.Contains((_resource.Group, _resource.Plural)) ? GarbageCollectionPolicy.OrphanDependents
            : GarbageCollectionPolicy.DeleteDependents;
    }
}
