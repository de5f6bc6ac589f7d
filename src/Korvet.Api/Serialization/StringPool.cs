using System.Text;

namespace Korvet.Api.Serialization;

/// <summary>
/// A bounded, lossy de-duplication table for the short strings decoded objects repeat endlessly (label keys and
/// values, namespaces, images, condition types, owner names and uids): equal strings read through one pool share one
/// instance while they stay in its table. Each slot holds the last string hashed to it, so memory is bounded by the
/// capacity and a miss only costs the allocation that would have happened anyway. Thread-safe without locks: a slot
/// is one reference, read and written atomically; a lost race only loses sharing.
/// </summary>
public sealed class StringPool
{
    /// <summary>Longer strings are rarely repeated (and costly to compare); they are never pooled.</summary>
    public const int MaxLength = 64;

    private readonly string?[] _slots;
    private readonly int _mask;

    /// <param name="capacity">Slots, rounded up to a power of two.</param>
    public StringPool(int capacity = 1 << 14)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        int size = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)capacity);
        _slots = new string?[size];
        _mask = size - 1;
    }

    /// <summary>The pooled instance equal to <paramref name="value"/> (which becomes the pooled one on a miss).</summary>
    public string Get(string value)
    {
        if (value.Length == 0)
        {
            return string.Empty;
        }

        if (value.Length > MaxLength)
        {
            return value;
        }

        ref string? slot = ref _slots[Hash(value.AsSpan()) & _mask];
        string? pooled = Volatile.Read(ref slot);
        if (pooled is not null && string.Equals(pooled, value, StringComparison.Ordinal))
        {
            return pooled;
        }

        Volatile.Write(ref slot, value);
        return value;
    }

    /// <summary>The string for UTF-8 <paramref name="utf8"/>, allocated only when the pool does not hold it (ASCII
    /// only; other text is decoded and not pooled).</summary>
    public string Get(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length == 0)
        {
            return string.Empty;
        }

        if (utf8.Length > MaxLength || !Ascii.IsValid(utf8))
        {
            return Encoding.UTF8.GetString(utf8);
        }

        ref string? slot = ref _slots[Hash(utf8) & _mask];
        string? pooled = Volatile.Read(ref slot);
        if (pooled is not null && Ascii.Equals(utf8, pooled))
        {
            return pooled;
        }

        string value = Encoding.ASCII.GetString(utf8);
        Volatile.Write(ref slot, value);
        return value;
    }

    // FNV-1a over the code units; both overloads hash ASCII text to the same value.
    private static int Hash(ReadOnlySpan<char> text)
    {
        uint hash = 2166136261;
        foreach (char c in text)
        {
            hash = (hash ^ c) * 16777619;
        }

        return (int)(hash ^ (hash >> 15));
    }

    private static int Hash(ReadOnlySpan<byte> text)
    {
        uint hash = 2166136261;
        foreach (byte b in text)
        {
            hash = (hash ^ b) * 16777619;
        }

        return (int)(hash ^ (hash >> 15));
    }
}
