using System.Globalization;
using System.Text.Json;
using Korvet.ApiServer.Errors;
using Korvet.ApiServer.Registry;
using Korvet.ApiServer.Storage;
using Korvet.ApiServer.Tables;
using Microsoft.AspNetCore.Http;

namespace Korvet.ApiServer.Http;

/// <summary>
/// Writes objects and lists in the negotiated shape. Plain JSON responses reuse each object's cached bytes; lists are
/// assembled from them without re-serializing items. Thread-safe.
/// </summary>
public sealed class ResponseWriter
{
    private readonly TableConverter _tables;

    public ResponseWriter(TableConverter tables) => _tables = tables;

    public TableConverter Tables => _tables;

    public static IncludeObject IncludeObjectFrom(IQueryCollection query) => query["includeObject"].ToString() switch
    {
        "" or "Metadata" => IncludeObject.Metadata,
        "Object" => IncludeObject.Object,
        "None" => IncludeObject.None,
        string other => throw StatusErrors.BadRequest(
            $"includeObject: Unsupported value: \"{other}\": supported values: \"None\", \"Metadata\", \"Object\""),
    };

    public Task WriteObjectAsync(HttpContext context, int status, ResourceDefinition resource, StoredObject obj, ResponseShape shape)
    {
        switch (shape)
        {
            case ResponseShape.Object:
                return ApiRequestHandler.WriteBytesAsync(context, status, ResponseFormat.Json, obj.Json);
            case ResponseShape.Table:
                IncludeObject include = IncludeObjectFrom(context.Request.Query);
                byte[] table = ApiRequestHandler.SerializeWith(w => _tables.Write(w, resource, [obj], include, obj.ResourceVersion, "", null));
                return ApiRequestHandler.WriteBytesAsync(context, status, ResponseFormat.TableV1, table);
            default:
                byte[] partial = ApiRequestHandler.SerializeWith(w => TableConverter.WritePartialObjectMetadata(w, obj.Root));
                return ApiRequestHandler.WriteBytesAsync(context, status, ResponseFormat.PartialV1, partial);
        }
    }

    /// <summary>Writes the result of a write: Status bodies as they are, objects in the negotiated shape.</summary>
    public Task WriteWriteResultAsync(HttpContext context, ResourceDefinition resource, WriteResult result, ResponseShape shape)
    {
        if (shape == ResponseShape.Object || result.Body.AsSpan().StartsWith("{\"kind\":\"Status\""u8))
        {
            return ApiRequestHandler.WriteBytesAsync(context, result.StatusCode, ResponseFormat.Json, result.Body);
        }

        var obj = new StoredObject("", result.Body, 0);
        return WriteObjectAsync(context, result.StatusCode, resource, obj, shape);
    }

    public Task WriteListAsync(HttpContext context, ResourceDefinition resource, ListPage page, ResponseShape shape)
    {
        byte[] body;
        string contentType;
        switch (shape)
        {
            case ResponseShape.Table:
                IncludeObject include = IncludeObjectFrom(context.Request.Query);
                body = ApiRequestHandler.SerializeWith(w =>
                    _tables.Write(w, resource, page.Items, include, page.ResourceVersion, page.Continue, page.RemainingItemCount));
                contentType = ResponseFormat.TableV1;
                break;
            case ResponseShape.PartialObjectMetadata:
                body = ApiRequestHandler.SerializeWith(w => WriteList(w, "PartialObjectMetadataList", "meta.k8s.io/v1", page,
                    item => TableConverter.WritePartialObjectMetadata(w, item.Root)));
                contentType = ResponseFormat.PartialListV1;
                break;
            default:
                body = ApiRequestHandler.SerializeWith(w => WriteList(w, resource.ListKind, resource.ApiVersion, page,
                    item => ObjectBytes.WriteRaw(w, item.Json)));
                contentType = ResponseFormat.Json;
                break;
        }

        return ApiRequestHandler.WriteBytesAsync(context, 200, contentType, body);
    }

    /// <summary>A list of already serialized objects (deletecollection's answer).</summary>
    public Task WriteRawListAsync(HttpContext context, ResourceDefinition resource, IReadOnlyList<byte[]> items, long resourceVersion)
    {
        byte[] body = ApiRequestHandler.SerializeWith(w =>
        {
            w.WriteStartObject();
            w.WriteString("kind", resource.ListKind);
            w.WriteString("apiVersion", resource.ApiVersion);
            w.WriteStartObject("metadata");
            w.WriteString("resourceVersion", resourceVersion.ToString(CultureInfo.InvariantCulture));
            w.WriteEndObject();
            w.WriteStartArray("items");
            foreach (byte[] item in items)
            {
                ObjectBytes.WriteRaw(w, item);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        });
        return ApiRequestHandler.WriteBytesAsync(context, 200, ResponseFormat.Json, body);
    }

    private static void WriteList(Utf8JsonWriter w, string kind, string apiVersion, ListPage page, Action<StoredObject> writeItem)
    {
        w.WriteStartObject();
        w.WriteString("kind", kind);
        w.WriteString("apiVersion", apiVersion);
        w.WriteStartObject("metadata");
        w.WriteString("resourceVersion", page.ResourceVersion.ToString(CultureInfo.InvariantCulture));
        if (page.Continue.Length > 0)
        {
            w.WriteString("continue", page.Continue);
        }

        if (page.RemainingItemCount is { } remaining)
        {
            w.WriteNumber("remainingItemCount", remaining);
        }

        w.WriteEndObject();
        w.WriteStartArray("items");
        foreach (StoredObject item in page.Items)
        {
            writeItem(item);
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }
}
