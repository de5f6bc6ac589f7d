namespace Korvet.Agent.Simulation;

/// <summary>
/// Pod IPs of the simulated nodes: each node hands out addresses of its own block (<see cref="AddressBlocks"/>),
/// lowest free first, from offset 2 (offset 1 is the node's bridge address on a real node). A pod keeps its address
/// until <see cref="Release"/>. Thread-safe (one lock; allocation is O(block size) at worst).
/// </summary>
public sealed class PodAddresses
{
    private readonly AddressBlocks _blocks;
    private readonly Lock _lock = new();
    private readonly Dictionary<int, bool[]> _used = [];
    private readonly Dictionary<string, (int Node, uint Offset)> _byPod = new(StringComparer.Ordinal);

    public PodAddresses(AddressBlocks blocks) => _blocks = blocks;

    /// <summary>The address of pod <paramref name="podKey"/> on node <paramref name="node"/>: its current one,
    /// <paramref name="preferred"/> if that is a free address of the node's block (after a restart), else the lowest
    /// free one; null when the block is full.</summary>
    public string? Assign(string podKey, int node, string? preferred)
    {
        lock (_lock)
        {
            if (_byPod.TryGetValue(podKey, out (int Node, uint Offset) held))
            {
                if (held.Node == node)
                {
                    return _blocks.Address(node, held.Offset);
                }

                ReleaseLocked(podKey);
            }

            if (!_used.TryGetValue(node, out bool[]? used))
            {
                used = new bool[_blocks.BlockSize];
                _used[node] = used;
            }

            uint offset = 0;
            for (uint i = 2; i < used.Length - 1; i++)
            {
                if (!used[i] && _blocks.Address(node, i) == preferred)
                {
                    offset = i;
                    break;
                }
            }

            for (uint i = 2; offset == 0 && i < used.Length - 1; i++)
            {
                if (!used[i])
                {
                    offset = i;
                }
            }

            if (offset == 0)
            {
                return null;
            }

            used[offset] = true;
            _byPod[podKey] = (node, offset);
            return _blocks.Address(node, offset);
        }
    }

    public void Release(string podKey)
    {
        lock (_lock)
        {
            ReleaseLocked(podKey);
        }
    }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _byPod.Count;
            }
        }
    }

    private void ReleaseLocked(string podKey)
    {
        if (_byPod.Remove(podKey, out (int Node, uint Offset) held))
        {
            _used[held.Node][held.Offset] = false;
        }
    }
}
