using System.Text.Json;
using System.Text.Json.Nodes;
using Korvet.ApiServer.Errors;
using Korvet.ApiServer.Registry;

namespace Korvet.ApiServer.Codecs;

/// <summary>
/// The built-in decoder: JSON bodies only; other media types answer 415. Unknown-field checks need the schema and are
/// not done here (fieldValidation is accepted and ignored).
/// </summary>
public sealed class JsonBodyDecoder : IBodyDecoder
{
    private static readonly JsonNodeOptions NodeOptions = new() { PropertyNameCaseInsensitive = false };
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 100 };

    public IReadOnlyList<string> SupportedTypes { get; } = ["application/json"];

    public DecodedBody Decode(string mediaType, ReadOnlyMemory<byte> body, ResourceDefinition resource, string fieldValidation)
    {
        if (mediaType != "application/json")
        {
            throw StatusErrors.UnsupportedMediaType(SupportedTypes);
        }

        JsonNode? node;
        try
        {
            node = JsonNode.Parse(body.Span, NodeOptions, DocumentOptions);
        }
        catch (JsonException e)
        {
            throw StatusErrors.BadRequest($"Object '{resource.Kind}' is invalid JSON: {e.Message}");
        }

        if (node is not JsonObject obj)
        {
            throw StatusErrors.BadRequest($"Object '{resource.Kind}' must be a JSON object");
        }

        return new DecodedBody(obj, []);
    }
}
