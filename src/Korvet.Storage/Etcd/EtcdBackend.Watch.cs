using System.Runtime.CompilerServices;
using Korvet.Storage.Etcd.Protos;
using Korvet.Storage.Etcd.Transport;

namespace Korvet.Storage.Etcd;

/// <summary>Watch and the compacted-revision probe.</summary>
public sealed partial class EtcdBackend
{
    /// <remarks>One gRPC Watch stream per call, moved to another member on failure (see
    /// <see cref="EtcdWatchSession"/>). With <paramref name="fromRevision"/> 0 the stream starts at the revision
    /// etcd reports when the watch is created, which happens on the first <c>MoveNextAsync</c>. Cancelling
    /// <paramref name="cancellationToken"/> throws <see cref="OperationCanceledException"/>; disposing the backend
    /// ends the stream normally.</remarks>
    public async IAsyncEnumerable<WatchEvent> WatchAsync(string prefix, long fromRevision,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        StorageLimits.ValidatePrefix(prefix);
        ArgumentOutOfRangeException.ThrowIfNegative(fromRevision);
        ObjectDisposedException.ThrowIf(_stopping.IsCancellationRequested, this);
        var (start, end) = EtcdWire.PrefixRange(prefix, null);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
        var session = new EtcdWatchSession(_transport, _options, start, end, fromRevision);
        await using (session.ConfigureAwait(false))
        {
            while (true)
            {
                IReadOnlyList<WatchEvent>? batch = null;
                try
                {
                    batch = await session.NextAsync(linked.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && _stopping.IsCancellationRequested)
                {
                    // Backend disposed: end the stream normally.
                }

                if (batch is null)
                {
                    yield break;
                }

                foreach (var e in batch)
                {
                    RaiseTo(ref _lastSeenRevision, e.Revision);
                    yield return e;
                }
            }
        }
    }

    /// <summary>
    /// etcd has no call that reports its compacted revision, so this asks a member to watch one unused key (the
    /// single NUL byte, which Korvet keys never are) from revision 1: a compacted store cancels that watch and names
    /// its compacted revision, which is the oldest revision still readable. Returns 0 when etcd reports none, and
    /// never less than the newest revision this client compacted to itself.
    /// </summary>
    public async Task<long> CompactedRevisionAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_stopping.IsCancellationRequested, this);
        var probe = new WatchRequest { CreateRequest = new WatchCreateRequest { Key = EtcdWire.Nul, StartRevision = 1 } };
        var deadline = Environment.TickCount64 + (long)_options.FailoverTimeout.TotalMilliseconds;
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var call = await _transport.OpenDuplexAsync(EtcdMethod.Watch, probe, cancellationToken).ConfigureAwait(false);
                await using (call.ConfigureAwait(false))
                {
                    using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    timeout.CancelAfter(_options.RequestTimeout);
                    var response = await call.ReadAsync(WatchResponse.Parser, timeout.Token).ConfigureAwait(false)
                        ?? throw new GrpcCallException(GrpcStatusCode.Unavailable, "etcd ended the watch stream", FailureKind.InDoubt);
                    RaiseTo(ref _knownCompactedRevision, response.CompactRevision);
                    return Volatile.Read(ref _knownCompactedRevision);
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && Environment.TickCount64 < deadline)
            {
                // This member did not answer in time; try the next.
            }
            catch (GrpcCallException e) when (e.Retryable && Environment.TickCount64 < deadline)
            {
                // OpenDuplexAsync already marked the member unhealthy.
            }
            catch (GrpcCallException e)
            {
                throw EtcdWire.ToStorage(e);
            }

            await _transport.BackoffAsync(attempt, cancellationToken).ConfigureAwait(false);
        }
    }
}
