using System.Net;
using System.Net.Sockets;
using Google.Protobuf;

namespace Korvet.Storage.Etcd.Transport;

/// <summary>
/// gRPC over one shared HTTP/2 cleartext connection pool (prior knowledge, no TLS) to the members of an etcd
/// cluster, with failover: a member that fails is marked unhealthy for a while and calls move on to the next.
/// Thread-safe; one instance per backend.
/// </summary>
internal sealed class EtcdTransport : IDisposable
{
    private readonly EtcdBackendOptions _options;
    private readonly HttpMessageInvoker _invoker;
    private readonly Uri[][] _uris;
    private readonly long[] _unhealthyUntil;
    private int _preferred;

    public EtcdTransport(EtcdBackendOptions options)
    {
        _options = options;
        var handler = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = true,
            ConnectTimeout = options.ConnectTimeout,
            KeepAlivePingDelay = options.KeepAlivePingDelay,
            KeepAlivePingTimeout = options.RequestTimeout,
            // Only while streams are open: etcd's gRPC server (keepalive enforcement, PermitWithoutStream=false)
            // answers pings on idle connections with GOAWAY "too_many_pings".
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            UseProxy = false,
            UseCookies = false,
            AllowAutoRedirect = false,
        };
        _invoker = new HttpMessageInvoker(handler, disposeHandler: true);
        _uris = options.Endpoints
            .Select(e => EtcdMethods.Paths.Select(p => new Uri(e, p)).ToArray())
            .ToArray();
        _unhealthyUntil = new long[_uris.Length];
    }

    public int EndpointCount => _uris.Length;

    /// <summary>Calls a unary RPC, failing over between members per <paramref name="policy"/> until
    /// <see cref="EtcdBackendOptions.FailoverTimeout"/>; throws the last <see cref="GrpcCallException"/>.</summary>
    public async Task<CallResult<T>> CallAsync<T>(EtcdMethod method, IMessage request, MessageParser<T> parser,
        RetryPolicy policy, CancellationToken cancellationToken)
        where T : IMessage<T>
    {
        var framed = GrpcFraming.Frame(request);
        var deadline = Environment.TickCount64 + (long)_options.FailoverTimeout.TotalMilliseconds;
        var inDoubt = false;
        for (var attempt = 0; ; attempt++)
        {
            var endpoint = PickEndpoint();
            try
            {
                var response = await AttemptAsync(endpoint, method, framed, parser, cancellationToken).ConfigureAwait(false);
                return new CallResult<T>(response, inDoubt);
            }
            catch (GrpcCallException e) when (e.Retryable)
            {
                MarkUnhealthy(endpoint);
                if (e.Kind == FailureKind.InDoubt)
                {
                    if (policy == RetryPolicy.NotSentOnly)
                    {
                        throw new GrpcCallException(e.Status, $"{e.Message} (the write may or may not have been applied)",
                            FailureKind.Final, e);
                    }

                    inDoubt = true;
                }

                if (Environment.TickCount64 >= deadline)
                {
                    throw new GrpcCallException(e.Status, $"no etcd member answered in {_options.FailoverTimeout}: {e.Message}",
                        FailureKind.Final, e);
                }

                await BackoffAsync(attempt, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Opens a bidirectional stream on a healthy member, sending <paramref name="first"/> before the
    /// response headers are awaited (etcd sends them only with its first message).</summary>
    public async Task<GrpcDuplexCall> OpenDuplexAsync(EtcdMethod method, IMessage first, CancellationToken cancellationToken)
    {
        var endpoint = PickEndpoint();
        var content = new DuplexStreamContent();
        content.TryWrite(GrpcFraming.Frame(first));
        var request = NewRequest(endpoint, method, content);
        // Ask the member to end the stream when it loses its leader, rather than go silent (etcd's "hasleader").
        request.Headers.TryAddWithoutValidation("hasleader", "true");
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_options.RequestTimeout);
            HttpResponseMessage response;
            try
            {
                response = await _invoker.SendAsync(request, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (TranslateFailure(e, cancellationToken) is { } failure)
            {
                throw failure;
            }

            var call = new GrpcDuplexCall(endpoint, content, response);
            await call.CheckHeadersAsync(cancellationToken).ConfigureAwait(false);
            return call;
        }
        catch (GrpcCallException e) when (e.Retryable)
        {
            content.Complete();
            MarkUnhealthy(endpoint);
            throw;
        }
    }

    public void MarkUnhealthy(int endpoint)
    {
        Volatile.Write(ref _unhealthyUntil[endpoint], Environment.TickCount64 + (long)_options.UnhealthyFor.TotalMilliseconds);
        Interlocked.CompareExchange(ref _preferred, (endpoint + 1) % _uris.Length, endpoint);
    }

    public Task BackoffAsync(int attempt, CancellationToken cancellationToken)
    {
        // A full round over the members without success means the cluster as a whole is busy (e.g. electing a
        // leader): wait a little longer after every further round.
        var rounds = attempt / _uris.Length;
        var delay = attempt + 1 < _uris.Length ? 0 : Math.Min(1000, 50 << Math.Min(rounds, 5));
        return delay == 0 ? Task.CompletedTask : Task.Delay(delay, cancellationToken);
    }

    public void Dispose() => _invoker.Dispose();

    private int PickEndpoint()
    {
        var count = _uris.Length;
        var start = Volatile.Read(ref _preferred);
        var now = Environment.TickCount64;
        var best = start;
        for (var i = 0; i < count; i++)
        {
            var candidate = (start + i) % count;
            if (Volatile.Read(ref _unhealthyUntil[candidate]) <= now)
            {
                return candidate;
            }

            if (_unhealthyUntil[candidate] < _unhealthyUntil[best])
            {
                best = candidate;
            }
        }

        return best;
    }

    private HttpRequestMessage NewRequest(int endpoint, EtcdMethod method, HttpContent content)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, _uris[endpoint][(int)method])
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = content,
        };
        request.Headers.TryAddWithoutValidation("TE", "trailers");
        return request;
    }

    private async Task<T> AttemptAsync<T>(int endpoint, EtcdMethod method, byte[] framed, MessageParser<T> parser,
        CancellationToken cancellationToken)
        where T : IMessage<T>
    {
        using var timeout = cancellationToken.CanBeCanceled
            ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken)
            : new CancellationTokenSource();
        timeout.CancelAfter(_options.RequestTimeout);
        using var request = NewRequest(endpoint, method, new GrpcUnaryContent(framed));
        try
        {
            using var response = await _invoker.SendAsync(request, timeout.Token).ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw GrpcHeaders.FromHttpStatus(response.StatusCode);
            }

            var body = await response.Content.ReadAsByteArrayAsync(timeout.Token).ConfigureAwait(false);
            if (!GrpcHeaders.TryGetStatus(response, out var status, out var message))
            {
                throw new GrpcCallException(GrpcStatusCode.Internal, "etcd response carried no grpc-status", FailureKind.InDoubt);
            }

            if (status != GrpcStatusCode.Ok)
            {
                throw new GrpcCallException(status, message, ClassifyStatus(status, message));
            }

            return GrpcFraming.ParseSingle(body, parser);
        }
        catch (Exception e) when (TranslateFailure(e, cancellationToken) is { } failure)
        {
            throw failure;
        }
    }

    /// <summary>Which gRPC errors from a member are worth trying on another member.</summary>
    private static FailureKind ClassifyStatus(GrpcStatusCode status, string message) => status switch
    {
        // "etcdserver: too many requests" is refused before the request is proposed.
        GrpcStatusCode.ResourceExhausted when message.Contains("too many requests", StringComparison.Ordinal) => FailureKind.NotSent,
        // No leader, leader changed, request timed out, member stopping: the proposal may still commit.
        GrpcStatusCode.Unavailable or GrpcStatusCode.DeadlineExceeded => FailureKind.InDoubt,
        _ => FailureKind.Final,
    };

    /// <summary>Turns transport exceptions into <see cref="GrpcCallException"/>s; null leaves the exception as it is
    /// (gRPC errors already translated, and cancellation by the caller).</summary>
    internal static GrpcCallException? TranslateFailure(Exception e, CancellationToken callerToken) => e switch
    {
        // Already translated, or the transport was disposed with the backend: propagate unchanged.
        GrpcCallException or ObjectDisposedException => null,
        OperationCanceledException when callerToken.IsCancellationRequested => null,
        OperationCanceledException => new GrpcCallException(GrpcStatusCode.DeadlineExceeded, "etcd request timed out", FailureKind.InDoubt, e),
        HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError } =>
            new GrpcCallException(GrpcStatusCode.Unavailable, $"cannot connect to etcd: {e.Message}", FailureKind.NotSent, e),
        HttpRequestException { InnerException: SocketException { SocketErrorCode: SocketError.ConnectionRefused } } =>
            new GrpcCallException(GrpcStatusCode.Unavailable, $"cannot connect to etcd: {e.Message}", FailureKind.NotSent, e),
        HttpRequestException or IOException =>
            new GrpcCallException(GrpcStatusCode.Unavailable, $"connection to etcd failed: {e.Message}", FailureKind.InDoubt, e),
        _ => null,
    };
}
