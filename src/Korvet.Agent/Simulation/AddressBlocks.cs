using System.Net;

namespace Korvet.Agent.Simulation;

/// <summary>
/// Splits an IPv4 range into one equal block per node: a /24 each when the range has room (10.42.0.0/16 holds 256),
/// otherwise the largest power-of-two block that fits all nodes (1,000 nodes in a /16 get a /26 = 62 pod IPs each).
/// Pure and thread-safe.
/// </summary>
public sealed class AddressBlocks
{
    private readonly uint _base;
    private readonly int _count;

    public AddressBlocks(string cidr, int count)
    {
        string[] parts = cidr.Split('/');
        if (parts.Length != 2 || !IPAddress.TryParse(parts[0], out IPAddress? address) ||
            address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork ||
            !int.TryParse(parts[1], System.Globalization.CultureInfo.InvariantCulture, out int prefix) || prefix is < 8 or > 30)
        {
            throw new ArgumentException($"invalid IPv4 CIDR '{cidr}'");
        }

        uint size = 1u << (32 - prefix);
        uint block = 256;
        while (block > 4 && (ulong)block * (ulong)count > size)
        {
            block /= 2;
        }

        if ((ulong)block * (ulong)count > size)
        {
            throw new ArgumentException($"{cidr} is too small for {count} nodes");
        }

        byte[] bytes = address.GetAddressBytes();
        _base = ((uint)bytes[0] << 24 | (uint)bytes[1] << 16 | (uint)bytes[2] << 8 | bytes[3]) & ~(size - 1);
        BlockSize = block;
        PrefixLength = 32 - System.Numerics.BitOperations.Log2(block);
        _count = count;
    }

    /// <summary>Addresses per block (a power of two).</summary>
    public uint BlockSize { get; }

    public int PrefixLength { get; }

    /// <summary>Usable host addresses per block (network and broadcast excluded; the .1 gateway too).</summary>
    public int Usable => (int)BlockSize - 3;

    /// <summary>The CIDR of block <paramref name="index"/>, e.g. <c>10.42.3.0/24</c>.</summary>
    public string Cidr(int index) => $"{Address(index, 0)}/{PrefixLength}";

    /// <summary>Address <paramref name="offset"/> inside block <paramref name="index"/>.</summary>
    public string Address(int index, uint offset)
    {
        if (index < 0 || index >= _count || offset >= BlockSize)
        {
            throw new ArgumentOutOfRangeException(nameof(index));
        }

        uint value = _base + ((uint)index * BlockSize) + offset;
        return $"{value >> 24}.{(value >> 16) & 255}.{(value >> 8) & 255}.{value & 255}";
    }
}
