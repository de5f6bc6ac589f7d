using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Korvet.ApiServer.Storage;

/// <summary>Byte-level helpers over serialized objects, so hot paths never parse and re-serialize a whole object.</summary>
public static class ObjectBytes
{
    private static readonly byte[] MetadataName = "metadata"u8.ToArray();

    /// <summary>
    /// Returns <paramref name="stored"/> with <c>"resourceVersion":"N"</c> inserted as the first member of the top-level
    /// <c>metadata</c> object (adding <c>"metadata":{...}</c> when absent). <paramref name="resourceVersion"/> &lt;= 0
    /// returns the input unchanged.
    /// </summary>
    public static byte[] WithResourceVersion(byte[] stored, long resourceVersion) =>
        SpliceResourceVersion(stored, resourceVersion).Json;

    /// <summary>
    /// <see cref="WithResourceVersion"/>, also saying where the inserted bytes are, so that cutting
    /// <c>[At, At + Length)</c> out of the result gives <paramref name="stored"/> back (Length 0: nothing inserted).
    /// </summary>
    public static (byte[] Json, int At, int Length) SpliceResourceVersion(byte[] stored, long resourceVersion)
    {
        if (resourceVersion <= 0)
        {
            return (stored, 0, 0);
        }

        string insert = "\"resourceVersion\":\"" + resourceVersion.ToString(CultureInfo.InvariantCulture) + "\"";
        var reader = new Utf8JsonReader(stored);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new FormatException("stored object is not a JSON object");
        }

        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.EndObject && reader.CurrentDepth == 0)
            {
                // No metadata at all: append one before the closing brace.
                int end = (int)reader.TokenStartIndex;
                bool empty = end == 1;
                return Splice(stored, end, (empty ? "" : ",") + "\"metadata\":{" + insert + "}");
            }

            if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1)
            {
                bool isMetadata = reader.ValueTextEquals(MetadataName);
                reader.Read();
                if (isMetadata && reader.TokenType == JsonTokenType.StartObject)
                {
                    int afterBrace = (int)reader.TokenStartIndex + 1;
                    reader.Read();
                    bool emptyMeta = reader.TokenType == JsonTokenType.EndObject;
                    return Splice(stored, afterBrace, emptyMeta ? insert : insert + ",");
                }

                reader.Skip();
            }
        }

        throw new FormatException("stored object is truncated");
    }

    private static (byte[] Json, int At, int Length) Splice(byte[] source, int at, string text)
    {
        int extra = Encoding.UTF8.GetByteCount(text);
        byte[] result = new byte[source.Length + extra];
        source.AsSpan(0, at).CopyTo(result);
        Encoding.UTF8.GetBytes(text, result.AsSpan(at));
        source.AsSpan(at).CopyTo(result.AsSpan(at + extra));
        return (result, at, extra);
    }

    /// <summary>Writes a JSON value already serialized (one of <see cref="StoredObject.Json"/>) into a writer.</summary>
    public static void WriteRaw(Utf8JsonWriter writer, byte[] json) => writer.WriteRawValue(json, skipInputValidation: true);

    /// <summary>Serializes a node to UTF-8 bytes without indentation.</summary>
    public static byte[] Serialize(System.Text.Json.Nodes.JsonNode node)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            node.WriteTo(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }
}
