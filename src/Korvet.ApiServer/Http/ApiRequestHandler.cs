using System.Text.Json;
using Korvet.ApiServer.Authentication;
using Korvet.ApiServer.Discovery;
using Korvet.ApiServer.Errors;
using Korvet.ApiServer.OpenApi;
using Korvet.ApiServer.Registry;
using Korvet.ApiServer.Routing;
using Korvet.ApiServer.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Korvet.ApiServer.Http;

/// <summary>
/// The single entry point of every request: health and version endpoints, authentication, discovery, then resource
/// requests routed by <see cref="RequestInfoParser"/> to <see cref="ResourceHandler"/> / <see cref="WatchHandler"/>.
/// Every failure is answered with a Kubernetes Status. Stateless apart from its immutable collaborators.
/// </summary>
public sealed class ApiRequestHandler
{
    private static readonly byte[] Ok = "ok"u8.ToArray();

    private readonly ResourceRegistry _registry;
    private readonly DiscoveryDocuments _discovery;
    private readonly IRequestAuthenticator _authenticator;
    private readonly ResourceHandler _resources;
    private readonly WatchHandler _watches;
    private readonly byte[] _version;
    private readonly OpenApiEndpoint _openApi;
    private readonly ILogger _logger;
    private readonly ResponseEncoder _encoder;

    public ApiRequestHandler(ResourceRegistry registry, DiscoveryDocuments discovery, IRequestAuthenticator authenticator,
        ResourceHandler resources, WatchHandler watches, ResponseEncoder encoder, ILogger logger)
    {
        _encoder = encoder;
        _registry = registry;
        _discovery = discovery;
        _authenticator = authenticator;
        _resources = resources;
        _watches = watches;
        _logger = logger;
        _version = VersionInfo.Serialize();
        _openApi = new OpenApiEndpoint(new OpenApiDocuments(registry, () => Korvet.Api.Generated.ApiSchemas.Kubernetes, VersionInfo.GitVersion));
    }

    public async Task HandleAsync(HttpContext context)
    {
        try
        {
            await DispatchAsync(context);
        }
        catch (StatusException e)
        {
            await WriteStatusAsync(context, e);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // Client went away.
        }
        catch (BadHttpRequestException e)
        {
            await WriteStatusAsync(context, StatusErrors.BadRequest(e.Message));
        }
        catch (Exception e)
        {
            _logger.LogError(e, "request {Method} {Path} failed", context.Request.Method, context.Request.Path);
            await WriteStatusAsync(context, StatusErrors.Internal(e.Message));
        }
    }

    private async Task DispatchAsync(HttpContext context)
    {
        HttpRequest request = context.Request;
        string path = request.Path.Value ?? "/";
        if (path is "/healthz" or "/livez" or "/readyz" || path.StartsWith("/healthz/", StringComparison.Ordinal)
            || path.StartsWith("/livez/", StringComparison.Ordinal) || path.StartsWith("/readyz/", StringComparison.Ordinal))
        {
            await WriteBytesAsync(context, 200, "text/plain; charset=utf-8", Ok);
            return;
        }

        UserInfo? user = await _authenticator.AuthenticateAsync(request, context.RequestAborted);
        if (user is null)
        {
            throw StatusErrors.Unauthorized();
        }

        if (path is "/version" or "/version/")
        {
            await WriteBytesAsync(context, 200, "application/json", _version);
            return;
        }

        if (await TryDiscoveryAsync(context, path) || await _openApi.TryHandleAsync(context, path))
        {
            return;
        }

        RequestInfo info = RequestInfoParser.Parse(request.Method, path, request.Query["watch"].ToString());
        if (!info.IsResourceRequest)
        {
            throw StatusErrors.NoSuchResource();
        }

        ResourceDefinition resource = _registry.Find(info.Group, info.Version, info.Resource) ?? throw StatusErrors.NoSuchResource();
        if (info.Verb == "watch")
        {
            await _watches.HandleAsync(context, info, resource);
        }
        else
        {
            await _resources.HandleAsync(context, info, resource, user);
        }
    }

    private async Task<bool> TryDiscoveryAsync(HttpContext context, string path)
    {
        string trimmed = path.TrimEnd('/');
        if (context.Request.Method != "GET" && context.Request.Method != "HEAD")
        {
            return false;
        }

        DiscoveryDocument? document = null;
        if (trimmed is "/api" or "/apis" && DiscoveryDocuments.AggregatedVersionRequested(context.Request.Headers.Accept) is { } version)
        {
            document = _discovery.Aggregated(trimmed, version);
        }

        document ??= _discovery.Legacy(trimmed);
        if (document is null)
        {
            return false;
        }

        context.Response.Headers.ETag = document.ETag;
        context.Response.Headers.Vary = "Accept";
        if (context.Request.Headers.IfNoneMatch.ToString() == document.ETag)
        {
            context.Response.StatusCode = 304;
            return true;
        }

        await WriteBytesAsync(context, 200, document.ContentType, document.Body);
        return true;
    }

    /// <summary>A failure Status in the encoding the client asked for (upstream's ErrorNegotiated), JSON by default.</summary>
    private async Task WriteStatusAsync(HttpContext context, StatusException error)
    {
        if (context.Response.HasStarted)
        {
            return;
        }

        ResponseEncoding encoding = ResponseFormat.NegotiateStatus(context.Request.Headers.Accept);
        (byte[] body, string contentType) = _encoder.Encode(encoding, StatusJson.Failure(error), ResponseFormat.Json);
        if (error.Details?.RetryAfterSeconds is > 0 and int retry && (error.Code == 429 || error.Code >= 500))
        {
            // As upstream's ErrorNegotiated: client-go waits this long and retries the request by itself.
            context.Response.Headers.RetryAfter = retry.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        await WriteBytesAsync(context, error.Code, contentType, body);
    }

    /// <summary>Bodies larger than this are written in slices of this size, each awaited (see <see cref="WriteBytesAsync"/>).</summary>
    private const int WriteSlice = 64 * 1024;

    /// <summary>
    /// Writes a whole response. A large body (a list of thousands of objects) goes out in 64 KiB slices, each write
    /// awaited: Kestrel copies what it is given into its pinned buffer pool before flushing, so one write of a
    /// 100 MB list would grow that pool (and the process) by 100 MB, while slices keep it to the pipe's limit.
    /// </summary>
    internal static Task WriteBytesAsync(HttpContext context, int status, string contentType, byte[] body)
    {
        HttpResponse response = context.Response;
        response.StatusCode = status;
        response.ContentType = contentType;
        response.ContentLength = body.Length;
        if (context.Request.Method == "HEAD")
        {
            return Task.CompletedTask;
        }

        return body.Length <= WriteSlice
            ? response.Body.WriteAsync(body, 0, body.Length, context.RequestAborted)
            : WriteSlicedAsync(response.Body, body, context.RequestAborted);
    }

    private static async Task WriteSlicedAsync(Stream stream, byte[] body, CancellationToken ct)
    {
        for (int offset = 0; offset < body.Length; offset += WriteSlice)
        {
            await stream.WriteAsync(body.AsMemory(offset, Math.Min(WriteSlice, body.Length - offset)), ct);
        }
    }

    internal static byte[] SerializeWith(Action<Utf8JsonWriter> write)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(4096);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }
}
