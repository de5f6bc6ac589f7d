using Google.Protobuf;
using Korvet.Storage.Etcd.Protos;
using Korvet.Storage.Etcd.Transport;

namespace Korvet.Storage.Etcd;

/// <summary>Writes: each one is a single etcd transaction (see the class remarks for failover).</summary>
public sealed partial class EtcdBackend
{
    public async Task<long> CreateAsync(string key, byte[] value, long ttlSeconds = 0, CancellationToken cancellationToken = default)
    {
        StorageLimits.ValidateKey(key);
        StorageLimits.ValidateValue(value);
        ArgumentOutOfRangeException.ThrowIfNegative(ttlSeconds);
        var lease = ttlSeconds > 0 ? await GrantLeaseAsync(ttlSeconds, cancellationToken).ConfigureAwait(false) : 0;
        var keyBytes = EtcdWire.Key(key);
        var txn = new TxnRequest();
        txn.Compare.Add(new Compare
        {
            Key = keyBytes, Target = Compare.Types.CompareTarget.Create, Result = Compare.Types.CompareResult.Equal, CreateRevision = 0,
        });
        txn.Success.Add(new RequestOp { RequestPut = new PutRequest { Key = keyBytes, Value = UnsafeByteOperations.UnsafeWrap(value), Lease = lease } });
        txn.Failure.Add(new RequestOp { RequestRange = new RangeRequest { Key = keyBytes } });

        var sentAfter = Volatile.Read(ref _lastSeenRevision);
        var (response, inDoubt) = await CallAsync(EtcdMethod.Txn, txn, TxnResponse.Parser, RetryPolicy.CompareAndSwap,
            cancellationToken).ConfigureAwait(false);
        var revision = Observe(response.Header);
        if (response.Succeeded)
        {
            return revision;
        }

        var current = FirstKv(response);
        if (current is not null && inDoubt && IsOurWrite(current, value, lease, sentAfter) && current.CreateRevision == current.ModRevision)
        {
            return current.ModRevision;
        }

        RevokeUnused(lease, current);
        throw new StorageException(StorageErrorCode.KeyExists, $"key {key} already exists",
            current is null ? null : EtcdWire.ToKeyValue(current));
    }

    public async Task<long> UpdateAsync(string key, byte[] value, long expectedModRevision, long ttlSeconds = 0,
        CancellationToken cancellationToken = default)
    {
        StorageLimits.ValidateKey(key);
        StorageLimits.ValidateValue(value);
        ArgumentOutOfRangeException.ThrowIfNegative(ttlSeconds);
        var lease = ttlSeconds > 0 ? await GrantLeaseAsync(ttlSeconds, cancellationToken).ConfigureAwait(false) : 0;
        var keyBytes = EtcdWire.Key(key);
        var txn = new TxnRequest();
        AddModRevisionCompare(txn, keyBytes, expectedModRevision);
        txn.Success.Add(new RequestOp { RequestPut = new PutRequest { Key = keyBytes, Value = UnsafeByteOperations.UnsafeWrap(value), Lease = lease } });
        txn.Failure.Add(new RequestOp { RequestRange = new RangeRequest { Key = keyBytes } });

        var sentAfter = Volatile.Read(ref _lastSeenRevision);
        var (response, inDoubt) = await CallAsync(EtcdMethod.Txn, txn, TxnResponse.Parser, RetryPolicy.CompareAndSwap,
            cancellationToken).ConfigureAwait(false);
        var revision = Observe(response.Header);
        if (response.Succeeded)
        {
            return revision;
        }

        var current = FirstKv(response);
        RevokeUnused(lease, current);
        if (current is null)
        {
            throw new StorageException(StorageErrorCode.KeyNotFound, $"key {key} not found");
        }

        if (inDoubt && IsOurWrite(current, value, lease, sentAfter))
        {
            return current.ModRevision;
        }

        throw new StorageException(StorageErrorCode.Conflict,
            $"key {key} is at revision {current.ModRevision}, not {expectedModRevision}", EtcdWire.ToKeyValue(current));
    }

    public async Task<DeleteResult> DeleteAsync(string key, long expectedModRevision = 0, CancellationToken cancellationToken = default)
    {
        StorageLimits.ValidateKey(key);
        ArgumentOutOfRangeException.ThrowIfNegative(expectedModRevision);
        var keyBytes = EtcdWire.Key(key);
        var delete = new DeleteRangeRequest { Key = keyBytes, PrevKv = true };
        if (expectedModRevision == 0)
        {
            var (deleted, _) = await CallAsync(EtcdMethod.DeleteRange, delete, DeleteRangeResponse.Parser, RetryPolicy.NotSentOnly,
                cancellationToken).ConfigureAwait(false);
            var at = Observe(deleted.Header);
            return deleted.PrevKvs.Count == 0
                ? throw new StorageException(StorageErrorCode.KeyNotFound, $"key {key} not found")
                : new DeleteResult(at, EtcdWire.ToKeyValue(deleted.PrevKvs[0]));
        }

        var txn = new TxnRequest();
        AddModRevisionCompare(txn, keyBytes, expectedModRevision);
        txn.Success.Add(new RequestOp { RequestDeleteRange = delete });
        txn.Failure.Add(new RequestOp { RequestRange = new RangeRequest { Key = keyBytes } });
        var (response, _) = await CallAsync(EtcdMethod.Txn, txn, TxnResponse.Parser, RetryPolicy.CompareAndSwap,
            cancellationToken).ConfigureAwait(false);
        var revision = Observe(response.Header);
        if (response.Succeeded)
        {
            var prev = response.Responses[0].ResponseDeleteRange.PrevKvs;
            return new DeleteResult(revision, EtcdWire.ToKeyValue(prev[0]));
        }

        var current = FirstKv(response);
        throw current is null
            ? new StorageException(StorageErrorCode.KeyNotFound, $"key {key} not found")
            : new StorageException(StorageErrorCode.Conflict,
                $"key {key} is at revision {current.ModRevision}, not {expectedModRevision}", EtcdWire.ToKeyValue(current));
    }

    /// <summary>mod_revision(key) == expected, plus "the key exists" when expected is 0 (etcd reports mod revision 0
    /// for an absent key, which would otherwise let an update create it).</summary>
    private static void AddModRevisionCompare(TxnRequest txn, ByteString key, long expected)
    {
        txn.Compare.Add(new Compare
        {
            Key = key, Target = Compare.Types.CompareTarget.Mod, Result = Compare.Types.CompareResult.Equal, ModRevision = expected,
        });
        if (expected <= 0)
        {
            txn.Compare.Add(new Compare
            {
                Key = key, Target = Compare.Types.CompareTarget.Create, Result = Compare.Types.CompareResult.Greater, CreateRevision = 0,
            });
        }
    }

    private static Protos.KeyValue? FirstKv(TxnResponse response) =>
        response.Responses.Count > 0 && response.Responses[0].ResponseRange is { Kvs.Count: > 0 } range ? range.Kvs[0] : null;

    /// <summary>Whether the live key is the write an in-doubt earlier attempt of this call made (class remarks).</summary>
    private static bool IsOurWrite(Protos.KeyValue current, byte[] value, long lease, long sentAfter) =>
        current.ModRevision > sentAfter && current.Lease == lease && current.Value.Span.SequenceEqual(value);

    private async Task<long> GrantLeaseAsync(long ttlSeconds, CancellationToken cancellationToken)
    {
        // A lease granted twice by a retry is harmless: the unused one expires by itself.
        var result = await CallAsync(EtcdMethod.LeaseGrant, new LeaseGrantRequest { TTL = ttlSeconds }, LeaseGrantResponse.Parser,
            RetryPolicy.Any, cancellationToken).ConfigureAwait(false);
        var response = result.Response;
        if (!string.IsNullOrEmpty(response.Error) || response.ID == 0)
        {
            throw new StorageException(StorageErrorCode.Unavailable, $"etcd refused a lease: {response.Error}");
        }

        return response.ID;
    }

    /// <summary>Best-effort revoke of a lease granted for a write that lost; failures only delay its expiry. Never
    /// revokes a lease the live key holds (revoking would delete it).</summary>
    private void RevokeUnused(long lease, Protos.KeyValue? current)
    {
        if (lease == 0 || current?.Lease == lease || _stopping.IsCancellationRequested)
        {
            return;
        }

        _ = Task.Run(async () =>
        {
            try
            {
                await _transport.CallAsync(EtcdMethod.LeaseRevoke, new LeaseRevokeRequest { ID = lease }, LeaseRevokeResponse.Parser,
                    RetryPolicy.Any, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // The lease expires after its TTL anyway.
            }
        });
    }
}
