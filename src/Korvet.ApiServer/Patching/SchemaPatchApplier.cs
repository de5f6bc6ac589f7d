using System.Text.Json.Nodes;
using Korvet.Api.Generated;
using Korvet.Api.Patch;
using Korvet.Api.Schema;
using Korvet.ApiServer.Errors;
using Korvet.ApiServer.Registry;

namespace Korvet.ApiServer.Patching;

/// <summary>
/// The patch applier over Korvet.Api's patch library: JSON patch (RFC 6902), JSON merge patch (RFC 7386) and
/// strategic merge patch driven by the generated schema (merge keys, patch strategies, directives). Server-side apply
/// (<c>application/apply-patch+yaml</c>) is not handled yet and answers 415. Stateless and thread-safe.
/// </summary>
public sealed class SchemaPatchApplier : IPatchApplier
{
    public const string JsonPatchType = "application/json-patch+json";
    public const string MergePatchType = "application/merge-patch+json";
    public const string StrategicMergePatchType = "application/strategic-merge-patch+json";

    private readonly ApiSchema _schema;
    private readonly StrategicMergePatch _strategic;

    public SchemaPatchApplier()
        : this(ApiSchemas.Kubernetes)
    {
    }

    public SchemaPatchApplier(ApiSchema schema)
    {
        _schema = schema;
        _strategic = new StrategicMergePatch(schema);
    }

    public IReadOnlyList<string> SupportedTypes { get; } = [JsonPatchType, MergePatchType, StrategicMergePatchType];

    public JsonObject Apply(string patchType, JsonObject current, ReadOnlyMemory<byte> patch, ResourceDefinition resource)
    {
        try
        {
            JsonNode? result = patchType switch
            {
                JsonPatchType => JsonPatch.Apply(current, patch.Span),
                MergePatchType => JsonMergePatch.ApplyToObject(current, patch.Span),
                StrategicMergePatchType => _strategic.Apply(current, patch.Span, _schema.ResolveMessage(resource.ApiVersion, resource.Kind)),
                _ => throw StatusErrors.UnsupportedMediaType(SupportedTypes),
            };
            return result as JsonObject ?? throw StatusErrors.BadRequest("the patched object must be a JSON object");
        }
        catch (PatchException e)
        {
            string reason = e.Kind switch
            {
                PatchErrorKind.BadRequest => "BadRequest",
                PatchErrorKind.Invalid => "Invalid",
                PatchErrorKind.RequestEntityTooLarge => "RequestEntityTooLarge",
                _ => "InternalError",
            };
            throw new StatusException(e.StatusCode, reason, e.Message);
        }
    }
}
