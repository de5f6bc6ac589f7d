using Google.Protobuf;
using Korvet.Storage.Etcd.Protos;
using Korvet.Storage.Etcd.Transport;

namespace Korvet.Storage.Etcd;

/// <summary>
/// <see cref="IBackend"/> on a real etcd v3 cluster, spoken as gRPC over HTTP/2 cleartext.
/// </summary>
/// <remarks>
/// <para>Revisions are etcd's own. A fresh etcd store is at revision 1 (not 0) and its first write gets 2.</para>
/// <para>Failover: reads, compaction and lease grants are retried on the next healthy member after any transport
/// failure or <c>Unavailable</c>, until <see cref="EtcdBackendOptions.FailoverTimeout"/>. Create, update and
/// conditional delete are compare-and-swap transactions, so re-sending one after an in-doubt failure (the first
/// attempt may have been applied) can never apply twice. When the re-sent transaction's compare fails, the backend
/// decides whether the earlier attempt won: the live key must hold exactly the bytes we wrote, with a mod revision
/// newer than any revision this client had seen before sending (so it was written after we sent), and — when a TTL
/// was asked for — carry the lease we granted for this call. Then the write is reported as done at that revision;
/// otherwise the ordinary KeyExists/Conflict is reported. The residual ambiguity is another writer storing the
/// identical bytes in that window, which leaves the store in exactly the state our caller asked for. A conditional
/// delete re-sent after an in-doubt failure that finds the key gone reports KeyNotFound (the key is gone either way;
/// the deleted value is then unknown). An unconditional delete is re-sent only when the first attempt provably never
/// reached a member; otherwise it fails with Unavailable ("may or may not have been applied"). No path reports
/// success for a write that did not happen.</para>
/// <para>Thread-safe. Disposing ends every watch stream normally and closes the connections.</para>
/// </remarks>
public sealed partial class EtcdBackend : IBackend
{
    private readonly EtcdBackendOptions _options;
    private readonly EtcdTransport _transport;
    private readonly CancellationTokenSource _stopping = new();
    private long _lastSeenRevision;
    private long _knownCompactedRevision;

    public EtcdBackend(EtcdBackendOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Endpoints is null || options.Endpoints.Count == 0)
        {
            throw new ArgumentException("at least one etcd endpoint is required", nameof(options));
        }

        foreach (var endpoint in options.Endpoints)
        {
            if (!endpoint.IsAbsoluteUri || endpoint.Scheme != Uri.UriSchemeHttp)
            {
                throw new ArgumentException($"etcd endpoint '{endpoint}' must be an absolute http:// URI", nameof(options));
            }
        }

        _options = options;
        _transport = new EtcdTransport(options);
    }

    public EtcdBackendOptions Options => _options;

    public async Task<long> CurrentRevisionAsync(CancellationToken cancellationToken = default)
    {
        var request = new RangeRequest { Key = EtcdWire.Nul, CountOnly = true };
        var response = await ReadAsync(EtcdMethod.Range, request, RangeResponse.Parser, cancellationToken).ConfigureAwait(false);
        return Observe(response.Header);
    }

    public async Task<KeyValue?> GetAsync(string key, long revision = 0, CancellationToken cancellationToken = default)
    {
        StorageLimits.ValidateKey(key);
        var request = new RangeRequest { Key = EtcdWire.Key(key), Revision = revision };
        var response = await ReadAsync(EtcdMethod.Range, request, RangeResponse.Parser, cancellationToken).ConfigureAwait(false);
        Observe(response.Header);
        return response.Kvs.Count == 0 ? null : EtcdWire.ToKeyValue(response.Kvs[0]);
    }

    public async Task<ListResult> ListAsync(string prefix, ListOptions options, CancellationToken cancellationToken = default)
    {
        StorageLimits.ValidatePrefix(prefix);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegative(options.Limit);
        ArgumentOutOfRangeException.ThrowIfNegative(options.Revision);
        var (start, end) = EtcdWire.PrefixRange(prefix, options.AfterKey);
        var request = new RangeRequest { Key = start, RangeEnd = end, Revision = options.Revision, Limit = options.Limit };
        var response = await ReadAsync(EtcdMethod.Range, request, RangeResponse.Parser, cancellationToken).ConfigureAwait(false);
        var revision = Observe(response.Header);
        var items = new KeyValue[response.Kvs.Count];
        for (var i = 0; i < items.Length; i++)
        {
            items[i] = EtcdWire.ToKeyValue(response.Kvs[i]);
        }

        // count covers the whole requested range (from the start key), unaffected by the limit.
        var remaining = response.More ? Math.Max(0, response.Count - items.Length) : 0;
        return new ListResult(items, options.Revision > 0 ? options.Revision : revision, response.More, remaining);
    }

    public async Task<long> CountAsync(string prefix, CancellationToken cancellationToken = default)
    {
        StorageLimits.ValidatePrefix(prefix);
        var (start, end) = EtcdWire.PrefixRange(prefix, null);
        var request = new RangeRequest { Key = start, RangeEnd = end, CountOnly = true };
        var response = await ReadAsync(EtcdMethod.Range, request, RangeResponse.Parser, cancellationToken).ConfigureAwait(false);
        Observe(response.Header);
        return response.Count;
    }

    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        // _stopping is deliberately not disposed: in-flight calls may still read its token.
        await _stopping.CancelAsync().ConfigureAwait(false);
        _transport.Dispose();
    }

    /// <summary>Runs an idempotent call with full failover and maps failures to typed errors.</summary>
    private async Task<T> ReadAsync<T>(EtcdMethod method, IMessage request, MessageParser<T> parser, CancellationToken cancellationToken)
        where T : IMessage<T>
    {
        var result = await CallAsync(method, request, parser, RetryPolicy.Any, cancellationToken).ConfigureAwait(false);
        return result.Response;
    }

    private async Task<CallResult<T>> CallAsync<T>(EtcdMethod method, IMessage request, MessageParser<T> parser,
        RetryPolicy policy, CancellationToken cancellationToken)
        where T : IMessage<T>
    {
        ObjectDisposedException.ThrowIf(_stopping.IsCancellationRequested, this);
        try
        {
            return await _transport.CallAsync(method, request, parser, policy, cancellationToken).ConfigureAwait(false);
        }
        catch (GrpcCallException e)
        {
            throw EtcdWire.ToStorage(e);
        }
    }

    /// <summary>Records the newest revision seen from the cluster (a lower bound on its current revision, used to
    /// tell our own in-doubt writes from older ones) and returns the header's revision.</summary>
    private long Observe(ResponseHeader? header)
    {
        var revision = header?.Revision ?? 0;
        RaiseTo(ref _lastSeenRevision, revision);
        return revision;
    }

    private static void RaiseTo(ref long field, long value)
    {
        var current = Volatile.Read(ref field);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref field, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}
