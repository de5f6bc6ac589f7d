using Korvet.Storage.Etcd.Protos;

namespace Korvet.Storage.Etcd;

/// <summary>Compaction.</summary>
public sealed partial class EtcdBackend
{
    public async Task CompactAsync(long revision, CancellationToken cancellationToken = default)
    {
        if (revision <= Volatile.Read(ref _knownCompactedRevision))
        {
            return;
        }

        try
        {
            var request = new CompactionRequest { Revision = revision };
            var response = await ReadAsync(Transport.EtcdMethod.Compact, request, CompactionResponse.Parser, cancellationToken).ConfigureAwait(false);
            Observe(response.Header);
        }
        catch (StorageException e) when (e.Code == StorageErrorCode.Compacted)
        {
            // Already compacted at or beyond this revision: a no-op by contract.
            return;
        }

        RaiseTo(ref _knownCompactedRevision, revision);
    }

    /// <summary>
    /// etcd has no call that reports its compacted revision (only HashKV does, at the cost of hashing the whole
    /// keyspace). It does refuse reads below it, and reading at the compacted revision itself works, so this
    /// binary-searches the lowest readable revision with count-only reads of one unused key (the single NUL byte,
    /// which Korvet keys never are): about log2(current revision) cheap linearizable reads, starting from what this
    /// client already knows. Returns 0 when revision 1 is still readable (nothing was compacted).
    /// </summary>
    public async Task<long> CompactedRevisionAsync(CancellationToken cancellationToken = default)
    {
        if (await ReadableAtAsync(1, cancellationToken).ConfigureAwait(false) is null)
        {
            return 0;
        }

        // Invariant: revision lo - 1 is compacted away; revision hi is readable.
        var lo = 2L;
        var hi = await CurrentRevisionAsync(cancellationToken).ConfigureAwait(false);
        var known = Volatile.Read(ref _knownCompactedRevision);
        if (known >= lo && known < hi)
        {
            if (await ReadableAtAsync(known, cancellationToken).ConfigureAwait(false) is null)
            {
                hi = known;
            }
            else
            {
                lo = known + 1;
            }
        }

        while (lo < hi)
        {
            var mid = lo + ((hi - lo) / 2);
            if (await ReadableAtAsync(mid, cancellationToken).ConfigureAwait(false) is null)
            {
                hi = mid;
            }
            else
            {
                lo = mid + 1;
            }
        }

        RaiseTo(ref _knownCompactedRevision, hi);
        return hi;
    }

    /// <summary>Null when the store can be read at <paramref name="revision"/>, else the Compacted error.</summary>
    private async Task<StorageException?> ReadableAtAsync(long revision, CancellationToken cancellationToken)
    {
        try
        {
            var request = new RangeRequest { Key = EtcdWire.Nul, CountOnly = true, Revision = revision };
            await ReadAsync(Transport.EtcdMethod.Range, request, RangeResponse.Parser, cancellationToken).ConfigureAwait(false);
            return null;
        }
        catch (StorageException e) when (e.Code == StorageErrorCode.Compacted)
        {
            return e;
        }
    }
}
