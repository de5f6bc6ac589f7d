using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Korvet.Api.Runtime;

namespace Korvet.Api.Meta.V1;

/// <summary>meta/v1 FieldsV1: the managed-fields set of server-side apply, kept as its JSON.</summary>
[JsonConverter(typeof(FieldsV1JsonConverter))]
public sealed class FieldsV1(JsonNode? raw) : IRawJson
{
    public JsonNode? Raw { get; } = raw;
}

public sealed class FieldsV1JsonConverter : RawJsonConverter<FieldsV1>
{
    protected override FieldsV1 Create(JsonNode? raw) => new(raw);
}
