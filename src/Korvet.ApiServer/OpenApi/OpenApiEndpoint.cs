using Korvet.ApiServer.Errors;
using Microsoft.AspNetCore.Http;

namespace Korvet.ApiServer.OpenApi;

/// <summary>
/// Serves <c>/openapi/v2</c>, <c>/openapi/v3</c> and <c>/openapi/v3/{api/v1|apis/g/v}</c> as JSON with upstream's
/// caching contract: ETag = content hash, 304 on If-None-Match; a v3 request carrying the current <c>hash</c> is
/// immutable, a stale hash is redirected (301) to the current URL. v2 is also served as gnostic protobuf when asked
/// for (client-go reads only that form); a v3 request that accepts only protobuf gets 406, and clients fall back to
/// JSON. Stateless apart from the shared, lazily built documents.
/// </summary>
public sealed class OpenApiEndpoint(OpenApiDocuments documents)
{
    private const string V3Prefix = "/openapi/v3/";

    /// <summary>The media type client-go asks /openapi/v2 for; the answer's Content-Type spells the version with a dot.</summary>
    public const string V2ProtobufAccept = "application/com.github.proto-openapi.spec.v2@v1.0+protobuf";

    private const string V2ProtobufContentType = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";

    public OpenApiDocuments Documents { get; } = documents;

    /// <summary>Handles the request when <paramref name="path"/> is an OpenAPI path; false otherwise.</summary>
    public async Task<bool> TryHandleAsync(HttpContext context, string path)
    {
        if (!path.StartsWith("/openapi/", StringComparison.Ordinal))
        {
            return false;
        }

        string trimmed = path.TrimEnd('/');
        HttpRequest request = context.Request;
        if (request.Method is not ("GET" or "HEAD"))
        {
            throw StatusErrors.MethodNotAllowed();
        }

        OpenApiDocument? document;
        bool hashed = false;
        string contentType = "application/json";
        string accept = request.Headers.Accept.ToString();
        if (trimmed == "/openapi/v2" && PrefersV2Protobuf(accept))
        {
            document = Documents.V2Protobuf;
            contentType = V2ProtobufContentType;
        }
        else if (trimmed == "/openapi/v2")
        {
            document = Documents.V2;
        }
        else if (trimmed == "/openapi/v3")
        {
            document = Documents.V3Root;
        }
        else if (trimmed.StartsWith(V3Prefix, StringComparison.Ordinal))
        {
            string groupVersion = trimmed[V3Prefix.Length..];
            document = Documents.V3(groupVersion);
            string hash = request.Query["hash"].ToString();
            if (document is not null && hash.Length > 0)
            {
                if (!string.Equals(hash, document.Hash, StringComparison.Ordinal))
                {
                    context.Response.StatusCode = StatusCodes.Status301MovedPermanently;
                    context.Response.Headers.Location = $"{V3Prefix}{groupVersion}?hash={document.Hash}";
                    context.Response.Headers.CacheControl = "no-cache, private";
                    return true;
                }

                hashed = true;
            }
        }
        else
        {
            document = null;
        }

        if (document is null)
        {
            throw StatusErrors.NoSuchResource();
        }

        if (contentType == "application/json" && !AcceptsJson(accept))
        {
            throw StatusErrors.NotAcceptable(["application/json"]);
        }

        HttpResponse response = context.Response;
        response.Headers.ETag = document.ETag;
        response.Headers.Vary = "Accept";
        response.Headers.CacheControl = hashed ? "public, immutable" : "no-cache, private";
        if (hashed)
        {
            response.Headers.Expires = DateTimeOffset.UtcNow.AddYears(1).ToString("R");
        }

        if (request.Headers.IfNoneMatch.ToString() == document.ETag)
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return true;
        }

        response.StatusCode = 200;
        response.ContentType = contentType;
        response.ContentLength = document.Body.Length;
        if (request.Method != "HEAD")
        {
            await response.Body.WriteAsync(document.Body, context.RequestAborted);
        }

        return true;
    }

    /// <summary>True when the protobuf v2 form is listed before any JSON-compatible media type.</summary>
    public static bool PrefersV2Protobuf(string accept)
    {
        foreach (string part in accept.Split(','))
        {
            string media = part.Split(';')[0].Trim();
            if (media == V2ProtobufAccept)
            {
                return true;
            }

            if (media is "*/*" or "application/*" or "application/json")
            {
                return false;
            }
        }

        return false;
    }

    /// <summary>True unless every listed media type is something other than JSON (e.g. only the protobuf forms).</summary>
    public static bool AcceptsJson(string accept)
    {
        if (string.IsNullOrWhiteSpace(accept))
        {
            return true;
        }

        foreach (string part in accept.Split(','))
        {
            string media = part.Split(';')[0].Trim();
            if (media is "*/*" or "application/*" or "application/json" or "")
            {
                return true;
            }
        }

        return false;
    }
}
