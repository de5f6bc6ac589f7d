using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Korvet.Api.Runtime;

/// <summary>A value whose JSON form is arbitrary embedded JSON (upstream keeps the raw bytes).</summary>
public interface IRawJson
{
    JsonNode? Raw { get; }
}

/// <summary>Reads/writes an <see cref="IRawJson"/> type as the embedded JSON itself.</summary>
public abstract class RawJsonConverter<T> : JsonConverter<T>
    where T : class, IRawJson
{
    protected abstract T Create(JsonNode? raw);

    public override T? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.Null ? null : Create(JsonNode.Parse(ref reader));

    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options)
    {
        if (value.Raw is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            value.Raw.WriteTo(writer);
        }
    }
}

/// <summary>runtime.RawExtension: an embedded object of any kind, kept as JSON.</summary>
[JsonConverter(typeof(RawExtensionJsonConverter))]
public sealed class RawExtension(JsonNode? raw) : IRawJson
{
    public JsonNode? Raw { get; } = raw;
}

public sealed class RawExtensionJsonConverter : RawJsonConverter<RawExtension>
{
    protected override RawExtension Create(JsonNode? raw) => new(raw);
}
