using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Korvet.Api.Runtime;

namespace Korvet.Api.ApiExtensions.V1;

/// <summary>apiextensions/v1 JSON: any JSON value (e.g. a schema's <c>default</c> or <c>enum</c> entries).</summary>
[JsonConverter(typeof(JsonValueJsonConverter))]
public sealed class JSON(JsonNode? raw) : IRawJson
{
    public JsonNode? Raw { get; } = raw;
}

public sealed class JsonValueJsonConverter : RawJsonConverter<JSON>
{
    protected override JSON Create(JsonNode? raw) => new(raw);
}

/// <summary>A schema, or else an array of schemas (<c>items</c>).</summary>
[JsonConverter(typeof(JSONSchemaPropsOrArrayJsonConverter))]
public sealed class JSONSchemaPropsOrArray
{
    public JSONSchemaProps? Schema { get; set; }

    public List<JSONSchemaProps>? JSONSchemas { get; set; }
}

/// <summary>A schema, or else a boolean (<c>additionalProperties</c>, <c>additionalItems</c>).</summary>
[JsonConverter(typeof(JSONSchemaPropsOrBoolJsonConverter))]
public sealed class JSONSchemaPropsOrBool
{
    public bool Allows { get; set; }

    public JSONSchemaProps? Schema { get; set; }
}

/// <summary>A schema, or else an array of property names (<c>dependencies</c> values).</summary>
[JsonConverter(typeof(JSONSchemaPropsOrStringArrayJsonConverter))]
public sealed class JSONSchemaPropsOrStringArray
{
    public JSONSchemaProps? Schema { get; set; }

    public List<string>? Property { get; set; }
}

internal static class SchemaJson
{
    public static JsonTypeInfo<JSONSchemaProps> Info(JsonSerializerOptions options) =>
        (JsonTypeInfo<JSONSchemaProps>)options.GetTypeInfo(typeof(JSONSchemaProps));

    public static JSONSchemaProps Read(ref Utf8JsonReader reader, JsonSerializerOptions options) =>
        JsonSerializer.Deserialize(ref reader, Info(options)) ?? throw new JsonException("schema must not be null");
}

public sealed class JSONSchemaPropsOrArrayJsonConverter : JsonConverter<JSONSchemaPropsOrArray>
{
    public override JSONSchemaPropsOrArray? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.StartObject:
                return new JSONSchemaPropsOrArray { Schema = SchemaJson.Read(ref reader, options) };
            case JsonTokenType.StartArray:
                var list = new List<JSONSchemaProps>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    list.Add(SchemaJson.Read(ref reader, options));
                }

                return new JSONSchemaPropsOrArray { JSONSchemas = list };
            default:
                throw new JsonException("items must be a schema object or an array of schemas");
        }
    }

    public override void Write(Utf8JsonWriter writer, JSONSchemaPropsOrArray value, JsonSerializerOptions options)
    {
        if (value.JSONSchemas is { Count: > 0 } list)
        {
            writer.WriteStartArray();
            foreach (JSONSchemaProps s in list)
            {
                JsonSerializer.Serialize(writer, s, SchemaJson.Info(options));
            }

            writer.WriteEndArray();
        }
        else if (value.Schema is not null)
        {
            JsonSerializer.Serialize(writer, value.Schema, SchemaJson.Info(options));
        }
        else
        {
            writer.WriteNullValue();
        }
    }
}

public sealed class JSONSchemaPropsOrBoolJsonConverter : JsonConverter<JSONSchemaPropsOrBool>
{
    public override JSONSchemaPropsOrBool? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType switch
        {
            JsonTokenType.Null => null,
            JsonTokenType.True => new JSONSchemaPropsOrBool { Allows = true },
            JsonTokenType.False => new JSONSchemaPropsOrBool { Allows = false },
            JsonTokenType.StartObject => new JSONSchemaPropsOrBool { Allows = true, Schema = SchemaJson.Read(ref reader, options) },
            _ => throw new JsonException("expected a schema object or a boolean"),
        };

    public override void Write(Utf8JsonWriter writer, JSONSchemaPropsOrBool value, JsonSerializerOptions options)
    {
        if (value.Schema is not null)
        {
            JsonSerializer.Serialize(writer, value.Schema, SchemaJson.Info(options));
        }
        else
        {
            writer.WriteBooleanValue(value.Allows);
        }
    }
}

public sealed class JSONSchemaPropsOrStringArrayJsonConverter : JsonConverter<JSONSchemaPropsOrStringArray>
{
    public override JSONSchemaPropsOrStringArray? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.StartObject:
                return new JSONSchemaPropsOrStringArray { Schema = SchemaJson.Read(ref reader, options) };
            case JsonTokenType.StartArray:
                var list = new List<string>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    list.Add(reader.TokenType == JsonTokenType.String ? reader.GetString()! : throw new JsonException("expected a string"));
                }

                return new JSONSchemaPropsOrStringArray { Property = list };
            default:
                throw new JsonException("expected a schema object or an array of strings");
        }
    }

    public override void Write(Utf8JsonWriter writer, JSONSchemaPropsOrStringArray value, JsonSerializerOptions options)
    {
        if (value.Property is { Count: > 0 } list)
        {
            writer.WriteStartArray();
            foreach (string s in list)
            {
                writer.WriteStringValue(s);
            }

            writer.WriteEndArray();
        }
        else if (value.Schema is not null)
        {
            JsonSerializer.Serialize(writer, value.Schema, SchemaJson.Info(options));
        }
        else
        {
            writer.WriteNullValue();
        }
    }
}
