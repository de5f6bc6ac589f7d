using System.Runtime.CompilerServices;

namespace Korvet.Storage.Etcd;

/// <summary>Watch.</summary>
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
}
