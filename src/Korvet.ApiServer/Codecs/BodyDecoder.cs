using System.Text.Json;
using System.Text.Json.Nodes;
using Korvet.Api.Protobuf;
using Korvet.Api.Schema;
using Korvet.Api.Serialization;
using Korvet.ApiServer.Errors;
using Korvet.ApiServer.Registry;

namespace Korvet.ApiServer.Codecs;

/// <summary>
/// Request bodies in JSON, YAML (one document) and protobuf (<c>k8s\0</c> + runtime.Unknown, transcoded to JSON with
/// the schema; the envelope's apiVersion/kind are set on the object). Nulls the protobuf transcoder writes for unset
/// pointers and zero times are dropped, as decoding into Go structs would. Unknown fields are not checked
/// (fieldValidation is accepted and treated as Ignore). Thread-safe.
/// </summary>
public sealed class BodyDecoder : IBodyDecoder
{
    private static readonly JsonNodeOptions NodeOptions = new() { PropertyNameCaseInsensitive = false };
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 100 };

    private readonly ProtobufCodec _protobuf;

    public BodyDecoder(ApiSchema schema)
    {
        _protobuf = new ProtobufCodec(schema);
    }

    public IReadOnlyList<string> SupportedTypes { get; } = ["application/json", "application/yaml", ProtobufCodec.MediaType];

    public DecodedBody Decode(string mediaType, ReadOnlyMemory<byte> body, ResourceDefinition resource, string fieldValidation)
    {
        JsonNode? node;
        switch (mediaType)
        {
            case "application/json":
                try
                {
                    node = JsonNode.Parse(body.Span, NodeOptions, DocumentOptions);
                }
                catch (JsonException e)
                {
                    throw StatusErrors.BadRequest($"Object '{resource.Kind}' is invalid JSON: {e.Message}");
                }

                break;
            case "application/yaml":
                try
                {
                    node = YamlReader.ParseDocument(body.Span);
                }
                catch (ApiCodecException e)
                {
                    throw StatusErrors.BadRequest($"error converting YAML to JSON: {e.Message}");
                }

                break;
            case ProtobufCodec.MediaType:
                node = DecodeProtobuf(body.Span, resource);
                break;
            default:
                throw StatusErrors.UnsupportedMediaType(SupportedTypes);
        }

        if (node is not JsonObject obj)
        {
            throw StatusErrors.BadRequest($"Object '{resource.Kind}' must be a JSON object");
        }

        if (mediaType != "application/json")
        {
            // YAML and protobuf produce CLR-typed numbers (int, long, double); re-reading the JSON text gives the same
            // element-backed values a JSON body has, which convert to any numeric type the strategies ask for.
            obj = (JsonObject)JsonNode.Parse(obj.ToJsonString(), NodeOptions, DocumentOptions)!;
        }

        return new DecodedBody(obj, []);
    }

    private JsonObject DecodeProtobuf(ReadOnlySpan<byte> body, ResourceDefinition resource)
    {
        ProtobufEnvelope envelope;
        try
        {
            envelope = _protobuf.DecodeEnvelope(body);
        }
        catch (ApiCodecException e)
        {
            throw StatusErrors.BadRequest($"error decoding {resource.Kind} from protobuf: {e.Message}");
        }

        JsonObject obj = envelope.Object;
        DropNulls(obj);
        var ordered = new JsonObject { ["kind"] = envelope.Kind, ["apiVersion"] = envelope.ApiVersion };
        foreach (string key in obj.Select(p => p.Key).ToList())
        {
            if (key is not ("kind" or "apiVersion"))
            {
                JsonNode? value = obj[key];
                obj.Remove(key);
                ordered[key] = value;
            }
        }

        return ordered;
    }

    private static void DropNulls(JsonNode? node)
    {
        if (node is JsonObject obj)
        {
            foreach (string key in obj.Where(p => p.Value is null).Select(p => p.Key).ToList())
            {
                obj.Remove(key);
            }

            foreach ((_, JsonNode? child) in obj)
            {
                DropNulls(child);
            }
        }
        else if (node is JsonArray array)
        {
            foreach (JsonNode? child in array)
            {
                DropNulls(child);
            }
        }
    }
}
