using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Korvet.Api.Protobuf;
using Korvet.Api.Schema;
using Korvet.Api.Serialization;
using Korvet.ApiServer.Errors;
using Korvet.ApiServer.Registry;

namespace Korvet.ApiServer.Http;

/// <summary>
/// Turns the JSON the handlers build into the negotiated encoding. JSON passes through untouched (no copy); YAML is the
/// JSON re-emitted as one YAML document with sorted keys (sigs.k8s.io/yaml's JSONToYAML); protobuf is the object
/// transcoded with the descriptors into <c>k8s\0</c> + runtime.Unknown naming the object's apiVersion/kind. Watch
/// frames follow upstream's protobuf stream serializer: each event is a raw (unenveloped)
/// <c>meta.v1.WatchEvent</c>{type, object: RawExtension{raw: enveloped object}} preceded by its length as a 4-byte
/// big-endian integer. Thread-safe.
/// </summary>
public sealed class ResponseEncoder
{
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 128 };

    private readonly ApiSchema _schema;
    private readonly ProtobufCodec _codec;

    public ResponseEncoder(ApiSchema schema)
    {
        _schema = schema;
        _codec = new ProtobufCodec(schema, 128);
    }

    /// <summary>Whether objects of the resource can be sent as protobuf (built-in kinds; not custom resources).</summary>
    public bool CanEncodeProtobuf(ResourceDefinition resource) =>
        _schema.FindKind(resource.Group, resource.Version, resource.Kind) is not null;

    /// <summary>The body and Content-Type for <paramref name="json"/> in <paramref name="encoding"/>.</summary>
    public (byte[] Body, string ContentType) Encode(ResponseEncoding encoding, byte[] json, string jsonContentType) => encoding switch
    {
        ResponseEncoding.Yaml => (Encoding.UTF8.GetBytes(YamlWriter.Write(Parse(json))), ResponseFormat.Yaml),
        ResponseEncoding.Protobuf => (Envelope(json), ResponseFormat.Protobuf),
        _ => (json, jsonContentType),
    };

    /// <summary>The object (JSON with apiVersion and kind) in the protobuf envelope.</summary>
    public byte[] Envelope(ReadOnlySpan<byte> json)
    {
        if (Parse(json) is not JsonObject obj)
        {
            throw StatusErrors.Internal("protobuf: the response is not an object");
        }

        string apiVersion = obj["apiVersion"]?.GetValue<string>() ?? "";
        string kind = obj["kind"]?.GetValue<string>() ?? "";
        try
        {
            return _codec.EncodeEnvelope(apiVersion, kind, obj);
        }
        catch (ApiCodecException e)
        {
            throw StatusErrors.Internal($"encoding {kind} as protobuf: {e.Message}");
        }
    }

    /// <summary>One length-prefixed protobuf watch frame.</summary>
    public byte[] WatchFrame(string type, ReadOnlySpan<byte> objectJson)
    {
        byte[] envelope = Envelope(objectJson);
        var rawExtension = new ProtoWriter();
        rawExtension.WriteTag(1, WireType.LengthDelimited);
        rawExtension.WriteBytes(envelope);
        var ev = new ProtoWriter();
        ev.WriteTag(1, WireType.LengthDelimited);
        ev.WriteString(type);
        ev.WriteTag(2, WireType.LengthDelimited);
        ev.WriteBytes(rawExtension.WrittenSpan);
        byte[] frame = new byte[4 + ev.Length];
        BinaryPrimitives.WriteInt32BigEndian(frame, ev.Length);
        ev.WrittenSpan.CopyTo(frame.AsSpan(4));
        return frame;
    }

    /// <summary>A watch event in <paramref name="encoding"/> (JSON: one newline-terminated line).</summary>
    public byte[] WatchEvent(ResponseEncoding encoding, string type, byte[] objectJson) =>
        encoding == ResponseEncoding.Protobuf ? WatchFrame(type, objectJson) : Watch.CacheEvent.BuildLine(type, objectJson);

    private static JsonNode? Parse(ReadOnlySpan<byte> json) => JsonNode.Parse(json, documentOptions: DocumentOptions);
}
