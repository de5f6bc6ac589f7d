using System.Buffers.Binary;
using System.Text;

namespace Korvet.Api.Protobuf;

/// <summary>A growable protobuf byte buffer. Not thread-safe; one per encode.</summary>
public sealed class ProtoWriter
{
    private byte[] _buffer = new byte[256];
    private int _length;

    public int Length => _length;

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _length);

    public byte[] ToArray() => _buffer.AsSpan(0, _length).ToArray();

    public void Clear() => _length = 0;

    public void WriteTag(int number, WireType wire) => WriteVarint(((ulong)number << 3) | (uint)wire);

    public void WriteVarint(ulong value)
    {
        Ensure(10);
        while (value >= 0x80)
        {
            _buffer[_length++] = (byte)(value | 0x80);
            value >>= 7;
        }

        _buffer[_length++] = (byte)value;
    }

    public void WriteFixed64(ulong value)
    {
        Ensure(8);
        BinaryPrimitives.WriteUInt64LittleEndian(_buffer.AsSpan(_length), value);
        _length += 8;
    }

    public void WriteBytes(ReadOnlySpan<byte> bytes)
    {
        WriteVarint((ulong)bytes.Length);
        WriteRaw(bytes);
    }

    public void WriteString(string s)
    {
        int max = Encoding.UTF8.GetMaxByteCount(s.Length);
        if (max < 1024)
        {
            Span<byte> tmp = stackalloc byte[max];
            int n = Encoding.UTF8.GetBytes(s, tmp);
            WriteBytes(tmp[..n]);
        }
        else
        {
            WriteBytes(Encoding.UTF8.GetBytes(s));
        }
    }

    public void WriteRaw(ReadOnlySpan<byte> bytes)
    {
        Ensure(bytes.Length);
        bytes.CopyTo(_buffer.AsSpan(_length));
        _length += bytes.Length;
    }

    private void Ensure(int extra)
    {
        if (_length + extra > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + extra));
        }
    }
}
