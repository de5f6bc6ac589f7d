using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Korvet.Api.Serialization;

namespace Korvet.Client;

/// <summary>
/// How one <see cref="KubernetesClient"/> decodes responses: the generated metadata (same options as
/// <see cref="ApiJson"/>) plus a string converter that reads every string value and map key through the client's
/// <see cref="StringPool"/>. Informer caches hold thousands of objects whose labels, namespaces, images, owner names,
/// condition types and the like repeat; decoding them through one pool keeps one instance of each. Thread-safe.
/// </summary>
internal sealed class ClientCodec
{
    private readonly KubernetesJsonContext _context;
    private readonly ConcurrentDictionary<Type, JsonTypeInfo> _infos = new();

    public ClientCodec(StringPool strings)
    {
        var options = new JsonSerializerOptions
        {
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            MaxDepth = 256,
            Converters = { new PooledStringConverter(strings) },
        };
        _context = new KubernetesJsonContext(options);
    }

    public JsonTypeInfo<T> TypeInfo<T>() => (JsonTypeInfo<T>)TypeInfo(typeof(T));

    public JsonTypeInfo TypeInfo(Type type) =>
        _infos.GetOrAdd(type, t => _context.GetTypeInfo(t) ?? throw new ArgumentException($"{t} is not a typed API class", nameof(type)));

    /// <summary>Decodes <paramref name="utf8"/> as <paramref name="type"/>; malformed input is an <see cref="ApiCodecException"/>.</summary>
    public object Deserialize(ReadOnlySpan<byte> utf8, Type type) => ApiJson.Deserialize(utf8, TypeInfo(type));

    public T Deserialize<T>(ReadOnlySpan<byte> utf8)
        where T : class => (T)Deserialize(utf8, typeof(T));

    /// <summary>Strings (values and map keys) through the pool; unescaped ASCII is looked up without allocating.</summary>
    private sealed class PooledStringConverter(StringPool strings) : JsonConverter<string>
    {
        public override string Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType != JsonTokenType.String)
            {
                throw new JsonException($"cannot unmarshal {reader.TokenType} into a string");
            }

            return ReadText(ref reader);
        }

        public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);

        public override string ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            ReadText(ref reader);

        public override void WriteAsPropertyName(Utf8JsonWriter writer, string value, JsonSerializerOptions options) =>
            writer.WritePropertyName(value);

        private string ReadText(ref Utf8JsonReader reader) =>
            reader.HasValueSequence || reader.ValueIsEscaped ? strings.Get(reader.GetString()!) : strings.Get(reader.ValueSpan);
    }
}
