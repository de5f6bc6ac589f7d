using System.Text.Json;
using System.Text.Json.Serialization;

namespace Korvet.Api.Meta.V1;

/// <summary>meta/v1 GroupVersion: written as "group/version", or just "version" for the core group.</summary>
[JsonConverter(typeof(GroupVersionJsonConverter))]
public sealed record GroupVersion(string Group, string Version)
{
    public static GroupVersion Parse(string text)
    {
        int slash = text.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? new GroupVersion("", text) : new GroupVersion(text[..slash], text[(slash + 1)..]);
    }

    public override string ToString() => Group.Length == 0 ? Version : $"{Group}/{Version}";
}

public sealed class GroupVersionJsonConverter : JsonConverter<GroupVersion>
{
    public override GroupVersion? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType switch
        {
            JsonTokenType.Null => null,
            JsonTokenType.String => GroupVersion.Parse(reader.GetString()!),
            _ => throw new JsonException("a group version must be a string"),
        };

    public override void Write(Utf8JsonWriter writer, GroupVersion value, JsonSerializerOptions options) => writer.WriteStringValue(value.ToString());
}
