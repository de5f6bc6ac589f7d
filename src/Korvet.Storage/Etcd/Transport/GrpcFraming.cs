using System.Buffers.Binary;
using Google.Protobuf;

namespace Korvet.Storage.Etcd.Transport;

/// <summary>The gRPC length-prefixed message format: 1 byte compressed flag (always 0 here), 4 bytes big-endian
/// length, then the protobuf message.</summary>
internal static class GrpcFraming
{
    public const int HeaderSize = 5;

    /// <summary>Serializes <paramref name="message"/> into one exactly sized framed buffer.</summary>
    public static byte[] Frame(IMessage message)
    {
        var size = message.CalculateSize();
        var buffer = new byte[HeaderSize + size];
        BinaryPrimitives.WriteUInt32BigEndian(buffer.AsSpan(1, 4), (uint)size);
        message.WriteTo(buffer.AsSpan(HeaderSize));
        return buffer;
    }

    /// <summary>Parses the single message of a unary response body.</summary>
    public static T ParseSingle<T>(ReadOnlySpan<byte> body, MessageParser<T> parser)
        where T : IMessage<T>
    {
        if (body.Length < HeaderSize)
        {
            throw new GrpcCallException(GrpcStatusCode.Internal, "gRPC response carried no message", FailureKind.InDoubt);
        }

        var length = CheckHeader(body);
        if (body.Length < HeaderSize + length)
        {
            throw new GrpcCallException(GrpcStatusCode.Internal, "gRPC response message was truncated", FailureKind.InDoubt);
        }

        return parser.ParseFrom(body.Slice(HeaderSize, length));
    }

    /// <summary>Reads the next message of a stream; null at a clean end of stream (between messages).</summary>
    public static async ValueTask<T?> ReadAsync<T>(Stream stream, MessageParser<T> parser, byte[] header,
        CancellationToken cancellationToken)
        where T : class, IMessage<T>
    {
        var read = await stream.ReadAtLeastAsync(header.AsMemory(0, HeaderSize), HeaderSize, throwOnEndOfStream: false,
            cancellationToken).ConfigureAwait(false);
        if (read == 0)
        {
            return null;
        }

        if (read < HeaderSize)
        {
            throw new IOException("gRPC stream ended inside a message header");
        }

        var length = CheckHeader(header);
        var payload = new byte[length];
        await stream.ReadExactlyAsync(payload, cancellationToken).ConfigureAwait(false);
        return parser.ParseFrom(payload);
    }

    private static int CheckHeader(ReadOnlySpan<byte> header)
    {
        if (header[0] != 0)
        {
            throw new GrpcCallException(GrpcStatusCode.Internal, "compressed gRPC messages are not supported", FailureKind.Final);
        }

        var length = BinaryPrimitives.ReadUInt32BigEndian(header.Slice(1, 4));
        if (length > int.MaxValue - HeaderSize)
        {
            throw new GrpcCallException(GrpcStatusCode.Internal, "gRPC message too large", FailureKind.Final);
        }

        return (int)length;
    }
}
