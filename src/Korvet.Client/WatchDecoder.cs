using System.Net;
using System.Text.Json;
using Korvet.Api;
using Korvet.Api.Meta.V1;
using Korvet.Api.Serialization;

namespace Korvet.Client;

/// <summary>
/// Decodes one watch line <c>{"type":..,"object":{..}}</c> straight into the typed object with the source-generated
/// metadata: one pass of <see cref="Utf8JsonReader"/> to find the members, then one typed deserialize of the object
/// slice (no JsonNode, no reflection).
/// </summary>
internal static class WatchDecoder
{
    public static WatchEvent<T>? Decode<T>(ReadOnlySpan<byte> line, ClientCodec codec)
        where T : class, IKubernetesObject
    {
        string? type = null;
        ReadOnlySpan<byte> obj = default;
        try
        {
            var reader = new Utf8JsonReader(line, new JsonReaderOptions { MaxDepth = 100 });
            if (!reader.Read())
            {
                return null; // blank line
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw new ApiCodecException("watch: an event is not a JSON object");
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("type"u8))
                {
                    reader.Read();
                    type = reader.GetString();
                }
                else if (reader.ValueTextEquals("object"u8))
                {
                    reader.Read();
                    int start = (int)reader.TokenStartIndex;
                    reader.Skip();
                    obj = line[start..(int)reader.BytesConsumed];
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
        }
        catch (JsonException e)
        {
            throw new ApiCodecException($"watch: {e.Message}", e);
        }

        if (obj.IsEmpty)
        {
            throw new ApiCodecException("watch: an event has no object");
        }

        WatchEventType eventType = type switch
        {
            "ADDED" => WatchEventType.Added,
            "MODIFIED" => WatchEventType.Modified,
            "DELETED" => WatchEventType.Deleted,
            "BOOKMARK" => WatchEventType.Bookmark,
            "ERROR" => throw ErrorEvent(obj, codec),
            _ => throw new ApiCodecException($"watch: unknown event type \"{type}\""),
        };
        return new WatchEvent<T>(eventType, codec.Deserialize<T>(obj));
    }

    private static ApiException ErrorEvent(ReadOnlySpan<byte> obj, ClientCodec codec)
    {
        Status status = codec.Deserialize<Status>(obj);
        return new ApiException((HttpStatusCode)(status.Code ?? 500), status);
    }
}
