using System.Text.Json;
using System.Text.Json.Nodes;
using Korvet.Api.Meta.V1;
using Korvet.Api.Resource;
using Korvet.Api.Schema;
using Korvet.Api.Serialization;

namespace Korvet.Api.Protobuf;

/// <summary>
/// JSON → protobuf bytes, driven by <see cref="ApiSchema"/> descriptors, byte-compatible with Go's generated
/// marshallers: fields in number order, non-pointer fields always written (zero values included), pointer fields
/// only when set, repeated fields unpacked, maps as key-sorted entries. Unknown JSON keys are ignored (field
/// validation is the API server's job); values of the wrong JSON type are errors naming the path.
/// </summary>
internal sealed class ProtobufEncoder(ApiSchema schema, int maxDepth)
{
    private readonly Dictionary<string, FieldDescriptor[]> _sortedFields = new(StringComparer.Ordinal);

    public void EncodeValue(ProtoWriter w, JsonNode? node, MessageDescriptor md, string path, int depth)
    {
        if (depth > maxDepth)
        {
            throw new ApiCodecException($"{path}: nesting deeper than {maxDepth}");
        }

        switch (md.JsonForm)
        {
            case JsonForm.Object:
                if (node is not null and not JsonObject)
                {
                    throw new ApiCodecException($"{path}: expected an object for {md.Name}, got {node.GetValueKind()}");
                }

                EncodeObject(w, node as JsonObject, md, path, depth);
                return;
            case JsonForm.Time:
            case JsonForm.MicroTime:
                {
                    string? text = OptionalString(node, path);
                    if (text is null)
                    {
                        return; // the zero time is an empty message
                    }

                    if (!Rfc3339.TryParse(text, out long seconds, out int nanos))
                    {
                        throw new ApiCodecException($"{path}: invalid RFC 3339 time \"{text}\"");
                    }

                    if (md.JsonForm == JsonForm.Time)
                    {
                        nanos = 0; // Time's JSON has whole seconds; Go keeps what it parsed, which the format rounds away
                    }

                    w.WriteTag(1, WireType.Varint);
                    w.WriteVarint((ulong)seconds);
                    w.WriteTag(2, WireType.Varint);
                    w.WriteVarint((ulong)(long)nanos);
                    return;
                }

            case JsonForm.Duration:
                {
                    string text = OptionalString(node, path) ?? "0s";
                    if (!Duration.TryParse(text, out Duration d))
                    {
                        throw new ApiCodecException($"{path}: invalid duration \"{text}\"");
                    }

                    w.WriteTag(1, WireType.Varint);
                    w.WriteVarint((ulong)d.Nanoseconds);
                    return;
                }

            case JsonForm.Quantity:
                {
                    string text = node is JsonValue v && v.GetValueKind() == JsonValueKind.Number ? v.ToJsonString() : OptionalString(node, path) ?? "0";
                    if (!Quantity.TryParse(text, out Quantity? q, out string? error))
                    {
                        throw new ApiCodecException($"{path}: invalid quantity \"{text}\": {error}");
                    }

                    w.WriteTag(1, WireType.LengthDelimited);
                    w.WriteString(q.ToString());
                    return;
                }

            case JsonForm.IntOrString:
                {
                    bool isString = node is JsonValue sv && sv.GetValueKind() == JsonValueKind.String;
                    int intValue = isString || node is null ? 0 : ReadInt32(node, path);
                    w.WriteTag(1, WireType.Varint);
                    w.WriteVarint(isString ? 1UL : 0UL);
                    w.WriteTag(2, WireType.Varint);
                    w.WriteVarint((ulong)(long)intValue);
                    w.WriteTag(3, WireType.LengthDelimited);
                    w.WriteString(isString ? node!.GetValue<string>() : "");
                    return;
                }

            case JsonForm.RawJson:
                if (node is not null)
                {
                    w.WriteTag(1, WireType.LengthDelimited);
                    w.WriteBytes(JsonSerializer.SerializeToUtf8Bytes(node, RawJsonContext.Default.JsonNode));
                }

                return;
            case JsonForm.GroupVersion:
                {
                    GroupVersion gv = GroupVersion.Parse(OptionalString(node, path) ?? "");
                    w.WriteTag(1, WireType.LengthDelimited);
                    w.WriteString(gv.Group);
                    w.WriteTag(2, WireType.LengthDelimited);
                    w.WriteString(gv.Version);
                    return;
                }

            case JsonForm.StringArray:
                foreach (string s in StringItems(node, path))
                {
                    w.WriteTag(1, WireType.LengthDelimited);
                    w.WriteString(s);
                }

                return;
            case JsonForm.SchemaOrOther:
                EncodeSchemaOrOther(w, node, md, path, depth);
                return;
            default:
                throw new ApiCodecException($"{path}: {md.Name} cannot be encoded from JSON");
        }
    }

    private void EncodeObject(ProtoWriter w, JsonObject? obj, MessageDescriptor md, string path, int depth)
    {
        foreach (FieldDescriptor field in SortedFields(md))
        {
            if (field.Inline)
            {
                MessageDescriptor inner = schema.GetMessage(field.MessageName!);
                WriteMessageField(w, field.Number, obj, inner, path, depth); // embedded structs are never pointers here
                continue;
            }

            if (field.JsonName is null)
            {
                continue;
            }

            JsonNode? value = obj?[field.JsonName];
            string fieldPath = path.Length == 0 ? field.JsonName : $"{path}.{field.JsonName}";
            if (field.Kind == FieldKind.Map)
            {
                EncodeMap(w, field, value, fieldPath, depth);
            }
            else if (field.Repeated)
            {
                if (value is null)
                {
                    continue;
                }

                if (value is not JsonArray array)
                {
                    throw new ApiCodecException($"{fieldPath}: expected an array, got {value.GetValueKind()}");
                }

                for (int i = 0; i < array.Count; i++)
                {
                    WriteSingle(w, field, array[i], $"{fieldPath}[{i}]", depth, always: true);
                }
            }
            else
            {
                WriteSingle(w, field, value, fieldPath, depth, always: !field.Pointer);
            }
        }
    }

    /// <summary>Writes one (non-map) value of a field; a null value is written as the zero value when
    /// <paramref name="always"/> (non-pointer Go fields) and skipped otherwise. Nil byte slices are never written.</summary>
    private void WriteSingle(ProtoWriter w, FieldDescriptor field, JsonNode? value, string path, int depth, bool always)
    {
        if (value is null && !always)
        {
            return;
        }

        if (field.Kind == FieldKind.Message)
        {
            WriteMessageField(w, field.Number, value, schema.GetMessage(field.MessageName!), path, depth);
            return;
        }

        if (field.Scalar == ScalarType.Bytes && value is null)
        {
            return;
        }

        WriteScalar(w, field.Number, field.Scalar, value, path);
    }

    private void WriteMessageField(ProtoWriter w, int number, JsonNode? value, MessageDescriptor md, string path, int depth)
    {
        var inner = new ProtoWriter();
        EncodeValue(inner, value, md, path, depth + 1);
        w.WriteTag(number, WireType.LengthDelimited);
        w.WriteBytes(inner.WrittenSpan);
    }

    private void EncodeMap(ProtoWriter w, FieldDescriptor field, JsonNode? value, string path, int depth)
    {
        if (value is null)
        {
            return;
        }

        if (value is not JsonObject map)
        {
            throw new ApiCodecException($"{path}: expected an object (map), got {value.GetValueKind()}");
        }

        var entry = new ProtoWriter();
        foreach (KeyValuePair<string, JsonNode?> kv in map.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            entry.Clear();
            entry.WriteTag(1, WireType.LengthDelimited);
            entry.WriteString(kv.Key);
            string entryPath = $"{path}[{kv.Key}]";
            if (field.MessageName is not null)
            {
                WriteMessageField(entry, 2, kv.Value, schema.GetMessage(field.MessageName), entryPath, depth);
            }
            else
            {
                WriteScalar(entry, 2, field.Scalar, kv.Value, entryPath);
            }

            w.WriteTag(field.Number, WireType.LengthDelimited);
            w.WriteBytes(entry.WrittenSpan);
        }
    }

    private static void WriteScalar(ProtoWriter w, int number, ScalarType scalar, JsonNode? value, string path)
    {
        switch (scalar)
        {
            case ScalarType.String:
                w.WriteTag(number, WireType.LengthDelimited);
                w.WriteString(OptionalString(value, path) ?? "");
                break;
            case ScalarType.Bytes:
                {
                    string b64 = OptionalString(value, path) ?? "";
                    byte[] bytes;
                    try
                    {
                        bytes = Convert.FromBase64String(b64);
                    }
                    catch (FormatException e)
                    {
                        throw new ApiCodecException($"{path}: illegal base64 data", e);
                    }

                    w.WriteTag(number, WireType.LengthDelimited);
                    w.WriteBytes(bytes);
                    break;
                }

            case ScalarType.Bool:
                {
                    bool b = value is null ? false
                        : value.GetValueKind() switch
                        {
                            JsonValueKind.True => true,
                            JsonValueKind.False => false,
                            _ => throw new ApiCodecException($"{path}: expected a boolean, got {value.GetValueKind()}"),
                        };
                    w.WriteTag(number, WireType.Varint);
                    w.WriteVarint(b ? 1UL : 0UL);
                    break;
                }

            case ScalarType.Int32:
                w.WriteTag(number, WireType.Varint);
                w.WriteVarint((ulong)(long)(value is null ? 0 : ReadInt32(value, path)));
                break;
            case ScalarType.Int64:
                w.WriteTag(number, WireType.Varint);
                w.WriteVarint((ulong)(value is null ? 0 : ReadInt64(value, path)));
                break;
            case ScalarType.Double:
                {
                    double d = value is null ? 0
                        : value is JsonValue v && v.GetValueKind() == JsonValueKind.Number
                            ? double.Parse(v.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture)
                        : throw new ApiCodecException($"{path}: expected a number, got {value.GetValueKind()}");
                    w.WriteTag(number, WireType.Fixed64);
                    w.WriteFixed64((ulong)BitConverter.DoubleToInt64Bits(d));
                    break;
                }

            default:
                throw new ApiCodecException($"{path}: unsupported scalar {scalar}");
        }
    }

    private void EncodeSchemaOrOther(ProtoWriter w, JsonNode? node, MessageDescriptor md, string path, int depth)
    {
        MessageDescriptor schemaProps = schema.GetMessage(md.FullName[..md.FullName.LastIndexOf('.')] + ".JSONSchemaProps");
        switch (md.Name)
        {
            case "JSONSchemaPropsOrBool":
                // Go: {"...schema..."} → Allows=true + Schema; true/false → Allows only. Allows (#1) is always written.
                bool allows = node is null || node.GetValueKind() != JsonValueKind.False;
                if (node is not null and not JsonObject && node.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False))
                {
                    throw new ApiCodecException($"{path}: expected a schema object or a boolean");
                }

                w.WriteTag(1, WireType.Varint);
                w.WriteVarint(allows && node is not null ? 1UL : 0UL);
                if (node is JsonObject)
                {
                    WriteMessageField(w, 2, node, schemaProps, path, depth);
                }

                return;
            case "JSONSchemaPropsOrArray":
                if (node is JsonArray items)
                {
                    for (int i = 0; i < items.Count; i++)
                    {
                        WriteMessageField(w, 2, items[i], schemaProps, $"{path}[{i}]", depth);
                    }
                }
                else if (node is JsonObject)
                {
                    WriteMessageField(w, 1, node, schemaProps, path, depth);
                }
                else if (node is not null)
                {
                    throw new ApiCodecException($"{path}: expected a schema object or an array of schemas");
                }

                return;
            default: // JSONSchemaPropsOrStringArray
                if (node is JsonArray)
                {
                    foreach (string s in StringItems(node, path))
                    {
                        w.WriteTag(2, WireType.LengthDelimited);
                        w.WriteString(s);
                    }
                }
                else if (node is JsonObject)
                {
                    WriteMessageField(w, 1, node, schemaProps, path, depth);
                }
                else if (node is not null)
                {
                    throw new ApiCodecException($"{path}: expected a schema object or an array of strings");
                }

                return;
        }
    }

    private FieldDescriptor[] SortedFields(MessageDescriptor md)
    {
        lock (_sortedFields)
        {
            if (!_sortedFields.TryGetValue(md.FullName, out FieldDescriptor[]? fields))
            {
                fields = md.Fields.OrderBy(f => f.Number).ToArray();
                _sortedFields[md.FullName] = fields;
            }

            return fields;
        }
    }

    private static IEnumerable<string> StringItems(JsonNode? node, string path)
    {
        if (node is null)
        {
            yield break;
        }

        if (node is not JsonArray array)
        {
            throw new ApiCodecException($"{path}: expected an array of strings, got {node.GetValueKind()}");
        }

        for (int i = 0; i < array.Count; i++)
        {
            yield return OptionalString(array[i], $"{path}[{i}]") ?? "";
        }
    }

    private static string? OptionalString(JsonNode? node, string path) =>
        node is null ? null
        : node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>()
        : throw new ApiCodecException($"{path}: expected a string, got {node.GetValueKind()}");

    private static int ReadInt32(JsonNode node, string path)
    {
        long v = ReadInt64(node, path);
        return v is >= int.MinValue and <= int.MaxValue ? (int)v : throw new ApiCodecException($"{path}: {v} overflows a 32-bit integer");
    }

    private static long ReadInt64(JsonNode node, string path)
    {
        if (node is JsonValue v && v.GetValueKind() == JsonValueKind.Number)
        {
            string text = v.ToJsonString();
            if (long.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out long l))
            {
                return l;
            }

            // Go's decoder accepts e.g. 1e3 for an integer field only if it is integral; so do we.
            if (double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double d)
                && Math.Floor(d) == d && d is >= long.MinValue and <= long.MaxValue)
            {
                return (long)d;
            }

            throw new ApiCodecException($"{path}: {v.ToJsonString()} is not an integer");
        }

        throw new ApiCodecException($"{path}: expected an integer, got {node.GetValueKind()}");
    }
}
