using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Korvet.ApiServer.Services;

/// <summary>
/// An IPv4 CIDR as a service IP range: the network and broadcast addresses are never valid, and offset 1 (the first
/// service IP, e.g. 10.43.0.1) is reserved for the <c>kubernetes</c> Service — only given when requested.
/// </summary>
public sealed class Ipv4Range
{
    private readonly uint _base;
    private readonly uint _size;

    public Ipv4Range(string cidr)
    {
        string[] parts = cidr.Split('/');
        if (parts.Length != 2 || !IPAddress.TryParse(parts[0], out IPAddress? ip) || ip.AddressFamily != AddressFamily.InterNetwork ||
            !int.TryParse(parts[1], out int bits) || bits is < 8 or > 30)
        {
            throw new ArgumentException($"invalid IPv4 service CIDR \"{cidr}\" (prefix length 8-30)", nameof(cidr));
        }

        uint mask = uint.MaxValue << (32 - bits);
        _base = ToUInt(ip) & mask;
        _size = 1u << (32 - bits);
        Cidr = $"{FromUInt(_base)}/{bits}";
    }

    /// <summary>The normalized CIDR, as quoted in error messages.</summary>
    public string Cidr { get; }

    /// <summary>The address reserved for the <c>kubernetes</c> Service (network + 1).</summary>
    public string First => FromUInt(_base + 1).ToString();

    /// <summary>True when <paramref name="text"/> is an IPv4 address strictly inside the range (not network/broadcast).</summary>
    public bool Contains(string text)
    {
        if (!IPAddress.TryParse(text, out IPAddress? ip) || ip.AddressFamily != AddressFamily.InterNetwork)
        {
            return false;
        }

        uint offset = ToUInt(ip) - _base;
        return offset >= 1 && offset <= _size - 2;
    }

    /// <summary>A free address other than <see cref="First"/>, scanning from a random start; null when the range is full.</summary>
    public string? PickFree(IReadOnlySet<string> used)
    {
        uint usable = _size - 3; // offsets 2 .. size-2
        uint start = (uint)Random.Shared.NextInt64(usable);
        for (uint i = 0; i < usable; i++)
        {
            string candidate = FromUInt(_base + 2 + ((start + i) % usable)).ToString();
            if (!used.Contains(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    private static uint ToUInt(IPAddress ip) => BinaryPrimitives.ReadUInt32BigEndian(ip.GetAddressBytes());

    private static IPAddress FromUInt(uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return new IPAddress(bytes);
    }
}
