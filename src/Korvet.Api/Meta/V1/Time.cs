using System.Text.Json;
using System.Text.Json.Serialization;

namespace Korvet.Api.Meta.V1;

/// <summary>meta/v1 Time: an instant written as RFC 3339 UTC with whole seconds (Go drops the fraction in JSON).</summary>
[JsonConverter(typeof(TimeJsonConverter))]
public sealed record Time(DateTimeOffset Value)
{
    public static Time Parse(string text) =>
        Rfc3339.TryParse(text, out long s, out int n) ? new Time(Rfc3339.FromUnix(s, n)) : throw new FormatException($"invalid RFC 3339 time \"{text}\"");

    public override string ToString()
    {
        (long s, _) = Rfc3339.ToUnix(Value);
        return Rfc3339.Format(s, 0, 0);
    }
}

/// <summary>meta/v1 MicroTime: an instant written as RFC 3339 UTC with exactly 6 fractional digits.</summary>
[JsonConverter(typeof(MicroTimeJsonConverter))]
public sealed record MicroTime(DateTimeOffset Value)
{
    public static MicroTime Parse(string text) =>
        Rfc3339.TryParse(text, out long s, out int n) ? new MicroTime(Rfc3339.FromUnix(s, n)) : throw new FormatException($"invalid RFC 3339 time \"{text}\"");

    public override string ToString()
    {
        (long s, int n) = Rfc3339.ToUnix(Value);
        return Rfc3339.Format(s, n, 6);
    }
}

public sealed class TimeJsonConverter : JsonConverter<Time>
{
    public override Time? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType switch
        {
            JsonTokenType.Null => null,
            JsonTokenType.String => Parse(reader.GetString()!),
            _ => throw new JsonException("a time must be an RFC 3339 string"),
        };

    public override void Write(Utf8JsonWriter writer, Time value, JsonSerializerOptions options) => writer.WriteStringValue(value.ToString());

    private static Time Parse(string s) =>
        Rfc3339.TryParse(s, out long sec, out int n) ? new Time(Rfc3339.FromUnix(sec, n)) : throw new JsonException($"invalid RFC 3339 time \"{s}\"");
}

public sealed class MicroTimeJsonConverter : JsonConverter<MicroTime>
{
    public override MicroTime? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType switch
        {
            JsonTokenType.Null => null,
            JsonTokenType.String => Parse(reader.GetString()!),
            _ => throw new JsonException("a time must be an RFC 3339 string"),
        };

    public override void Write(Utf8JsonWriter writer, MicroTime value, JsonSerializerOptions options) => writer.WriteStringValue(value.ToString());

    private static MicroTime Parse(string s) =>
        Rfc3339.TryParse(s, out long sec, out int n) ? new MicroTime(Rfc3339.FromUnix(sec, n)) : throw new JsonException($"invalid RFC 3339 time \"{s}\"");
}
