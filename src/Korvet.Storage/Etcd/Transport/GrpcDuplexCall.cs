using System.Net;
using Google.Protobuf;

namespace Korvet.Storage.Etcd.Transport;

/// <summary>
/// One open bidirectional gRPC stream to one member. Writes may come from any thread; reads must not overlap
/// (one reader). Disposing ends both directions.
/// </summary>
internal sealed class GrpcDuplexCall : IAsyncDisposable
{
    private readonly DuplexStreamContent _content;
    private readonly HttpResponseMessage _response;
    private readonly byte[] _header = new byte[GrpcFraming.HeaderSize];
    private Stream? _stream;

    public GrpcDuplexCall(int endpoint, DuplexStreamContent content, HttpResponseMessage response)
    {
        Endpoint = endpoint;
        _content = content;
        _response = response;
    }

    /// <summary>Index of the member this stream is connected to.</summary>
    public int Endpoint { get; }

    public bool TrySend(IMessage message) => _content.TryWrite(GrpcFraming.Frame(message));

    /// <summary>Fails when the member refused the stream outright (HTTP error or a trailers-only gRPC error).</summary>
    public async Task CheckHeadersAsync(CancellationToken cancellationToken)
    {
        if (_response.StatusCode != HttpStatusCode.OK)
        {
            throw GrpcHeaders.FromHttpStatus(_response.StatusCode);
        }

        if (GrpcHeaders.TryGetStatus(_response, out var status, out var message) && status != GrpcStatusCode.Ok)
        {
            // Refused before the stream started: another member may serve it if this one is merely unavailable.
            var kind = status is GrpcStatusCode.Unavailable or GrpcStatusCode.DeadlineExceeded or GrpcStatusCode.ResourceExhausted
                ? FailureKind.NotSent
                : FailureKind.Final;
            throw new GrpcCallException(status, message, kind);
        }

        _stream = await _response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads the next message; at the end of the stream throws the status from the trailers (etcd ends
    /// a stream only on error or shutdown), or returns null when the stream ended with OK.</summary>
    public async ValueTask<T?> ReadAsync<T>(MessageParser<T> parser, CancellationToken cancellationToken)
        where T : class, IMessage<T>
    {
        try
        {
            var message = await GrpcFraming.ReadAsync(_stream!, parser, _header, cancellationToken).ConfigureAwait(false);
            if (message is not null)
            {
                return message;
            }
        }
        catch (Exception e) when (EtcdTransport.TranslateFailure(e, cancellationToken) is { } failure)
        {
            throw failure;
        }

        if (GrpcHeaders.TryGetStatus(_response, out var status, out var text) && status != GrpcStatusCode.Ok)
        {
            var kind = status is GrpcStatusCode.Unavailable or GrpcStatusCode.DeadlineExceeded or GrpcStatusCode.Internal
                or GrpcStatusCode.Unknown ? FailureKind.InDoubt : FailureKind.Final;
            throw new GrpcCallException(status, text, kind);
        }

        return null;
    }

    public ValueTask DisposeAsync()
    {
        _content.Complete();
        _response.Dispose();
        return ValueTask.CompletedTask;
    }
}
