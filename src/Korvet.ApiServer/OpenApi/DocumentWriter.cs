using System.Buffers;
using System.Text.Json;
using Korvet.Api.Schema;

namespace Korvet.ApiServer.OpenApi;

/// <summary>
/// Serializes a group-version (or the whole API, for v2) as an OpenAPI 3.0 or Swagger 2.0 JSON document: paths from
/// <see cref="PathBuilder"/>, schemas from <see cref="SchemaWriter"/>. Pure: same inputs, same bytes.
/// </summary>
internal static class DocumentWriter
{
    private static readonly string[] Produces = ["application/json", "application/yaml", "application/vnd.kubernetes.protobuf"];

    private static readonly string[] StreamProduces =
        ["application/json", "application/json;stream=watch", "application/vnd.kubernetes.protobuf", "application/vnd.kubernetes.protobuf;stream=watch", "application/yaml"];

    public static byte[] Write(bool v3, string title, string version, IReadOnlyList<PathSpec> paths, IReadOnlyList<MessageDescriptor> messages,
        IReadOnlyList<(string Name, Action<Utf8JsonWriter> Write)> extraSchemas, SchemaCatalog catalog)
    {
        var schemas = new SchemaWriter(catalog, v3);
        var buffer = new ArrayBufferWriter<byte>(1 << 20);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            if (v3)
            {
                w.WriteStartObject("components");
                w.WriteStartObject("schemas");
                WriteSchemas(w, schemas, messages, extraSchemas);
                w.WriteEndObject();
                w.WriteStartObject("securitySchemes");
                WriteBearer(w);
                w.WriteEndObject();
                w.WriteEndObject();
            }
            else
            {
                w.WriteStartObject("definitions");
                WriteSchemas(w, schemas, messages, extraSchemas);
                w.WriteEndObject();
            }

            w.WriteStartObject("info");
            w.WriteString("title", title);
            w.WriteString("version", version);
            w.WriteEndObject();
            if (v3)
            {
                w.WriteString("openapi", "3.0.0");
            }

            w.WriteStartObject("paths");
            foreach (PathSpec path in paths)
            {
                WritePath(w, schemas, path, v3);
            }

            w.WriteEndObject();
            w.WriteStartArray("security");
            w.WriteStartObject();
            w.WriteStartArray("BearerToken");
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndArray();
            if (!v3)
            {
                w.WriteStartObject("securityDefinitions");
                WriteBearer(w);
                w.WriteEndObject();
                w.WriteString("swagger", "2.0");
            }

            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteBearer(Utf8JsonWriter w)
    {
        w.WriteStartObject("BearerToken");
        w.WriteString("description", "Bearer Token authentication");
        w.WriteString("in", "header");
        w.WriteString("name", "authorization");
        w.WriteString("type", "apiKey");
        w.WriteEndObject();
    }

    private static void WriteSchemas(Utf8JsonWriter w, SchemaWriter schemas, IReadOnlyList<MessageDescriptor> messages,
        IReadOnlyList<(string Name, Action<Utf8JsonWriter> Write)> extra)
    {
        var all = new SortedDictionary<string, Action>(StringComparer.Ordinal);
        foreach (MessageDescriptor message in messages)
        {
            all[SchemaNames.FromProto(message.FullName)] = () => schemas.WriteDefinition(w, message);
        }

        foreach ((string name, Action<Utf8JsonWriter> write) in extra)
        {
            all[name] = () => write(w);
        }

        foreach ((string name, Action write) in all)
        {
            w.WritePropertyName(name);
            write();
        }
    }

    private static void WritePath(Utf8JsonWriter w, SchemaWriter schemas, PathSpec path, bool v3)
    {
        w.WriteStartObject(path.Path);
        foreach (OperationSpec op in path.Operations.OrderBy(o => o.Method, StringComparer.Ordinal))
        {
            w.WriteStartObject(op.Method);
            if (!v3)
            {
                WriteStrings(w, "consumes", op.Consumes);
            }

            w.WriteString("description", op.Description);
            w.WriteString("operationId", op.OperationId);
            if (op.Parameters.Count > 0 || (!v3 && op.BodySchema is not null))
            {
                w.WriteStartArray("parameters");
                if (!v3 && op.BodySchema is not null)
                {
                    w.WriteStartObject();
                    w.WriteString("in", "body");
                    w.WriteString("name", "body");
                    w.WriteBoolean("required", true);
                    w.WritePropertyName("schema");
                    WriteRef(w, schemas, op.BodySchema);
                    w.WriteEndObject();
                }

                foreach (ParamSpec p in op.Parameters)
                {
                    WriteParam(w, p, v3);
                }

                w.WriteEndArray();
            }

            if (!v3)
            {
                WriteStrings(w, "produces", op.Streams ? StreamProduces : Produces);
            }

            if (v3 && op.BodySchema is not null)
            {
                w.WriteStartObject("requestBody");
                w.WriteStartObject("content");
                foreach (string type in op.Consumes)
                {
                    w.WriteStartObject(type);
                    w.WritePropertyName("schema");
                    WriteRef(w, schemas, op.BodySchema);
                    w.WriteEndObject();
                }

                w.WriteEndObject();
                w.WriteBoolean("required", true);
                w.WriteEndObject();
            }

            WriteResponses(w, schemas, op, v3);
            if (!v3)
            {
                WriteStrings(w, "schemes", ["https"]);
            }

            WriteStrings(w, "tags", [op.Tag]);
            w.WriteString("x-kubernetes-action", op.Action);
            w.WritePropertyName("x-kubernetes-group-version-kind");
            SchemaWriter.WriteGvk(w, op.Gvk);
            w.WriteEndObject();
        }

        if (path.Parameters.Count > 0)
        {
            w.WriteStartArray("parameters");
            foreach (ParamSpec p in path.Parameters)
            {
                WriteParam(w, p, v3);
            }

            w.WriteEndArray();
        }

        w.WriteEndObject();
    }

    private static void WriteResponses(Utf8JsonWriter w, SchemaWriter schemas, OperationSpec op, bool v3)
    {
        w.WriteStartObject("responses");
        foreach (ResponseSpec response in op.Responses)
        {
            w.WriteStartObject(response.Code);
            bool hasBody = response.Code != "401";
            if (hasBody && v3)
            {
                w.WriteStartObject("content");
                foreach (string type in response.Schema is null ? ["*/*"] : op.Streams ? StreamProduces : Produces)
                {
                    w.WriteStartObject(type);
                    w.WritePropertyName("schema");
                    WriteRef(w, schemas, response.Schema);
                    w.WriteEndObject();
                }

                w.WriteEndObject();
            }

            w.WriteString("description", response.Description);
            if (hasBody && !v3)
            {
                w.WritePropertyName("schema");
                WriteRef(w, schemas, response.Schema);
            }

            w.WriteEndObject();
        }

        w.WriteEndObject();
    }

    private static void WriteRef(Utf8JsonWriter w, SchemaWriter schemas, string? schemaName)
    {
        w.WriteStartObject();
        if (schemaName is null)
        {
            w.WriteString("type", "string");
        }
        else
        {
            w.WriteString("$ref", schemas.RefByName(schemaName));
        }

        w.WriteEndObject();
    }

    private static void WriteParam(Utf8JsonWriter w, ParamSpec p, bool v3)
    {
        w.WriteStartObject();
        if (p.Description is not null)
        {
            w.WriteString("description", p.Description);
        }

        w.WriteString("in", p.In);
        w.WriteString("name", p.Name);
        if (p.In == "path")
        {
            w.WriteBoolean("required", true);
        }

        if (v3)
        {
            w.WriteStartObject("schema");
            w.WriteString("type", p.Type);
            w.WriteBoolean("uniqueItems", true);
            w.WriteEndObject();
        }
        else
        {
            w.WriteString("type", p.Type);
            w.WriteBoolean("uniqueItems", true);
        }

        w.WriteEndObject();
    }

    private static void WriteStrings(Utf8JsonWriter w, string name, IReadOnlyList<string> values)
    {
        w.WriteStartArray(name);
        foreach (string value in values)
        {
            w.WriteStringValue(value);
        }

        w.WriteEndArray();
    }
}
