using Korvet.Api.Serialization;

namespace Korvet.Api.Protobuf;

/// <summary>Protobuf wire types.</summary>
public enum WireType
{
    Varint = 0,
    Fixed64 = 1,
    LengthDelimited = 2,
    StartGroup = 3,
    EndGroup = 4,
    Fixed32 = 5,
}

/// <summary>A bounds-checked forward reader over protobuf bytes; every malformation throws <see cref="ApiCodecException"/>.</summary>
public ref struct ProtoReader(ReadOnlySpan<byte> data)
{
    private readonly ReadOnlySpan<byte> _data = data;
    private int _pos;

    public readonly bool End => _pos >= _data.Length;

    public (int Number, WireType Wire) ReadTag()
    {
        ulong tag = ReadVarint();
        int number = (int)(tag >> 3);
        if (tag >> 3 is 0 or > 536_870_911)
        {
            throw new ApiCodecException($"protobuf: invalid field number {tag >> 3} at offset {_pos}");
        }

        return (number, (WireType)(tag & 7));
    }

    public ulong ReadVarint()
    {
        ulong result = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            if (_pos >= _data.Length)
            {
                throw new ApiCodecException("protobuf: unexpected end of data in varint");
            }

            byte b = _data[_pos++];
            result |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80)
            {
                return result;
            }
        }

        throw new ApiCodecException("protobuf: varint longer than 10 bytes");
    }

    public ulong ReadFixed64()
    {
        if (_data.Length - _pos < 8)
        {
            throw new ApiCodecException("protobuf: unexpected end of data in fixed64");
        }

        ulong v = System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(_data.Slice(_pos, 8));
        _pos += 8;
        return v;
    }

    public ReadOnlySpan<byte> ReadBytes()
    {
        ulong len = ReadVarint();
        if (len > (ulong)(_data.Length - _pos))
        {
            throw new ApiCodecException($"protobuf: length {len} exceeds the remaining {_data.Length - _pos} bytes");
        }

        ReadOnlySpan<byte> s = _data.Slice(_pos, (int)len);
        _pos += (int)len;
        return s;
    }

    /// <summary>Skips a field of an unknown number (groups are not used by the Kubernetes API and are rejected).</summary>
    public void Skip(WireType wire)
    {
        switch (wire)
        {
            case WireType.Varint:
                ReadVarint();
                break;
            case WireType.Fixed64:
                ReadFixed64();
                break;
            case WireType.LengthDelimited:
                ReadBytes();
                break;
            case WireType.Fixed32:
                if (_data.Length - _pos < 4)
                {
                    throw new ApiCodecException("protobuf: unexpected end of data in fixed32");
                }

                _pos += 4;
                break;
            default:
                throw new ApiCodecException($"protobuf: unsupported wire type {(int)wire}");
        }
    }
}
