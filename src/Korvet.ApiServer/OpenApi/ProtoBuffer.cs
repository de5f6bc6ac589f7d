using System.Text;

namespace Korvet.ApiServer.OpenApi;

/// <summary>A minimal protobuf (proto3) message writer: varints, strings, bools and nested messages. Not thread-safe;
/// one instance per message being built.</summary>
internal sealed class ProtoBuffer
{
    private readonly MemoryStream _stream = new();

    public bool IsEmpty => _stream.Length == 0;

    public void String(int field, string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return;
        }

        Bytes(field, Encoding.UTF8.GetBytes(value));
    }

    public void Bool(int field, bool value)
    {
        if (value)
        {
            Tag(field, 0);
            Varint(1);
        }
    }

    /// <summary>Writes a nested message, even when empty (presence matters for oneof members).</summary>
    public void Message(int field, ProtoBuffer message) => Bytes(field, message.ToArray());

    public byte[] ToArray() => _stream.ToArray();

    private void Bytes(int field, byte[] bytes)
    {
        Tag(field, 2);
        Varint((ulong)bytes.Length);
        _stream.Write(bytes);
    }

    private void Tag(int field, int wireType) => Varint((ulong)((field << 3) | wireType));

    private void Varint(ulong value)
    {
        while (value >= 0x80)
        {
            _stream.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }

        _stream.WriteByte((byte)value);
    }
}
