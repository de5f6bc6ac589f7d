using System.Text.Json;

namespace Korvet.ApiServer.OpenApi;

/// <summary>
/// Converts the Swagger 2.0 JSON document this server writes into gnostic's <c>openapi.v2.Document</c> protobuf,
/// the only form client-go's <c>OpenAPISchema()</c> reads (kubectl ≤ 1.28 for validation and apply, any kubectl for
/// <c>explain --output plaintext-openapiv2</c>). Covers exactly the keywords <see cref="DocumentWriter"/> emits;
/// extension and enum values travel as <c>Any.yaml</c>, written as JSON (a YAML subset). Pure.
/// </summary>
internal static class SwaggerProtobuf
{
    public static byte[] Convert(ReadOnlySpan<byte> json)
    {
        using JsonDocument doc = JsonDocument.Parse(json.ToArray());
        JsonElement root = doc.RootElement;
        var d = new ProtoBuffer();
        d.String(1, Str(root, "swagger"));
        if (root.TryGetProperty("info", out JsonElement info))
        {
            var i = new ProtoBuffer();
            i.String(1, Str(info, "title"));
            i.String(2, Str(info, "version"));
            d.Message(2, i);
        }

        var paths = new ProtoBuffer();
        foreach (JsonProperty path in root.GetProperty("paths").EnumerateObject())
        {
            paths.Message(2, Named(path.Name, PathItem(path.Value)));
        }

        d.Message(8, paths);
        var definitions = new ProtoBuffer();
        foreach (JsonProperty definition in root.GetProperty("definitions").EnumerateObject())
        {
            definitions.Message(1, Named(definition.Name, Schema(definition.Value)));
        }

        d.Message(9, definitions);
        if (root.TryGetProperty("security", out JsonElement security))
        {
            foreach (JsonElement requirement in security.EnumerateArray())
            {
                var r = new ProtoBuffer();
                foreach (JsonProperty scheme in requirement.EnumerateObject())
                {
                    var values = new ProtoBuffer();
                    foreach (JsonElement v in scheme.Value.EnumerateArray())
                    {
                        values.String(1, v.GetString());
                    }

                    r.Message(1, Named(scheme.Name, values));
                }

                d.Message(12, r);
            }
        }

        if (root.TryGetProperty("securityDefinitions", out JsonElement securityDefinitions))
        {
            var s = new ProtoBuffer();
            foreach (JsonProperty definition in securityDefinitions.EnumerateObject())
            {
                var apiKey = new ProtoBuffer();
                apiKey.String(1, Str(definition.Value, "type"));
                apiKey.String(2, Str(definition.Value, "name"));
                apiKey.String(3, Str(definition.Value, "in"));
                apiKey.String(4, Str(definition.Value, "description"));
                var item = new ProtoBuffer();
                item.Message(2, apiKey);
                s.Message(1, Named(definition.Name, item));
            }

            d.Message(13, s);
        }

        return d.ToArray();
    }

    private static ProtoBuffer PathItem(JsonElement item)
    {
        var p = new ProtoBuffer();
        foreach ((string method, int field) in new[] { ("get", 2), ("put", 3), ("post", 4), ("delete", 5), ("patch", 8) })
        {
            if (item.TryGetProperty(method, out JsonElement op))
            {
                p.Message(field, Operation(op));
            }
        }

        if (item.TryGetProperty("parameters", out JsonElement parameters))
        {
            foreach (JsonElement parameter in parameters.EnumerateArray())
            {
                p.Message(9, ParametersItem(parameter));
            }
        }

        return p;
    }

    private static ProtoBuffer Operation(JsonElement op)
    {
        var o = new ProtoBuffer();
        Strings(o, 1, op, "tags");
        o.String(3, Str(op, "description"));
        o.String(5, Str(op, "operationId"));
        Strings(o, 6, op, "produces");
        Strings(o, 7, op, "consumes");
        if (op.TryGetProperty("parameters", out JsonElement parameters))
        {
            foreach (JsonElement parameter in parameters.EnumerateArray())
            {
                o.Message(8, ParametersItem(parameter));
            }
        }

        var responses = new ProtoBuffer();
        foreach (JsonProperty response in op.GetProperty("responses").EnumerateObject())
        {
            var r = new ProtoBuffer();
            r.String(1, Str(response.Value, "description"));
            if (response.Value.TryGetProperty("schema", out JsonElement schema))
            {
                var item = new ProtoBuffer();
                item.Message(1, Schema(schema));
                r.Message(2, item);
            }

            var value = new ProtoBuffer();
            value.Message(1, r);
            responses.Message(1, Named(response.Name, value));
        }

        o.Message(9, responses);
        Strings(o, 10, op, "schemes");
        Extensions(o, 13, op);
        return o;
    }

    private static ProtoBuffer ParametersItem(JsonElement parameter)
    {
        var p = new ProtoBuffer();
        string location = Str(parameter, "in") ?? "";
        if (location == "body")
        {
            var body = new ProtoBuffer();
            body.String(1, Str(parameter, "description"));
            body.String(2, Str(parameter, "name"));
            body.String(3, location);
            body.Bool(4, Bool(parameter, "required"));
            body.Message(5, Schema(parameter.GetProperty("schema")));
            p.Message(1, body);
        }
        else
        {
            // Query and path sub-schemas share the first fields; "type" and "uniqueItems" sit one number apart.
            bool query = location != "path";
            var sub = new ProtoBuffer();
            sub.Bool(1, Bool(parameter, "required"));
            sub.String(2, location);
            sub.String(3, Str(parameter, "description"));
            sub.String(4, Str(parameter, "name"));
            sub.String(query ? 6 : 5, Str(parameter, "type"));
            sub.Bool(query ? 20 : 19, Bool(parameter, "uniqueItems"));
            var nonBody = new ProtoBuffer();
            nonBody.Message(query ? 3 : 4, sub);
            p.Message(2, nonBody);
        }

        var item = new ProtoBuffer();
        item.Message(1, p);
        return item;
    }

    private static ProtoBuffer Schema(JsonElement schema)
    {
        var s = new ProtoBuffer();
        s.String(1, Str(schema, "$ref"));
        s.String(2, Str(schema, "format"));
        s.String(4, Str(schema, "description"));
        Strings(s, 19, schema, "required");
        if (schema.TryGetProperty("enum", out JsonElement values))
        {
            foreach (JsonElement value in values.EnumerateArray())
            {
                s.Message(20, Any(value));
            }
        }

        if (schema.TryGetProperty("additionalProperties", out JsonElement additional))
        {
            var a = new ProtoBuffer();
            a.Message(1, Schema(additional));
            s.Message(21, a);
        }

        if (schema.TryGetProperty("type", out JsonElement type))
        {
            var t = new ProtoBuffer();
            t.String(1, type.GetString());
            s.Message(22, t);
        }

        if (schema.TryGetProperty("items", out JsonElement items))
        {
            var i = new ProtoBuffer();
            i.Message(1, Schema(items));
            s.Message(23, i);
        }

        if (schema.TryGetProperty("properties", out JsonElement properties))
        {
            var p = new ProtoBuffer();
            foreach (JsonProperty property in properties.EnumerateObject())
            {
                p.Message(1, Named(property.Name, Schema(property.Value)));
            }

            s.Message(25, p);
        }

        Extensions(s, 31, schema);
        return s;
    }

    private static void Extensions(ProtoBuffer target, int field, JsonElement element)
    {
        foreach (JsonProperty property in element.EnumerateObject())
        {
            if (property.Name.StartsWith("x-", StringComparison.Ordinal))
            {
                target.Message(field, Named(property.Name, Any(property.Value)));
            }
        }
    }

    /// <summary>gnostic <c>Any</c>: the value as YAML text (field 2); JSON is valid YAML.</summary>
    private static ProtoBuffer Any(JsonElement value)
    {
        var a = new ProtoBuffer();
        a.String(2, value.GetRawText() + "\n");
        return a;
    }

    private static ProtoBuffer Named(string name, ProtoBuffer value)
    {
        var n = new ProtoBuffer();
        n.String(1, name);
        n.Message(2, value);
        return n;
    }

    private static void Strings(ProtoBuffer target, int field, JsonElement element, string name)
    {
        if (element.TryGetProperty(name, out JsonElement values))
        {
            foreach (JsonElement value in values.EnumerateArray())
            {
                target.String(field, value.GetString());
            }
        }
    }

    private static string? Str(JsonElement element, string name) =>
        element.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static bool Bool(JsonElement element, string name) =>
        element.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.True;
}
