using System.Text;
using System.Text.Json.Nodes;
using Korvet.Api.Schema;
using Korvet.Api.Serialization;

namespace Korvet.Api.Protobuf;

/// <summary>An object read from (or for) a Kubernetes protobuf envelope.</summary>
/// <param name="ApiVersion">From the envelope's typeMeta; "" when absent (watch events).</param>
/// <param name="Kind">From the envelope's typeMeta; "" when absent.</param>
/// <param name="Object">The object as JSON, with <c>kind</c>/<c>apiVersion</c> when its type carries TypeMeta.</param>
public sealed record ProtobufEnvelope(string ApiVersion, string Kind, JsonObject Object);

/// <summary>
/// Kubernetes protobuf ⇄ JSON, driven by the API descriptors. The wire form of an object is the magic
/// <c>k8s\0</c> followed by a <c>runtime.Unknown</c> {typeMeta{apiVersion, kind}, raw, contentEncoding,
/// contentType}, where raw is the object's own message. Every malformation — truncation, bad varints, wire type
/// mismatches, unknown types, nesting deeper than the limit — throws <see cref="ApiCodecException"/>; decoding never
/// recurses deeper than the limit and always terminates. Thread-safe.
/// </summary>
public sealed class ProtobufCodec
{
    private const string UnknownMessage = "k8s.io.apimachinery.pkg.runtime.Unknown";
    private readonly ApiSchema _schema;
    private readonly int _maxDepth;
    private readonly ProtobufDecoder _decoder;
    private readonly ProtobufEncoder _encoder;

    public ProtobufCodec(ApiSchema schema, int maxDepth = 100)
    {
        _schema = schema;
        _maxDepth = maxDepth;
        _decoder = new ProtobufDecoder(schema, maxDepth);
        _encoder = new ProtobufEncoder(schema, maxDepth);
    }

    /// <summary>The 4-byte prefix of every Kubernetes protobuf body.</summary>
    public static ReadOnlySpan<byte> Magic => "k8s\0"u8;

    /// <summary>The media type kubectl uses for protobuf bodies.</summary>
    public const string MediaType = "application/vnd.kubernetes.protobuf";

    public static bool HasMagic(ReadOnlySpan<byte> data) => data.StartsWith(Magic);

    /// <summary>
    /// Decodes an enveloped object. The message is resolved from the envelope's apiVersion/kind
    /// (<see cref="ApiSchema.ResolveMessage"/>); when the envelope carries no type (watch events),
    /// <paramref name="untypedMessage"/> is used.
    /// </summary>
    public ProtobufEnvelope DecodeEnvelope(ReadOnlySpan<byte> data, MessageDescriptor? untypedMessage = null) =>
        DecodeEnvelope(data, untypedMessage, 0);

    internal ProtobufEnvelope DecodeEnvelope(ReadOnlySpan<byte> data, MessageDescriptor? untypedMessage, int depth)
    {
        if (!HasMagic(data))
        {
            throw new ApiCodecException("protobuf: body does not start with the Kubernetes magic \"k8s\\0\"");
        }

        string apiVersion = "", kind = "", contentEncoding = "";
        ReadOnlySpan<byte> raw = default;
        var reader = new ProtoReader(data[Magic.Length..]);
        while (!reader.End)
        {
            (int number, WireType wire) = reader.ReadTag();
            if (number is >= 1 and <= 4 && wire != WireType.LengthDelimited)
            {
                throw new ApiCodecException($"protobuf: envelope field #{number} has wire type {(int)wire}, expected 2");
            }

            switch (number)
            {
                case 1:
                    var typeMeta = new ProtoReader(reader.ReadBytes());
                    while (!typeMeta.End)
                    {
                        (int n, WireType w) = typeMeta.ReadTag();
                        if (n is 1 or 2 && w == WireType.LengthDelimited)
                        {
                            string s = Encoding.UTF8.GetString(typeMeta.ReadBytes());
                            (n == 1 ? ref apiVersion : ref kind) = s;
                        }
                        else
                        {
                            typeMeta.Skip(w);
                        }
                    }

                    break;
                case 2:
                    raw = reader.ReadBytes();
                    break;
                case 3:
                    contentEncoding = Encoding.UTF8.GetString(reader.ReadBytes());
                    break;
                default:
                    reader.Skip(wire);
                    break;
            }
        }

        if (contentEncoding.Length > 0)
        {
            throw new ApiCodecException($"protobuf: unsupported content encoding \"{contentEncoding}\"");
        }

        MessageDescriptor md = (apiVersion.Length > 0 || kind.Length > 0 ? _schema.ResolveMessage(apiVersion, kind) : untypedMessage)
            ?? throw new ApiCodecException(apiVersion.Length == 0 && kind.Length == 0
                ? "protobuf: the envelope names no apiVersion/kind"
                : $"protobuf: no type is registered for apiVersion \"{apiVersion}\", kind \"{kind}\"");
        if (md.JsonForm != JsonForm.Object)
        {
            throw new ApiCodecException($"protobuf: {md.Name} is not an object type");
        }

        var obj = new JsonObject();
        if (md.EmbedsTypeMeta)
        {
            if (kind.Length > 0)
            {
                obj["kind"] = kind;
            }

            if (apiVersion.Length > 0)
            {
                obj["apiVersion"] = apiVersion;
            }
        }

        if (depth > _maxDepth)
        {
            throw new ApiCodecException($"protobuf: nesting deeper than {_maxDepth}");
        }

        _decoder.DecodeObjectInto(obj, raw, md, depth);
        return new ProtobufEnvelope(apiVersion, kind, obj);
    }

    /// <summary>Encodes <paramref name="obj"/> as the message registered for apiVersion/kind, inside the envelope.</summary>
    public byte[] EncodeEnvelope(string apiVersion, string kind, JsonObject obj)
    {
        MessageDescriptor md = _schema.ResolveMessage(apiVersion, kind)
            ?? throw new ApiCodecException($"protobuf: no type is registered for apiVersion \"{apiVersion}\", kind \"{kind}\"");
        return EncodeEnvelope(apiVersion, kind, obj, md);
    }

    /// <summary>Encodes <paramref name="obj"/> as <paramref name="md"/> inside an envelope naming apiVersion/kind
    /// (both may be "" for watch events).</summary>
    public byte[] EncodeEnvelope(string apiVersion, string kind, JsonObject obj, MessageDescriptor md)
    {
        var raw = new ProtoWriter();
        _encoder.EncodeValue(raw, obj, md, "", 0);
        var typeMeta = new ProtoWriter();
        typeMeta.WriteTag(1, WireType.LengthDelimited);
        typeMeta.WriteString(apiVersion);
        typeMeta.WriteTag(2, WireType.LengthDelimited);
        typeMeta.WriteString(kind);
        var w = new ProtoWriter();
        w.WriteRaw(Magic);
        w.WriteTag(1, WireType.LengthDelimited);
        w.WriteBytes(typeMeta.WrittenSpan);
        w.WriteTag(2, WireType.LengthDelimited);
        w.WriteBytes(raw.WrittenSpan);
        w.WriteTag(3, WireType.LengthDelimited);
        w.WriteBytes([]);
        w.WriteTag(4, WireType.LengthDelimited);
        w.WriteBytes([]);
        return w.ToArray();
    }

    /// <summary>Decodes a bare message (no magic, no envelope) to its JSON form.</summary>
    public JsonNode? DecodeMessage(ReadOnlySpan<byte> data, MessageDescriptor md) => _decoder.DecodeValue(data, md, 0);

    /// <summary>Encodes the JSON form of a message as bare protobuf (no magic, no envelope).</summary>
    public byte[] EncodeMessage(JsonNode? value, MessageDescriptor md)
    {
        if (md.FullName == UnknownMessage)
        {
            throw new ApiCodecException("protobuf: runtime.Unknown is an envelope, not an object");
        }

        var w = new ProtoWriter();
        _encoder.EncodeValue(w, value, md, "", 0);
        return w.ToArray();
    }
}
