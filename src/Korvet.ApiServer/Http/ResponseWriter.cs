using System.Buffers;
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
    private readonly ResponseEncoder _encoder;

    public ResponseWriter(TableConverter tables, ResponseEncoder encoder)
    {
        _tables = tables;
        _encoder = encoder;
    }

    public TableConverter Tables => _tables;

    public ResponseEncoder Encoder => _encoder;

    /// <summary>Writes <paramref name="json"/> in the negotiated encoding (as it is for JSON).</summary>
    public Task WriteEncodedAsync(HttpContext context, int status, ResponseEncoding encoding, byte[] json, string jsonContentType)
    {
        (byte[] body, string contentType) = _encoder.Encode(encoding, json, jsonContentType);
        return ApiRequestHandler.WriteBytesAsync(context, status, contentType, body);
    }

    public static IncludeObject IncludeObjectFrom(IQueryCollection query) => query["includeObject"].ToString() switch
    {
        "" or "Metadata" => IncludeObject.Metadata,
        "Object" => IncludeObject.Object,
        "None" => IncludeObject.None,
        string other => throw StatusErrors.BadRequest(
            $"includeObject: Unsupported value: \"{other}\": supported values: \"None\", \"Metadata\", \"Object\""),
    };

    /// <param name="embedded">See <see cref="TableConverter.Write"/>: the served form of a converted resource's object.</param>
    public Task WriteObjectAsync(HttpContext context, int status, ResourceDefinition resource, StoredObject obj, Negotiated format,
        Func<StoredObject, StoredObject>? embedded = null)
    {
        switch (format.Shape)
        {
            case ResponseShape.Object:
                return WriteEncodedAsync(context, status, format.Encoding, obj.Json, ResponseFormat.Json);
            case ResponseShape.Table:
                IncludeObject include = IncludeObjectFrom(context.Request.Query);
                byte[] table = ApiRequestHandler.SerializeWith(w => _tables.Write(w, resource, [obj], include, obj.ResourceVersion, "", null, embedded: embedded));
                return WriteEncodedAsync(context, status, format.Encoding, table, ResponseFormat.TableV1);
            default:
                byte[] partial = ApiRequestHandler.SerializeWith(w =>
                {
                    using JsonDocument doc = obj.Parse();
                    TableConverter.WritePartialObjectMetadata(w, doc.RootElement);
                });
                return WriteEncodedAsync(context, status, format.Encoding, partial, ResponseFormat.PartialV1);
        }
    }

    /// <summary>Writes the result of a write: Status bodies as they are, objects in the negotiated shape.</summary>
    public Task WriteWriteResultAsync(HttpContext context, ResourceDefinition resource, WriteResult result, Negotiated format)
    {
        if (format.Shape == ResponseShape.Object || result.Body.AsSpan().StartsWith("{\"kind\":\"Status\""u8))
        {
            return WriteEncodedAsync(context, result.StatusCode, format.Encoding, result.Body, ResponseFormat.Json);
        }

        var obj = new StoredObject("", result.Body, 0);
        return WriteObjectAsync(context, result.StatusCode, resource, obj, format);
    }

    /// <param name="embedded">See <see cref="TableConverter.Write"/>: the served form of a converted resource's object.</param>
    public Task WriteListAsync(HttpContext context, ResourceDefinition resource, ListPage page, Negotiated format,
        Func<StoredObject, StoredObject>? embedded = null)
    {
        byte[] body;
        string contentType;
        switch (format.Shape)
        {
            case ResponseShape.Table:
                IncludeObject include = IncludeObjectFrom(context.Request.Query);
                body = ApiRequestHandler.SerializeWith(w =>
                    _tables.Write(w, resource, page.Items, include, page.ResourceVersion, page.Continue, page.RemainingItemCount,
                        embedded: embedded));
                contentType = ResponseFormat.TableV1;
                break;
            case ResponseShape.PartialObjectMetadata:
                body = ApiRequestHandler.SerializeWith(w => WriteList(w, "PartialObjectMetadataList", "meta.k8s.io/v1", page,
                    item =>
                    {
                        using JsonDocument doc = item.Parse();
                        TableConverter.WritePartialObjectMetadata(w, doc.RootElement);
                    }));
                contentType = ResponseFormat.PartialListV1;
                break;
            default:
                if (format.Encoding == ResponseEncoding.Json)
                {
                    return StreamJsonListAsync(context, resource, page);
                }

                body = ApiRequestHandler.SerializeWith(w => WriteList(w, resource.ListKind, resource.ApiVersion, page,
                    item => ObjectBytes.WriteRaw(w, item.Json)));
                contentType = ResponseFormat.Json;
                break;
        }

        return WriteEncodedAsync(context, 200, format.Encoding, body, contentType);
    }

    /// <summary>
    /// A JSON list written straight from the cached objects' bytes: the list head, each item, the tail, flushed every
    /// 64 KiB — never one array holding the whole response (a list of 30,000 pods is about 100 MB). The length is known
    /// up front, so the response still carries Content-Length.
    /// </summary>
    private static async Task StreamJsonListAsync(HttpContext context, ResourceDefinition resource, ListPage page)
    {
        byte[] empty = ApiRequestHandler.SerializeWith(w => WriteList(w, resource.ListKind, resource.ApiVersion, page with { Items = [] }, _ => { }));
        ReadOnlyMemory<byte> head = empty.AsMemory(0, empty.Length - 2); // up to and including "items":[
        ReadOnlyMemory<byte> tail = empty.AsMemory(empty.Length - 2);     // ]}
        long length = empty.Length + Math.Max(0, page.Items.Count - 1);
        foreach (StoredObject item in page.Items)
        {
            length += item.Json.Length;
        }

        HttpResponse response = context.Response;
        response.StatusCode = 200;
        response.ContentType = ResponseFormat.Json;
        response.ContentLength = length;
        if (context.Request.Method == "HEAD")
        {
            return;
        }

        System.IO.Pipelines.PipeWriter writer = response.BodyWriter;
        CancellationToken ct = context.RequestAborted;
        writer.Write(head.Span);
        long unflushed = head.Length;
        for (int i = 0; i < page.Items.Count; i++)
        {
            if (i > 0)
            {
                writer.Write(","u8);
            }

            byte[] json = page.Items[i].Json;
            writer.Write(json);
            unflushed += json.Length + 1;
            if (unflushed >= 64 * 1024)
            {
                await writer.FlushAsync(ct);
                unflushed = 0;
            }
        }

        writer.Write(tail.Span);
        await writer.FlushAsync(ct);
    }

    /// <summary>A list of already serialized objects (deletecollection's answer).</summary>
    public Task WriteRawListAsync(HttpContext context, ResourceDefinition resource, IReadOnlyList<byte[]> items, long resourceVersion,
        ResponseEncoding encoding)
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
        return WriteEncodedAsync(context, 200, encoding, body, ResponseFormat.Json);
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
