using System.Globalization;
using System.Text.Json;
using Korvet.ApiServer.Errors;
using Korvet.ApiServer.Registry;
using Korvet.ApiServer.Routing;
using Korvet.ApiServer.Storage;
using Korvet.ApiServer.Tables;
using Korvet.ApiServer.Watch;
using Microsoft.AspNetCore.Http;

namespace Korvet.ApiServer.Http;

/// <summary>
/// Serves watches from the watch cache as newline-delimited JSON events, flushed as they come: ADDED/MODIFIED/DELETED
/// (shared pre-serialized lines for plain JSON), BOOKMARK when asked for, and an ERROR event carrying a 410 Expired
/// Status for resource versions the cache no longer has. A watch stays open until the client leaves, its
/// timeoutSeconds passes (default: a random 30–60 minutes, like upstream) or the server stops. Thread-safe.
/// </summary>
public sealed class WatchHandler
{
    private readonly WatchCacheSet _caches;
    private readonly GenericStore _store;
    private readonly Storage.ISelectorParser _selectors;
    private readonly ResponseWriter _writer;
    private readonly TimeSpan _bookmarkInterval;
    private readonly CancellationToken _serverStopping;
    private readonly StoredVersions _versions;

    /// <param name="serverStopping">Cancelled when the server stops: every watch then ends.</param>
    public WatchHandler(WatchCacheSet caches, GenericStore store, Storage.ISelectorParser selectors, ResponseWriter writer, TimeSpan bookmarkInterval,
        StoredVersions versions, CancellationToken serverStopping)
    {
        _versions = versions;
        _serverStopping = serverStopping;
        _store = store;
        _caches = caches;
        _selectors = selectors;
        _writer = writer;
        _bookmarkInterval = bookmarkInterval;
    }

    public async Task HandleAsync(HttpContext context, RequestInfo info, ResourceDefinition resource)
    {
        if (!resource.HasVerb("watch") || info.Subresource.Length > 0)
        {
            throw StatusErrors.MethodNotAllowed();
        }

        string ns = ResourceHandler.ScopeNamespace(info, resource);
        // A resource stored as another's objects watches the stored resource and converts each object it sends.
        Conversion? conversion = _versions.For(resource);
        ResourceDefinition served = resource;
        resource = conversion?.Storage ?? resource;
        Negotiated shape = ResponseFormat.Negotiate(context.Request.Headers.Accept, _writer.Encoder.CanEncodeProtobuf(resource), watch: true)
            ?? throw StatusErrors.NotAcceptable(ResponseFormat.Supported);
        IQueryCollection query = context.Request.Query;
        IncludeObject include = shape.Shape == ResponseShape.Table ? ResponseWriter.IncludeObjectFrom(query) : IncludeObject.Object;
        string fieldSelector = query["fieldSelector"].ToString();
        if (info.Name.Length > 0)
        {
            fieldSelector = fieldSelector.Length == 0 ? "metadata.name=" + info.Name : $"{fieldSelector},metadata.name={info.Name}";
        }

        ListFilter filter = _selectors.Parse(resource, query["labelSelector"].ToString(), fieldSelector);
        string rv = query["resourceVersion"].ToString();
        bool bookmarks = query["allowWatchBookmarks"].ToString() == "true";
        string sendInitial = query["sendInitialEvents"].ToString();
        if (sendInitial == "true" && (!bookmarks || query["resourceVersionMatch"].ToString() != "NotOlderThan"))
        {
            throw StatusErrors.Invalid(resource, "", [new StatusCause("FieldValueForbidden",
                "Forbidden: sendInitialEvents is forbidden for watch unless the WatchList feature gate is enabled and allowWatchBookmarks is true with resourceVersionMatch=NotOlderThan",
                "sendInitialEvents")]);
        }

        long from = 0;
        if (rv is not ("" or "0") && (!long.TryParse(rv, NumberStyles.None, CultureInfo.InvariantCulture, out from) || from <= 0))
        {
            throw StatusErrors.BadRequest($"invalid resource version \"{rv}\"");
        }

        // Upstream's semantics: unset = consistent current state then changes; "0" = any (cached) state then changes;
        // N = changes after N. sendInitialEvents overrides whether the state is sent first.
        WatchCache cache = _caches.For(resource);
        string prefix = GenericStore.ListPrefix(resource, ns);
        bool initialState = rv is "" or "0" ? sendInitial != "false" : sendInitial == "true";
        IReadOnlyList<StoredObject> initial = [];
        if (initialState && rv == "0")
        {
            (List<StoredObject> items, long revision) = await cache.SnapshotAsync(prefix, filter, context.RequestAborted);
            (initial, from) = (items, revision);
        }
        else if (initialState)
        {
            ListPage page = await _store.ListAsync(resource, ns, new ListRequest(filter), context.RequestAborted);
            (initial, from) = (page.Items, page.ResourceVersion);
        }
        else if (rv is "" or "0")
        {
            from = await _store.Backend.CurrentRevisionAsync(context.RequestAborted);
        }

        TimeSpan timeout = long.TryParse(query["timeoutSeconds"].ToString(), out long seconds) && seconds > 0
            ? TimeSpan.FromSeconds(seconds)
            : TimeSpan.FromSeconds(1800 + Random.Shared.Next(1800));
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _serverStopping);
        timeoutSource.CancelAfter(timeout);
        CancellationToken ct = timeoutSource.Token;

        HttpResponse response = context.Response;
        response.StatusCode = 200;
        response.ContentType = shape.Encoding == ResponseEncoding.Protobuf ? ResponseFormat.ProtobufWatch
            : shape.Shape == ResponseShape.Table ? ResponseFormat.TableV1 : ResponseFormat.Json;
        CacheWatcher watcher;
        try
        {
            watcher = await cache.WatchAsync(prefix, filter, from, ct);
        }
        catch (StatusException e) when (e.Code == 410)
        {
            await response.Body.WriteAsync(_writer.Encoder.WatchEvent(shape.Encoding, "ERROR", StatusJson.Failure(e)), context.RequestAborted);
            return;
        }

        using (watcher)
        {
            await response.StartAsync(ct);
            await response.Body.FlushAsync(ct);
            try
            {
                await StreamAsync(response, new WatchTarget(resource, served, conversion), shape, include, watcher, cache, bookmarks,
                    initial, sendInitial == "true", ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                // Timeout or client gone: end the response normally.
            }
        }
    }

    /// <summary>What a watch reads (<see cref="Resource"/>) and what it answers as (<see cref="Served"/>).</summary>
    private sealed record WatchTarget(ResourceDefinition Resource, ResourceDefinition Served, Conversion? Conversion);

    private async Task StreamAsync(HttpResponse response, WatchTarget target, Negotiated shape, IncludeObject include,
        CacheWatcher watcher, WatchCache cache, bool bookmarks, IReadOnlyList<StoredObject> initial, bool initialEndBookmark,
        CancellationToken ct)
    {
        Stream body = response.Body;
        bool first = true;
        foreach (StoredObject obj in initial)
        {
            var ev = new CacheEvent(WatchEventKind.Added, obj, null, obj.ResourceVersion);
            await WriteEventAsync(body, new WatcherEvent(ev, WatchEventKind.Added), target, shape, include, first, ct);
            first = false;
        }

        if (initialEndBookmark)
        {
            await WriteBookmarkAsync(body, target.Served, shape.Encoding, watcher.FromRevision, true, ct);
        }

        await body.FlushAsync(ct);

        Task<bool>? pending = null;
        Task? bookmarkDue = null;
        while (true)
        {
            pending ??= watcher.Reader.WaitToReadAsync(ct).AsTask();
            if (bookmarks && !pending.IsCompleted)
            {
                // One timer per bookmark period, reused across events (not one per wait).
                bookmarkDue ??= Task.Delay(_bookmarkInterval, ct);
                await Task.WhenAny(pending, bookmarkDue);
                if (!pending.IsCompleted)
                {
                    ct.ThrowIfCancellationRequested();
                    long revision = cache.Revision;
                    if (!watcher.Reader.TryPeek(out _))
                    {
                        await WriteBookmarkAsync(body, target.Served, shape.Encoding, Math.Max(revision, watcher.FromRevision), false, ct);
                        await body.FlushAsync(ct);
                    }

                    bookmarkDue = null;
                    continue;
                }
            }

            if (!await pending)
            {
                return;
            }

            pending = null;
            while (watcher.Reader.TryRead(out WatcherEvent ev))
            {
                watcher.Consumed();
                await WriteEventAsync(body, ev, target, shape, include, first, ct);
                first = false;
            }

            await body.FlushAsync(ct);
        }
    }

    /// <summary>
    /// Plain JSON objects are written from shared bytes: the cached object itself, or for a converted resource its
    /// served form, converted once per event (memoized on the object) whatever the number of watchers.
    /// </summary>
    private async ValueTask WriteEventAsync(Stream body, WatcherEvent ev, WatchTarget target, Negotiated shape, IncludeObject include,
        bool first, CancellationToken ct)
    {
        if (shape.Shape != ResponseShape.Object || shape.Encoding != ResponseEncoding.Json)
        {
            await body.WriteAsync(LineFor(ev, target, shape, include, first), ct);
        }
        else if (target.Conversion is { } conversion)
        {
            await body.WriteAsync(CacheEvent.LinePrefix(ev.Kind), ct);
            await body.WriteAsync(conversion.ToServed(ev.Event.Object).Json, ct);
            await body.WriteAsync(CacheEvent.LineSuffix, ct);
        }
        else
        {
            await ev.WriteLineAsync(body, ct);
        }
    }

    private byte[] LineFor(WatcherEvent ev, WatchTarget target, Negotiated shape, IncludeObject include, bool first)
    {
        ResourceDefinition resource = target.Resource;
        if (shape.Shape == ResponseShape.Object)
        {
            return target.Conversion is { } conversion
                ? _writer.Encoder.WatchEvent(shape.Encoding, CacheEvent.TypeName(ev.Kind), conversion.ToServed(ev.Event.Object).Json)
                : _writer.Encoder.WatchFrame(CacheEvent.TypeName(ev.Kind), ev.Event.Object.Json);
        }

        byte[] obj = ApiRequestHandler.SerializeWith(w =>
        {
            if (shape.Shape == ResponseShape.Table)
            {
                _writer.Tables.Write(w, resource, [ev.Event.Object], include, ev.Event.Object.ResourceVersion, "", null, first,
                    target.Conversion is null ? null : target.Conversion.ToServed);
            }
            else
            {
                using JsonDocument doc = ev.Event.Object.Parse();
                TableConverter.WritePartialObjectMetadata(w, doc.RootElement);
            }
        });
        return _writer.Encoder.WatchEvent(shape.Encoding, CacheEvent.TypeName(ev.Kind), obj);
    }

    private Task WriteBookmarkAsync(Stream body, ResourceDefinition resource, ResponseEncoding encoding, long revision, bool initialEnd,
        CancellationToken ct)
    {
        byte[] obj = ApiRequestHandler.SerializeWith(w =>
        {
            w.WriteStartObject();
            w.WriteString("kind", resource.Kind);
            w.WriteString("apiVersion", resource.ApiVersion);
            w.WriteStartObject("metadata");
            w.WriteString("resourceVersion", revision.ToString(CultureInfo.InvariantCulture));
            w.WriteNull("creationTimestamp");
            if (initialEnd)
            {
                w.WriteStartObject("annotations");
                w.WriteString("k8s.io/initial-events-end", "true");
                w.WriteEndObject();
            }

            w.WriteEndObject();
            w.WriteEndObject();
        });
        return body.WriteAsync(_writer.Encoder.WatchEvent(encoding, "BOOKMARK", obj), ct).AsTask();
    }
}
