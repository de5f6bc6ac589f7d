using System.Text.Json.Nodes;
using Korvet.Api.Patch;
using Korvet.Api.Schema;
using Korvet.ApiServer.Errors;
using Korvet.ApiServer.Registry;

namespace Korvet.ApiServer.Patching;

/// <summary>
/// JSON patch (RFC 6902), JSON merge patch (RFC 7386) and strategic merge patch, the last driven by the schema's
/// descriptor of the resource's kind (patch strategies and merge keys). Server-side apply is not a patch of the current
/// object alone (it needs managedFields and the field manager) and is handled by <see cref="ServerSideApply"/>.
/// Failures map to upstream's status codes (<see cref="PatchException.StatusCode"/>). Thread-safe.
/// </summary>
public sealed class PatchApplier : IPatchApplier
{
    public const string JsonPatchType = "application/json-patch+json";
    public const string MergePatchType = "application/merge-patch+json";
    public const string StrategicMergePatchType = "application/strategic-merge-patch+json";

    private readonly ApiSchema _schema;
    private readonly StrategicMergePatch _strategic;

    public PatchApplier(ApiSchema schema)
    {
        _schema = schema;
        _strategic = new StrategicMergePatch(schema);
    }

    public IReadOnlyList<string> SupportedTypes { get; } = [JsonPatchType, MergePatchType, StrategicMergePatchType];

    public JsonObject Apply(string patchType, JsonObject current, ReadOnlyMemory<byte> patch, ResourceDefinition resource)
    {
        try
        {
            switch (patchType)
            {
                case JsonPatchType:
                    return JsonPatch.Apply(current, patch.Span) as JsonObject
                        ?? throw StatusErrors.BadRequest("the JSON patch must leave an object");
                case MergePatchType:
                    return JsonMergePatch.ApplyToObject(current, patch.Span);
                case StrategicMergePatchType:
                    return _strategic.Apply(current, patch.Span, MessageFor(resource));
                default:
                    throw StatusErrors.UnsupportedMediaType(SupportedTypes);
            }
        }
        catch (PatchException e)
        {
            throw ToStatus(e, resource, (string?)current["metadata"]?["name"] ?? "");
        }
    }

    /// <summary>The descriptor of the resource's kind (null when the schema does not know it: merge-patch rules).</summary>
    public MessageDescriptor? MessageFor(ResourceDefinition resource) => _schema.ResolveMessage(resource.ApiVersion, resource.Kind);

    /// <summary>Upstream's answers: 400 BadRequest, 422 Invalid (with the object's name), 413, 500.</summary>
    public static StatusException ToStatus(PatchException e, ResourceDefinition resource, string name) => e.StatusCode switch
    {
        400 => StatusErrors.BadRequest(e.Message),
        422 => new StatusException(422, "Invalid", e.Message,
            new StatusDetails(name, resource.Group.Length == 0 ? null : resource.Group, resource.Kind, [new StatusCause("FieldValueInvalid", e.Message, "")])),
        413 => new StatusException(413, "RequestEntityTooLarge", e.Message),
        _ => StatusErrors.Internal(e.Message),
    };
}
