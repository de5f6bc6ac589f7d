using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Korvet.Api.Generated;

namespace Korvet.Api.Serialization;

/// <summary>
/// JSON for the typed API classes through the source-generated <see cref="KubernetesJsonContext"/>, with malformed
/// input reported as <see cref="ApiCodecException"/> (path and reason) instead of the serializer's exceptions.
/// </summary>
public static class ApiJson
{
    /// <summary>Metadata for <paramref name="type"/>; throws when the type is not an API class.</summary>
    public static JsonTypeInfo TypeInfo(Type type) =>
        KubernetesJsonContext.Default.GetTypeInfo(type) ?? throw new ArgumentException($"{type} is not a typed API class", nameof(type));

    public static T Deserialize<T>(ReadOnlySpan<byte> utf8)
        where T : class => (T)Deserialize(utf8, typeof(T));

    public static object Deserialize(ReadOnlySpan<byte> utf8, Type type) => Deserialize(utf8, TypeInfo(type));

    /// <summary>Decodes with given metadata (e.g. of a context with other options); errors as for the other overloads.</summary>
    public static object Deserialize(ReadOnlySpan<byte> utf8, JsonTypeInfo info)
    {
        try
        {
            return JsonSerializer.Deserialize(utf8, info) ?? throw new ApiCodecException("json: the body is null");
        }
        catch (JsonException e)
        {
            throw new ApiCodecException($"json: {e.Message}", e);
        }
    }

    /// <summary>The typed object for a JSON node (e.g. from YAML or protobuf).</summary>
    public static object Deserialize(JsonNode node, Type type)
    {
        try
        {
            return node.Deserialize(TypeInfo(type)) ?? throw new ApiCodecException("json: the body is null");
        }
        catch (JsonException e)
        {
            throw new ApiCodecException($"json: {e.Message}", e);
        }
    }

    /// <summary>The typed object for an apiVersion/kind (<see cref="ApiTypes.Find"/>).</summary>
    public static object Deserialize(ReadOnlySpan<byte> utf8, string apiVersion, string kind) =>
        Deserialize(utf8, ApiTypes.Find(apiVersion, kind) ?? throw new ApiCodecException($"no type is registered for apiVersion \"{apiVersion}\", kind \"{kind}\""));

    public static byte[] SerializeToUtf8Bytes(object value) => JsonSerializer.SerializeToUtf8Bytes(value, TypeInfo(value.GetType()));

    /// <summary>A node as compact UTF-8 JSON, without the reflection-based serializer (Native AOT safe);
    /// <paramref name="encoder"/> chooses the escaping (default: the serializer's HTML-safe one).</summary>
    public static byte[] SerializeToUtf8Bytes(JsonNode node, System.Text.Encodings.Web.JavaScriptEncoder? encoder = null)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = encoder }))
        {
            node.WriteTo(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }

    public static JsonObject SerializeToObject(object value) =>
        JsonSerializer.SerializeToNode(value, TypeInfo(value.GetType())) as JsonObject ?? throw new ArgumentException("not an object type", nameof(value));

    /// <summary>Parses a JSON object body (no type), reporting malformed JSON as <see cref="ApiCodecException"/>.</summary>
    public static JsonObject ParseObject(ReadOnlySpan<byte> utf8)
    {
        try
        {
            var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = 100 });
            JsonObject obj = JsonNode.Parse(ref reader) as JsonObject ?? throw new ApiCodecException("json: expected an object");
            if (reader.Read())
            {
                throw new ApiCodecException("json: unexpected data after the top-level object");
            }

            return obj;
        }
        catch (JsonException e)
        {
            throw new ApiCodecException($"json: {e.Message}", e);
        }
    }
}
