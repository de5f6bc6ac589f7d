using System.Runtime.InteropServices;
using System.Text;
using Google.Protobuf;
using Korvet.Storage.Etcd.Transport;
using Wire = Korvet.Storage.Etcd.Protos;

namespace Korvet.Storage.Etcd;

/// <summary>Conversions between Korvet's storage types and etcd's wire messages, and etcd error mapping.</summary>
internal static class EtcdWire
{
    /// <summary>etcd's "all keys" range bound (a single NUL byte).</summary>
    public static readonly ByteString Nul = ByteString.CopyFrom(0);

    public static ByteString Key(string key) => ByteString.CopyFromUtf8(key);

    /// <summary>The first key after every key that starts with <paramref name="prefix"/> (etcd's prefix range end);
    /// NUL (= to the end of the keyspace) when there is none.</summary>
    public static ByteString PrefixEnd(ReadOnlySpan<byte> prefix)
    {
        for (var i = prefix.Length - 1; i >= 0; i--)
        {
            if (prefix[i] != 0xff)
            {
                var end = prefix[..(i + 1)].ToArray();
                end[i]++;
                return UnsafeByteOperations.UnsafeWrap(end);
            }
        }

        return Nul;
    }

    /// <summary>Range bounds for live keys under <paramref name="prefix"/>, starting strictly after
    /// <paramref name="afterKey"/> when given.</summary>
    public static (ByteString Start, ByteString End) PrefixRange(string prefix, string? afterKey)
    {
        var prefixBytes = Encoding.UTF8.GetBytes(prefix);
        var end = PrefixEnd(prefixBytes);
        var start = prefixBytes.Length == 0 ? Nul : UnsafeByteOperations.UnsafeWrap(prefixBytes);
        if (afterKey is not null)
        {
            var after = new byte[Encoding.UTF8.GetByteCount(afterKey) + 1];
            Encoding.UTF8.GetBytes(afterKey, after);
            if (after.AsSpan().SequenceCompareTo(start.Span) > 0)
            {
                start = UnsafeByteOperations.UnsafeWrap(after);
            }
        }

        return (start, end);
    }

    public static KeyValue ToKeyValue(Wire.KeyValue kv) =>
        new(kv.Key.ToStringUtf8(), Bytes(kv.Value), kv.CreateRevision, kv.ModRevision);

    /// <summary>The bytes of a parsed ByteString without a second copy (parsed ByteStrings own their array).</summary>
    public static byte[] Bytes(ByteString value)
    {
        if (value.Length == 0)
        {
            return [];
        }

        return MemoryMarshal.TryGetArray(value.Memory, out var segment) && segment.Offset == 0 &&
               segment.Count == segment.Array!.Length
            ? segment.Array
            : value.ToByteArray();
    }

    public static WatchEvent ToWatchEvent(Wire.Event e)
    {
        var previous = e.PrevKv is null ? null : ToKeyValue(e.PrevKv);
        if (e.Type == Wire.Event.Types.EventType.Delete)
        {
            var deleted = new KeyValue(e.Kv.Key.ToStringUtf8(), [], previous?.CreateRevision ?? 0, e.Kv.ModRevision);
            return new WatchEvent(WatchEventType.Delete, deleted, previous);
        }

        return new WatchEvent(WatchEventType.Put, ToKeyValue(e.Kv), previous);
    }

    /// <summary>Maps a failed etcd call to the contract's typed error.</summary>
    public static StorageException ToStorage(GrpcCallException e)
    {
        var message = e.Message;
        var code = e.Status switch
        {
            GrpcStatusCode.OutOfRange when message.Contains("compacted", StringComparison.Ordinal) => StorageErrorCode.Compacted,
            GrpcStatusCode.OutOfRange when message.Contains("future revision", StringComparison.Ordinal) => StorageErrorCode.FutureRevision,
            GrpcStatusCode.InvalidArgument or GrpcStatusCode.ResourceExhausted
                when message.Contains("too large", StringComparison.Ordinal) || message.Contains("larger than max", StringComparison.Ordinal)
                => StorageErrorCode.ValueTooLarge,
            GrpcStatusCode.InvalidArgument when message.Contains("key is not provided", StringComparison.Ordinal) => StorageErrorCode.InvalidKey,
            _ => StorageErrorCode.Unavailable,
        };
        return new StorageException(code, $"etcd: {message} ({e.Status})", inner: e);
    }
}
