using System.Text;
using System.Text.Json.Nodes;
using Korvet.Api.Meta.V1;
using Korvet.Api.Resource;
using Korvet.Api.Schema;
using Korvet.Api.Serialization;

namespace Korvet.Api.Protobuf;

/// <summary>
/// Protobuf bytes → JSON, driven by <see cref="ApiSchema"/> descriptors. Produces what Go's encoding/json writes for
/// the same Go value: omitempty zero values dropped, non-omitempty zero values written (nil slices/maps/pointers as
/// null, structs always), custom JSON forms (Time, Quantity, IntOrString, raw JSON, ...), inline fields flattened.
/// Stateless apart from the immutable schema; safe to share.
/// </summary>
internal sealed class ProtobufDecoder(ApiSchema schema, int maxDepth)
{
    public JsonNode? DecodeValue(ReadOnlySpan<byte> data, MessageDescriptor md, int depth)
    {
        if (depth > maxDepth)
        {
            throw new ApiCodecException($"protobuf: nesting deeper than {maxDepth} in {md.Name}");
        }

        switch (md.JsonForm)
        {
            case JsonForm.Object:
                var obj = new JsonObject();
                DecodeObjectInto(obj, data, md, depth);
                return obj;
            case JsonForm.Time:
            case JsonForm.MicroTime:
                {
                    if (data.IsEmpty)
                    {
                        return null; // Go marshals the zero time as no bytes at all, and its JSON is null
                    }

                    Dictionary<int, object> f = ReadSimple(data, md);
                    long seconds = f.TryGetValue(1, out object? s) ? (long)(ulong)s : 0;
                    int nanos = f.TryGetValue(2, out object? n) ? (int)(ulong)n : 0;
                    if (nanos is < 0 or > 999_999_999 || seconds < Rfc3339.GoZeroUnixSeconds || seconds > 253_402_300_799)
                    {
                        throw new ApiCodecException($"protobuf: {md.Name} out of range (seconds {seconds}, nanos {nanos})");
                    }

                    if (seconds == Rfc3339.GoZeroUnixSeconds && nanos == 0)
                    {
                        return null;
                    }

                    return Rfc3339.Format(seconds, nanos, md.JsonForm == JsonForm.MicroTime ? 6 : 0);
                }

            case JsonForm.Duration:
                {
                    Dictionary<int, object> f = ReadSimple(data, md);
                    return new Duration(f.TryGetValue(1, out object? d) ? (long)(ulong)d : 0).ToString();
                }

            case JsonForm.Quantity:
                {
                    Dictionary<int, object> f = ReadSimple(data, md);
                    string text = f.TryGetValue(1, out object? s) ? (string)s : "";
                    return Quantity.TryParse(text, out Quantity? q, out string? error)
                        ? q.ToString()
                        : throw new ApiCodecException($"protobuf: unable to parse quantity \"{text}\": {error}");
                }

            case JsonForm.IntOrString:
                {
                    Dictionary<int, object> f = ReadSimple(data, md);
                    long type = f.TryGetValue(1, out object? t) ? (long)(ulong)t : 0;
                    return type switch
                    {
                        0 => (JsonNode)(f.TryGetValue(2, out object? i) ? (int)(ulong)i : 0),
                        1 => f.TryGetValue(3, out object? s) ? (string)s : "",
                        _ => throw new ApiCodecException($"protobuf: IntOrString type {type} is neither 0 (int) nor 1 (string)"),
                    };
                }

            case JsonForm.RawJson:
                {
                    Dictionary<int, object> f = ReadSimple(data, md);
                    return f.TryGetValue(1, out object? raw) ? RawToJson((byte[])raw, depth) : null;
                }

            case JsonForm.GroupVersion:
                {
                    Dictionary<int, object> f = ReadSimple(data, md);
                    var gv = new GroupVersion(f.TryGetValue(1, out object? g) ? (string)g : "", f.TryGetValue(2, out object? v) ? (string)v : "");
                    return gv.ToString();
                }

            case JsonForm.StringArray:
                {
                    var array = new JsonArray();
                    var reader = new ProtoReader(data);
                    while (!reader.End)
                    {
                        (int number, WireType wire) = reader.ReadTag();
                        if (number == 1 && wire == WireType.LengthDelimited)
                        {
                            array.Add((JsonNode)Utf8(reader.ReadBytes()));
                        }
                        else
                        {
                            reader.Skip(wire);
                        }
                    }

                    return array;
                }

            case JsonForm.SchemaOrOther:
                return DecodeSchemaOrOther(data, md, depth);
            default:
                throw new ApiCodecException($"protobuf: {md.Name} has no JSON form");
        }
    }

    /// <summary>Decodes one message's fields and adds their JSON keys to <paramref name="target"/> in field order.</summary>
    public void DecodeObjectInto(JsonObject target, ReadOnlySpan<byte> data, MessageDescriptor md, int depth)
    {
        var values = new Dictionary<int, object>();
        var reader = new ProtoReader(data);
        while (!reader.End)
        {
            (int number, WireType wire) = reader.ReadTag();
            FieldDescriptor? field = md.FindByNumber(number);
            if (field is null)
            {
                reader.Skip(wire);
                continue;
            }

            ReadField(ref reader, wire, field, md, values, depth);
        }

        foreach (FieldDescriptor field in md.Fields)
        {
            values.TryGetValue(field.Number, out object? value);
            if (field.Inline)
            {
                MessageDescriptor inner = schema.GetMessage(field.MessageName!);
                DecodeObjectInto(target, value is byte[] b ? b : [], inner, depth + 1);
                continue;
            }

            if (field.JsonName is null)
            {
                continue;
            }

            (bool emit, JsonNode? node) = ToJson(field, value, depth);
            if (emit)
            {
                target[field.JsonName] = node;
            }
        }
    }

    private void ReadField(ref ProtoReader reader, WireType wire, FieldDescriptor field, MessageDescriptor md,
        Dictionary<int, object> values, int depth)
    {
        if (field.Kind == FieldKind.Map)
        {
            Expect(wire, WireType.LengthDelimited, field, md);
            var map = (JsonObject)(values.TryGetValue(field.Number, out object? m) ? m : values[field.Number] = new JsonObject());
            (string key, JsonNode? value) = ReadMapEntry(reader.ReadBytes(), field, md, depth);
            map[key] = value;
            return;
        }

        if (field.Repeated)
        {
            var list = (List<object>)(values.TryGetValue(field.Number, out object? l) ? l : values[field.Number] = new List<object>());
            if (field.Kind == FieldKind.Scalar && field.Scalar is not (ScalarType.String or ScalarType.Bytes) && wire == WireType.LengthDelimited)
            {
                var packed = new ProtoReader(reader.ReadBytes()); // proto2 writers do not pack, but readers must accept it
                while (!packed.End)
                {
                    list.Add(ReadScalarValue(ref packed, field.Scalar == ScalarType.Double ? WireType.Fixed64 : WireType.Varint, field, md));
                }

                return;
            }

            list.Add(field.Kind == FieldKind.Scalar ? ReadScalarValue(ref reader, wire, field, md) : ReadMessageBytes(ref reader, wire, field, md));
            return;
        }

        values[field.Number] = field.Kind == FieldKind.Scalar ? ReadScalarValue(ref reader, wire, field, md) : ReadMessageBytes(ref reader, wire, field, md);
    }

    private (string Key, JsonNode? Value) ReadMapEntry(ReadOnlySpan<byte> entry, FieldDescriptor field, MessageDescriptor md, int depth)
    {
        string key = "";
        object? value = null;
        var reader = new ProtoReader(entry);
        while (!reader.End)
        {
            (int number, WireType wire) = reader.ReadTag();
            if (number == 1)
            {
                Expect(wire, WireType.LengthDelimited, field, md);
                key = Utf8(reader.ReadBytes());
            }
            else if (number == 2)
            {
                value = field.MessageName is not null ? ReadMessageBytes(ref reader, wire, field, md) : ReadScalarValue(ref reader, wire, field, md);
            }
            else
            {
                reader.Skip(wire);
            }
        }

        if (field.MessageName is not null)
        {
            return (key, DecodeValue(value is byte[] b ? b : [], schema.GetMessage(field.MessageName), depth + 1));
        }

        return (key, ScalarToJson(field.Scalar, value ?? ZeroScalar(field.Scalar)));
    }

    /// <summary>Whether and how the field appears in Go's JSON output (see the class remarks).</summary>
    private (bool Emit, JsonNode? Node) ToJson(FieldDescriptor field, object? value, int depth)
    {
        if (field.Kind == FieldKind.Map)
        {
            return value is JsonObject map && map.Count > 0 ? (true, map) : (!field.OmitEmpty, null);
        }

        if (field.Repeated)
        {
            if (value is not List<object> { Count: > 0 } list)
            {
                return (!field.OmitEmpty, null);
            }

            var array = new JsonArray();
            foreach (object item in list)
            {
                array.Add(field.Kind == FieldKind.Scalar
                    ? ScalarToJson(field.Scalar, item)
                    : DecodeValue((byte[])item, schema.GetMessage(field.MessageName!), depth + 1));
            }

            return (true, array);
        }

        if (field.Kind == FieldKind.Message)
        {
            if (value is null && field.Pointer)
            {
                return (!field.OmitEmpty, null);
            }

            return (true, DecodeValue(value is byte[] b ? b : [], schema.GetMessage(field.MessageName!), depth + 1));
        }

        if (field.Scalar == ScalarType.Bytes)
        {
            return value is byte[] bytes && (bytes.Length > 0 || !field.OmitEmpty) ? (true, Convert.ToBase64String(bytes)) : (!field.OmitEmpty && value is null, null);
        }

        if (value is null)
        {
            return field.Pointer ? (!field.OmitEmpty, null) : field.OmitEmpty ? (false, null) : (true, ScalarToJson(field.Scalar, ZeroScalar(field.Scalar)));
        }

        if (!field.Pointer && field.OmitEmpty && IsZeroScalar(value))
        {
            return (false, null);
        }

        return (true, ScalarToJson(field.Scalar, value));
    }

    private JsonNode? DecodeSchemaOrOther(ReadOnlySpan<byte> data, MessageDescriptor md, int depth)
    {
        var values = new Dictionary<int, object>();
        var reader = new ProtoReader(data);
        while (!reader.End)
        {
            (int number, WireType wire) = reader.ReadTag();
            FieldDescriptor? field = md.FindByNumber(number);
            if (field is null)
            {
                reader.Skip(wire);
                continue;
            }

            ReadField(ref reader, wire, field, md, values, depth);
        }

        MessageDescriptor schemaProps = schema.GetMessage(md.FullName[..md.FullName.LastIndexOf('.')] + ".JSONSchemaProps");
        JsonNode? Schema(int number) => values.TryGetValue(number, out object? b) ? DecodeValue((byte[])b, schemaProps, depth + 1) : null;
        switch (md.Name)
        {
            case "JSONSchemaPropsOrBool":
                if (values.ContainsKey(2))
                {
                    return Schema(2);
                }

                return values.TryGetValue(1, out object? allows) && (ulong)allows != 0;
            case "JSONSchemaPropsOrArray":
                if (values.TryGetValue(2, out object? items) && items is List<object> { Count: > 0 } schemas)
                {
                    return new JsonArray(schemas.Select(s => DecodeValue((byte[])s, schemaProps, depth + 1)).ToArray());
                }

                return Schema(1);
            default: // JSONSchemaPropsOrStringArray
                if (values.TryGetValue(2, out object? props) && props is List<object> { Count: > 0 } names)
                {
                    return new JsonArray(names.Select(n => (JsonNode?)(string)n).ToArray());
                }

                return Schema(1);
        }
    }

    private static Dictionary<int, object> ReadSimple(ReadOnlySpan<byte> data, MessageDescriptor md)
    {
        var values = new Dictionary<int, object>();
        var reader = new ProtoReader(data);
        while (!reader.End)
        {
            (int number, WireType wire) = reader.ReadTag();
            FieldDescriptor? field = md.FindByNumber(number);
            if (field is null || field.Kind != FieldKind.Scalar)
            {
                reader.Skip(wire);
                continue;
            }

            values[number] = ReadScalarValue(ref reader, wire, field, md);
        }

        return values;
    }

    private JsonNode? RawToJson(byte[] raw, int depth)
    {
        if (raw.Length == 0)
        {
            return null;
        }

        if (raw.AsSpan().StartsWith(ProtobufCodec.Magic))
        {
            // An embedded object in protobuf (e.g. a watch event's object): decode it by its own envelope.
            return new ProtobufCodec(schema, maxDepth).DecodeEnvelope(raw, null, depth + 1).Object;
        }

        try
        {
            return JsonNode.Parse(raw);
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new ApiCodecException($"protobuf: embedded raw object is neither JSON nor protobuf: {e.Message}", e);
        }
    }

    private static object ReadScalarValue(ref ProtoReader reader, WireType wire, FieldDescriptor field, MessageDescriptor md)
    {
        ScalarType scalar = field.Scalar;
        switch (scalar)
        {
            case ScalarType.String:
                Expect(wire, WireType.LengthDelimited, field, md);
                return Utf8(reader.ReadBytes());
            case ScalarType.Bytes:
                Expect(wire, WireType.LengthDelimited, field, md);
                return reader.ReadBytes().ToArray();
            case ScalarType.Double:
                Expect(wire, WireType.Fixed64, field, md);
                return BitConverter.Int64BitsToDouble((long)reader.ReadFixed64());
            default:
                Expect(wire, WireType.Varint, field, md);
                return reader.ReadVarint();
        }
    }

    private static byte[] ReadMessageBytes(ref ProtoReader reader, WireType wire, FieldDescriptor field, MessageDescriptor md)
    {
        Expect(wire, WireType.LengthDelimited, field, md);
        return reader.ReadBytes().ToArray();
    }

    private static void Expect(WireType actual, WireType expected, FieldDescriptor field, MessageDescriptor md)
    {
        if (actual != expected)
        {
            throw new ApiCodecException($"protobuf: field {field.Name} (#{field.Number}) of {md.Name} has wire type {(int)actual}, expected {(int)expected}");
        }
    }

    private static object ZeroScalar(ScalarType scalar) => scalar switch
    {
        ScalarType.String => "",
        ScalarType.Bytes => Array.Empty<byte>(),
        ScalarType.Double => 0.0,
        _ => 0UL,
    };

    private static bool IsZeroScalar(object value) => value switch
    {
        string s => s.Length == 0,
        ulong u => u == 0,
        double d => d == 0,
        byte[] b => b.Length == 0,
        _ => false,
    };

    private static JsonNode? ScalarToJson(ScalarType scalar, object value) => scalar switch
    {
        ScalarType.String => (string)value,
        ScalarType.Bytes => Convert.ToBase64String((byte[])value),
        ScalarType.Bool => (ulong)value != 0,
        ScalarType.Int32 => (int)(ulong)value,
        ScalarType.Int64 => (long)(ulong)value,
        ScalarType.Double => (double)value,
        _ => throw new ApiCodecException($"protobuf: unsupported scalar {scalar}"),
    };

    private static string Utf8(ReadOnlySpan<byte> bytes) => Encoding.UTF8.GetString(bytes);
}
