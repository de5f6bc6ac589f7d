using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Korvet.Api.IntStr;

/// <summary>intstr.IntOrString: a 32-bit integer or a string (e.g. a port number or name, "25%").</summary>
[JsonConverter(typeof(IntOrStringJsonConverter))]
public sealed record IntOrString
{
    private IntOrString(bool isInt, int intValue, string stringValue)
    {
        IsInt = isInt;
        IntValue = intValue;
        StringValue = stringValue;
    }

    public bool IsInt { get; }

    /// <summary>The integer; 0 for a string value.</summary>
    public int IntValue { get; }

    /// <summary>The string; "" for an integer value.</summary>
    public string StringValue { get; }

    public static IntOrString FromInt(int value) => new(true, value, "");

    public static IntOrString FromString(string value) => new(false, 0, value);

    public static implicit operator IntOrString(int value) => FromInt(value);

    public static implicit operator IntOrString(string value) => FromString(value);

    public override string ToString() => IsInt ? IntValue.ToString(CultureInfo.InvariantCulture) : StringValue;
}

public sealed class IntOrStringJsonConverter : JsonConverter<IntOrString>
{
    public override IntOrString? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType switch
        {
            JsonTokenType.Null => null,
            JsonTokenType.String => IntOrString.FromString(reader.GetString()!),
            JsonTokenType.Number when reader.TryGetInt32(out int i) => IntOrString.FromInt(i),
            _ => throw new JsonException("an int-or-string must be a 32-bit integer or a string"),
        };

    public override void Write(Utf8JsonWriter writer, IntOrString value, JsonSerializerOptions options)
    {
        if (value.IsInt)
        {
            writer.WriteNumberValue(value.IntValue);
        }
        else
        {
            writer.WriteStringValue(value.StringValue);
        }
    }
}
