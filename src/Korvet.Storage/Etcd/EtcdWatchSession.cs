using Korvet.Storage.Etcd.Protos;
using Korvet.Storage.Etcd.Transport;
using Google.Protobuf;

namespace Korvet.Storage.Etcd;

/// <summary>
/// One logical watch over a key range that survives member failures: it runs on one gRPC Watch stream at a time
/// and, when the stream breaks, reopens it on the next healthy member with <c>start_revision</c> = the revision
/// after the last event delivered, so no event is lost or repeated. Not thread-safe (one consumer).
/// </summary>
internal sealed class EtcdWatchSession : IAsyncDisposable
{
    private readonly EtcdTransport _transport;
    private readonly EtcdBackendOptions _options;
    private readonly ByteString _key;
    private readonly ByteString _rangeEnd;
    private GrpcDuplexCall? _call;
    private long _next;

    /// <param name="fromRevision">First revision to deliver; 0 = changes after the stream is established.</param>
    public EtcdWatchSession(EtcdTransport transport, EtcdBackendOptions options, ByteString key, ByteString rangeEnd, long fromRevision)
    {
        _transport = transport;
        _options = options;
        _key = key;
        _rangeEnd = rangeEnd;
        _next = fromRevision;
    }

    /// <summary>Waits for the next non-empty batch of events (all of one or more revisions, in order).</summary>
    /// <exception cref="StorageException">Compacted when the next revision to deliver was compacted away;
    /// Unavailable when no member could serve the watch for <see cref="EtcdBackendOptions.FailoverTimeout"/>.</exception>
    public async Task<IReadOnlyList<WatchEvent>> NextAsync(CancellationToken cancellationToken)
    {
        long failingSince = 0;
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                _call ??= await OpenAsync(cancellationToken).ConfigureAwait(false);
                var response = await _call.ReadAsync(WatchResponse.Parser, cancellationToken).ConfigureAwait(false)
                    ?? throw new GrpcCallException(GrpcStatusCode.Unavailable, "etcd ended the watch stream", FailureKind.InDoubt);
                failingSince = 0;
                attempt = -1;
                var events = Handle(response);
                if (events.Count > 0)
                {
                    return events;
                }
            }
            catch (GrpcCallException e) when (e.Retryable)
            {
                if (_call is { } broken)
                {
                    _transport.MarkUnhealthy(broken.Endpoint);
                }

                await CloseAsync().ConfigureAwait(false);
                var now = Environment.TickCount64;
                if (failingSince == 0)
                {
                    failingSince = now;
                }
                else if (now - failingSince > (long)_options.FailoverTimeout.TotalMilliseconds)
                {
                    throw new StorageException(StorageErrorCode.Unavailable, $"etcd watch could not be re-established: {e.Message}", inner: e);
                }

                await _transport.BackoffAsync(attempt, cancellationToken).ConfigureAwait(false);
            }
            catch (GrpcCallException e)
            {
                throw EtcdWire.ToStorage(e);
            }
        }
    }

    public ValueTask DisposeAsync() => CloseAsync();

    private async Task<GrpcDuplexCall> OpenAsync(CancellationToken cancellationToken)
    {
        var create = new WatchCreateRequest { Key = _key, RangeEnd = _rangeEnd, StartRevision = _next, PrevKv = true };
        var call = await _transport.OpenDuplexAsync(EtcdMethod.Watch, new WatchRequest { CreateRequest = create }, cancellationToken)
            .ConfigureAwait(false);
        return call;
    }

    private async ValueTask CloseAsync()
    {
        if (_call is { } call)
        {
            _call = null;
            await call.DisposeAsync().ConfigureAwait(false);
        }
    }

    private List<WatchEvent> Handle(WatchResponse response)
    {
        if (response.Canceled)
        {
            if (response.CompactRevision > 0)
            {
                throw new StorageException(StorageErrorCode.Compacted,
                    $"etcd: watch from revision {_next} is older than the compacted revision {response.CompactRevision}")
                {
                    CompactedRevision = response.CompactRevision,
                };
            }

            // Cancelled for another reason (e.g. the member lost its leader): resume elsewhere.
            throw new GrpcCallException(GrpcStatusCode.Unavailable, $"etcd cancelled the watch: {response.CancelReason}", FailureKind.InDoubt);
        }

        if (response.Created && _next == 0)
        {
            _next = response.Header.Revision + 1;
        }

        var events = new List<WatchEvent>(response.Events.Count);
        foreach (var e in response.Events)
        {
            var converted = EtcdWire.ToWatchEvent(e);
            events.Add(converted);
            _next = converted.Revision + 1;
        }

        return events;
    }
}
