using System.Text.Json;
using Korvet.Api.Schema;

namespace Korvet.ApiServer.OpenApi;

/// <summary>
/// Writes one message's OpenAPI schema from its descriptor: the shape upstream's openapi-gen produces (properties
/// sorted by name, inline fields flattened, <c>required</c> from markers and json tags, enums, the list/map/patch
/// extensions kubectl reads for strategic merge patches, and <c>x-kubernetes-group-version-kind</c> on kinds).
/// Custom JSON forms (Time, Quantity, IntOrString, ...) get the scalar schemas upstream declares for them.
/// Stateless apart from its immutable inputs.
/// </summary>
internal sealed class SchemaWriter(SchemaCatalog catalog, bool v3)
{
    private readonly string _refPrefix = v3 ? "#/components/schemas/" : "#/definitions/";

    public string Ref(string messageFullName) => _refPrefix + SchemaNames.FromProto(messageFullName);

    public string RefByName(string schemaName) => _refPrefix + schemaName;

    public void WriteDefinition(Utf8JsonWriter w, MessageDescriptor message)
    {
        w.WriteStartObject();
        switch (message.JsonForm)
        {
            case JsonForm.Object:
                WriteObjectBody(w, message);
                break;
            case JsonForm.Time or JsonForm.MicroTime:
                w.WriteString("format", "date-time");
                w.WriteString("type", "string");
                break;
            case JsonForm.IntOrString:
                w.WriteString("format", "int-or-string");
                WriteTypeOrOneOf(w, "string", "integer", "string");
                w.WriteBoolean("x-kubernetes-int-or-string", true);
                break;
            case JsonForm.Quantity:
                WriteTypeOrOneOf(w, "string", "string", "number");
                break;
            case JsonForm.Duration or JsonForm.GroupVersion:
                w.WriteString("type", "string");
                break;
            case JsonForm.StringArray:
                w.WriteStartObject("items");
                w.WriteString("type", "string");
                w.WriteEndObject();
                w.WriteString("type", "array");
                break;
            case JsonForm.RawJson when message.Package.Contains("apiextensions", StringComparison.Ordinal):
            case JsonForm.SchemaOrOther:
                // Any JSON value: upstream declares no type.
                break;
            default:
                w.WriteString("type", "object");
                break;
        }

        w.WriteEndObject();
    }

    private void WriteObjectBody(Utf8JsonWriter w, MessageDescriptor message)
    {
        var properties = new SortedDictionary<string, FieldDescriptor>(StringComparer.Ordinal);
        var required = new List<string>();
        CollectFields(message, properties, required, 0);

        w.WriteStartObject("properties");
        if (message.EmbedsTypeMeta)
        {
            WriteStringProperty(w, "apiVersion");
            WriteStringProperty(w, "kind");
        }

        foreach ((string name, FieldDescriptor field) in properties)
        {
            if (message.EmbedsTypeMeta && name is "apiVersion" or "kind")
            {
                continue;
            }

            w.WritePropertyName(name);
            WriteProperty(w, field);
        }

        w.WriteEndObject();
        if (required.Count > 0)
        {
            w.WriteStartArray("required");
            foreach (string name in required)
            {
                w.WriteStringValue(name);
            }

            w.WriteEndArray();
        }

        w.WriteString("type", "object");
        IReadOnlyList<GroupVersionKind> gvks = catalog.GvksOf(message.FullName);
        if (gvks.Count > 0)
        {
            w.WriteStartArray("x-kubernetes-group-version-kind");
            foreach (GroupVersionKind gvk in gvks)
            {
                WriteGvk(w, gvk);
            }

            w.WriteEndArray();
        }

        if (message.StructType is "atomic")
        {
            w.WriteString("x-kubernetes-map-type", "atomic");
        }
    }

    /// <summary>v2 names one type; v3 lists the alternatives (upstream's OpenAPIV3OneOfTypes), which is also what makes
    /// kubectl explain print the type's name (IntOrString, Quantity) rather than "string".</summary>
    private void WriteTypeOrOneOf(Utf8JsonWriter w, string v2Type, params string[] v3Types)
    {
        if (!v3)
        {
            w.WriteString("type", v2Type);
            return;
        }

        w.WriteStartArray("oneOf");
        foreach (string type in v3Types)
        {
            w.WriteStartObject();
            w.WriteString("type", type);
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    public static void WriteGvk(Utf8JsonWriter w, GroupVersionKind gvk)
    {
        w.WriteStartObject();
        w.WriteString("group", gvk.Group);
        w.WriteString("kind", gvk.Kind);
        w.WriteString("version", gvk.Version);
        w.WriteEndObject();
    }

    private static void WriteStringProperty(Utf8JsonWriter w, string name)
    {
        w.WriteStartObject(name);
        w.WriteString("type", "string");
        w.WriteEndObject();
    }

    /// <summary>Gathers JSON-visible fields, flattening inline (embedded) messages into the parent like Go's encoding.</summary>
    private void CollectFields(MessageDescriptor message, SortedDictionary<string, FieldDescriptor> properties, List<string> required, int depth)
    {
        foreach (FieldDescriptor field in message.Fields)
        {
            if (field.Inline)
            {
                if (depth < 8 && field.MessageName is { } inner && catalog.Schema.FindMessage(inner) is { } innerMessage
                    && innerMessage.JsonForm == JsonForm.Object)
                {
                    CollectFields(innerMessage, properties, required, depth + 1);
                }

                continue;
            }

            if (field.JsonName is not { } name || properties.ContainsKey(name))
            {
                continue;
            }

            properties.Add(name, field);
            // openapi-gen: a field is optional when marked +optional or tagged omitempty.
            if (field.Required || (!field.Optional && !field.OmitEmpty))
            {
                required.Add(name);
            }
        }
    }

    private void WriteProperty(Utf8JsonWriter w, FieldDescriptor field)
    {
        w.WriteStartObject();
        if (field.Repeated && field.Kind != FieldKind.Map)
        {
            w.WritePropertyName("items");
            WriteValue(w, field);
            w.WriteString("type", "array");
        }
        else if (field.Kind == FieldKind.Map)
        {
            w.WritePropertyName("additionalProperties");
            WriteValue(w, field);
            w.WriteString("type", "object");
        }
        else if (field.Kind == FieldKind.Message)
        {
            if (v3)
            {
                w.WriteStartArray("allOf");
                w.WriteStartObject();
                w.WriteString("$ref", Ref(field.MessageName!));
                w.WriteEndObject();
                w.WriteEndArray();
            }
            else
            {
                w.WriteString("$ref", Ref(field.MessageName!));
            }
        }
        else
        {
            WriteScalarKeywords(w, field);
        }

        WriteExtensions(w, field);
        w.WriteEndObject();
    }

    /// <summary>The schema of one element (list item, map value or the field itself when scalar).</summary>
    private void WriteValue(Utf8JsonWriter w, FieldDescriptor field)
    {
        w.WriteStartObject();
        if (field.MessageName is { } message)
        {
            w.WriteString("$ref", Ref(message));
        }
        else
        {
            WriteScalarKeywords(w, field);
        }

        w.WriteEndObject();
    }

    private void WriteScalarKeywords(Utf8JsonWriter w, FieldDescriptor field)
    {
        if (field.EnumType is { } enumType && catalog.Schema.FindEnum(enumType) is { Values.Count: > 0 } values)
        {
            w.WriteStartArray("enum");
            foreach (string value in values.Values)
            {
                w.WriteStringValue(value);
            }

            w.WriteEndArray();
        }

        (string type, string? format) = field.Scalar switch
        {
            ScalarType.Bool => ("boolean", null),
            ScalarType.Int32 => ("integer", "int32"),
            ScalarType.Int64 => ("integer", "int64"),
            ScalarType.Double => ("number", "double"),
            ScalarType.Bytes => ("string", "byte"),
            _ => ("string", (string?)null),
        };
        if (format is not null)
        {
            w.WriteString("format", format);
        }

        w.WriteString("type", type);
    }

    private static void WriteExtensions(Utf8JsonWriter w, FieldDescriptor field)
    {
        if (field.ListMapKeys.Count > 0)
        {
            w.WriteStartArray("x-kubernetes-list-map-keys");
            foreach (string key in field.ListMapKeys)
            {
                w.WriteStringValue(key);
            }

            w.WriteEndArray();
        }

        if (field.ListType is { } listType)
        {
            w.WriteString("x-kubernetes-list-type", listType);
        }

        if (field.MapType is { } mapType)
        {
            w.WriteString("x-kubernetes-map-type", mapType);
        }

        if (field.PatchMergeKey is { } mergeKey)
        {
            w.WriteString("x-kubernetes-patch-merge-key", mergeKey);
        }

        if (field.PatchStrategy is { } strategy)
        {
            w.WriteString("x-kubernetes-patch-strategy", strategy);
        }
    }
}
