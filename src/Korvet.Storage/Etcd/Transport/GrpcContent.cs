using System.Net;
using System.Threading.Channels;

namespace Korvet.Storage.Etcd.Transport;

/// <summary>The body of a unary gRPC call: one pre-framed message.</summary>
internal sealed class GrpcUnaryContent : HttpContent
{
    private readonly byte[] _framed;

    public GrpcUnaryContent(byte[] framed)
    {
        _framed = framed;
        Headers.TryAddWithoutValidation("Content-Type", GrpcHeaders.ContentType);
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        stream.WriteAsync(_framed).AsTask();

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken) =>
        stream.WriteAsync(_framed, cancellationToken).AsTask();

    protected override bool TryComputeLength(out long length)
    {
        length = _framed.Length;
        return true;
    }
}

/// <summary>
/// The request half of a bidirectional gRPC stream. Messages queued with <see cref="TryWrite"/> are written and
/// flushed in order while the response is being read; the request stream ends (half-close) after
/// <see cref="Complete"/>. Safe to write from any thread.
/// </summary>
internal sealed class DuplexStreamContent : HttpContent
{
    private readonly Channel<byte[]> _messages = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true });

    public DuplexStreamContent()
    {
        Headers.TryAddWithoutValidation("Content-Type", GrpcHeaders.ContentType);
    }

    public bool TryWrite(byte[] framed) => _messages.Writer.TryWrite(framed);

    public void Complete() => _messages.Writer.TryComplete();

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        await foreach (var framed in _messages.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            await stream.WriteAsync(framed, cancellationToken).ConfigureAwait(false);
            await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = -1;
        return false;
    }
}

/// <summary>gRPC-over-HTTP/2 header names and the status they carry.</summary>
internal static class GrpcHeaders
{
    public const string ContentType = "application/grpc";

    /// <summary>Reads grpc-status/grpc-message from the trailers, or from the headers of a trailers-only response.
    /// Returns false when neither carries a status.</summary>
    public static bool TryGetStatus(HttpResponseMessage response, out GrpcStatusCode status, out string message)
    {
        if (TryGetStatus(response.TrailingHeaders, out status, out message) || TryGetStatus(response.Headers, out status, out message))
        {
            return true;
        }

        status = GrpcStatusCode.Unknown;
        message = "";
        return false;
    }

    /// <summary>Maps an HTTP status that is not 200 to a gRPC failure (per the gRPC HTTP/2 spec).</summary>
    public static GrpcCallException FromHttpStatus(HttpStatusCode code) => code switch
    {
        HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout or
            HttpStatusCode.TooManyRequests => new GrpcCallException(GrpcStatusCode.Unavailable, $"HTTP {(int)code}", FailureKind.InDoubt),
        _ => new GrpcCallException(GrpcStatusCode.Unknown, $"unexpected HTTP status {(int)code} from etcd", FailureKind.Final),
    };

    private static bool TryGetStatus(System.Net.Http.Headers.HttpHeaders headers, out GrpcStatusCode status, out string message)
    {
        status = GrpcStatusCode.Unknown;
        message = "";
        if (!headers.NonValidated.TryGetValues("grpc-status", out var values) ||
            !int.TryParse(values.ToString(), System.Globalization.NumberStyles.None, null, out var code))
        {
            return false;
        }

        status = (GrpcStatusCode)code;
        if (headers.NonValidated.TryGetValues("grpc-message", out var text))
        {
            message = Uri.UnescapeDataString(text.ToString());
        }

        return true;
    }
}
