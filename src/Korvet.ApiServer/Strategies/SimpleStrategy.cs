using System.Text.Json.Nodes;
using Korvet.ApiServer.Errors;
using Korvet.ApiServer.Registry;

namespace Korvet.ApiServer.Strategies;

/// <summary>The hooks of a kind whose rules fit in a few lines (see <see cref="CoreKinds"/>). Immutable.</summary>
internal sealed record KindRules
{
    public Action<JsonObject>? Defaults { get; init; }

    public Action<JsonObject, List<StatusCause>>? Validate { get; init; }

    public Action<JsonObject, JsonObject, List<StatusCause>>? ValidateUpdate { get; init; }

    /// <summary>The status a create starts with; null keeps the default (empty status for status-subresource kinds).</summary>
    public Func<JsonObject, JsonNode?>? InitialStatus { get; init; }

    /// <summary>True when a create keeps the submitted status (nodes: the kubelet registers with its status).</summary>
    public bool KeepStatusOnCreate { get; init; }
}

/// <summary>A strategy driven by a <see cref="KindRules"/> record.</summary>
internal sealed class SimpleStrategy : KindStrategy
{
    private readonly KindRules _rules;

    public SimpleStrategy(ResourceDefinition resource, KindRules rules)
        : base(resource) => _rules = rules;

    protected override void ApplyDefaults(JsonObject obj) => _rules.Defaults?.Invoke(obj);

    public override void PrepareForCreate(ResourceDefinition resource, JsonObject obj)
    {
        JsonNode? submitted = obj["status"]?.DeepClone();
        base.PrepareForCreate(resource, obj);
        if (_rules.KeepStatusOnCreate && submitted is not null)
        {
            obj["status"] = submitted;
            ApplyDefaults(obj);
        }
        else if (_rules.InitialStatus is { } initial)
        {
            obj["status"] = initial(obj);
        }
    }

    protected override void ValidateObject(JsonObject obj, List<StatusCause> causes) => _rules.Validate?.Invoke(obj, causes);

    protected override void ValidateTransition(JsonObject obj, JsonObject old, List<StatusCause> causes) =>
        _rules.ValidateUpdate?.Invoke(obj, old, causes);
}
