using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Korvet.Api.Serialization;

/// <summary>Source-generated metadata for serializing free-form JSON nodes (raw extensions, YAML conversion).</summary>
[JsonSerializable(typeof(JsonNode))]
[JsonSerializable(typeof(JsonObject))]
internal sealed partial class RawJsonContext : JsonSerializerContext;
