using System.Text.Json.Nodes;
using Korvet.ApiServer.Errors;
using Korvet.ApiServer.Registry;

namespace Korvet.ApiServer.Storage;

/// <summary>How names of a kind are validated (upstream's ValidateObjectMeta name functions).</summary>
public enum NameRule
{
    /// <summary>RFC 1123 subdomain, at most 253 characters (most kinds).</summary>
    Dns1123Subdomain,
    /// <summary>RFC 1123 label, at most 63 characters (namespaces, services).</summary>
    Dns1123Label,
    /// <summary>Any name usable as a path segment: not "." or "..", no '/' or '%' (RBAC kinds).</summary>
    PathSegment,
}

/// <summary>
/// Per-kind behaviour of the <see cref="GenericStore"/> (upstream's RESTCreateStrategy / RESTUpdateStrategy /
/// RESTDeleteStrategy). Implementations are stateless and thread-safe. The store calls them on a private mutable copy
/// of the object, so they may mutate it freely.
/// </summary>
public interface IResourceStrategy
{
    NameRule NameRule { get; }

    /// <summary>True when metadata.generation is maintained (set to 1 on create, bumped on spec change).</summary>
    bool TracksGeneration { get; }

    /// <summary>True when a PUT of an absent object creates it (endpoints, events, leases, RBAC kinds, ...).</summary>
    bool AllowCreateOnUpdate { get; }

    /// <summary>True when a PUT without metadata.resourceVersion is accepted (unconditional update).</summary>
    bool AllowUnconditionalUpdate { get; }

    /// <summary>True when a completed delete answers with the deleted object instead of a success Status.</summary>
    bool ReturnDeletedObject { get; }

    /// <summary>Clears or defaults fields before a create (e.g. status of kinds with a status subresource).</summary>
    void PrepareForCreate(ResourceDefinition resource, JsonObject obj);

    /// <summary>Adjusts an update of the main resource given the stored object (e.g. keeps status).</summary>
    void PrepareForUpdate(ResourceDefinition resource, JsonObject obj, JsonObject old);

    /// <summary>Validation of a new object beyond metadata; returns the causes (empty = valid).</summary>
    IReadOnlyList<StatusCause> Validate(ResourceDefinition resource, JsonObject obj);

    IReadOnlyList<StatusCause> ValidateUpdate(ResourceDefinition resource, JsonObject obj, JsonObject old);

    /// <summary>
    /// Graceful deletion (upstream's CheckGracefulDelete): the grace period in seconds for deleting
    /// <paramref name="obj"/> given the requested one, or 0 to delete now. A positive answer makes the store set
    /// deletionTimestamp = now + grace and keep the object until a later delete with grace 0 (the kubelet's).
    /// </summary>
    long GracePeriodSeconds(ResourceDefinition resource, JsonObject obj, long? requested);

    /// <summary>What a delete without a propagation policy does to dependents (upstream's DefaultGarbageCollectionPolicy).</summary>
    GarbageCollectionPolicy DefaultGarbageCollectionPolicy { get; }

    /// <summary>
    /// Called by a delete on a private copy of the stored object, before finalizers and grace periods are considered.
    /// True keeps the object (the strategy may have marked it, e.g. a namespace's phase Terminating; the store sets
    /// deletionTimestamp when unset and writes when anything changed); false deletes as usual. May throw a
    /// <see cref="StatusException"/> to refuse the delete.
    /// </summary>
    bool HoldForTermination(JsonObject obj);
}

/// <summary>
/// Chooses the strategy of each resource: a kind-specific one when registered, else the default rules bound to the
/// resource. Immutable after construction; the lead registers kind-specific strategies in <see cref="Create"/>.
/// </summary>
public sealed class StrategyTable
{
    private readonly Dictionary<(string Group, string Plural), IResourceStrategy> _strategies = new();

    public StrategyTable(ResourceRegistry registry, IReadOnlyDictionary<(string Group, string Plural), IResourceStrategy> overrides)
    {
        foreach (ResourceDefinition resource in registry.All)
        {
            _strategies[(resource.Group, resource.Plural)] =
                overrides.TryGetValue((resource.Group, resource.Plural), out IResourceStrategy? s) ? s : DefaultStrategy.ForResource(resource);
        }
    }

    public IResourceStrategy For(ResourceDefinition resource) =>
        _strategies.TryGetValue((resource.Group, resource.Plural), out IResourceStrategy? s) ? s : DefaultStrategy.ForResource(resource);

    /// <summary>The default strategy for every kind, the kind-specific ones written so far, then <paramref name="extra"/>.</summary>
    public static StrategyTable Create(ResourceRegistry registry,
        IReadOnlyDictionary<(string Group, string Plural), IResourceStrategy>? extra = null, long defaultTolerationSeconds = 300)
    {
        var all = new Dictionary<(string Group, string Plural), IResourceStrategy>
        {
            [("", "namespaces")] = new NamespaceStrategy(),
            [("", "pods")] = new PodStrategy(),
        };
        foreach (KeyValuePair<(string Group, string Plural), IResourceStrategy> pair in Strategies.KindStrategies.Create(registry, defaultTolerationSeconds))
        {
            all[pair.Key] = pair.Value;
        }

        foreach (KeyValuePair<(string Group, string Plural), IResourceStrategy> pair in extra ?? new Dictionary<(string Group, string Plural), IResourceStrategy>())
        {
            all[pair.Key] = pair.Value;
        }

        return new StrategyTable(registry, all);
    }
}
