using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace Korvet.Storage.Watching;

/// <summary>Reads committed history for a watch catch-up: every change under a prefix with
/// <c>fromRevision &lt;= revision &lt;= toRevision</c>, in revision order. Throws
/// <see cref="StorageErrorCode.Compacted"/> when <c>fromRevision</c> is no longer available.</summary>
public delegate IAsyncEnumerable<WatchEvent> WatchHistoryReader(string prefix, long fromRevision, long toRevision,
    CancellationToken cancellationToken);

/// <summary>
/// In-process fan-out of committed changes to watchers, shared by the embedded backends.
/// </summary>
/// <remarks>
/// Concurrency contract: the owning backend calls <see cref="Publish"/> after each commit, from one thread at a
/// time and in revision order. Publishing never blocks: every watcher has its own bounded channel, and a watcher
/// whose channel is full is ended with <see cref="StorageErrorCode.Unavailable"/> ("fell behind") instead of
/// slowing writers. A watcher that is ended this way can resume by watching again from its last revision + 1.
/// </remarks>
public sealed class WatchHub
{
    private readonly Lock _gate = new();
    private readonly int _capacity;
    private Subscriber[] _subscribers = [];
    private bool _closed;

    public WatchHub(int bufferCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bufferCapacity, 1);
        _capacity = bufferCapacity;
    }

    /// <summary>How many watchers are attached (for tests and metrics).</summary>
    public int Count => Volatile.Read(ref _subscribers).Length;

    /// <summary>Delivers one committed change to every watcher whose prefix matches.</summary>
    public void Publish(WatchEvent change)
    {
        var subscribers = Volatile.Read(ref _subscribers);
        var key = change.Current.Key;
        foreach (var subscriber in subscribers)
        {
            if (!key.StartsWith(subscriber.Prefix, StringComparison.Ordinal))
            {
                continue;
            }

            if (!subscriber.Channel.Writer.TryWrite(change))
            {
                subscriber.Channel.Writer.TryComplete(new StorageException(StorageErrorCode.Unavailable,
                    $"watch on '{subscriber.Prefix}' fell more than {_capacity} events behind and was ended; " +
                    $"watch again from revision {change.Revision}"));
                Remove(subscriber);
            }
        }
    }

    /// <summary>Ends every watch normally (the backend is closing); later watches end at once.</summary>
    public void Close()
    {
        Subscriber[] subscribers;
        lock (_gate)
        {
            _closed = true;
            subscribers = _subscribers;
            _subscribers = [];
        }

        foreach (var subscriber in subscribers)
        {
            subscriber.Channel.Writer.TryComplete();
        }
    }

    /// <summary>
    /// Runs one watch: attaches to live changes first, then replays history from <paramref name="fromRevision"/> up
    /// to the committed revision, then streams live changes, skipping those already replayed, so there is neither
    /// a gap nor a duplicate at the switch-over.
    /// </summary>
    /// <param name="committedRevision">The newest revision whose change is readable by <paramref name="history"/>
    /// (set after commit, before <see cref="Publish"/>).</param>
    public async IAsyncEnumerable<WatchEvent> WatchAsync(string prefix, long fromRevision,
        Func<long> committedRevision, WatchHistoryReader history,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        StorageLimits.ValidatePrefix(prefix);
        var subscriber = Add(prefix);
        try
        {
            var upTo = committedRevision();
            var last = fromRevision > 0 ? fromRevision - 1 : upTo;
            if (fromRevision > 0 && fromRevision <= upTo)
            {
                await foreach (var change in history(prefix, fromRevision, upTo, cancellationToken)
                                   .ConfigureAwait(false))
                {
                    last = change.Revision;
                    yield return change;
                }

                last = Math.Max(last, upTo);
            }

            var reader = subscriber.Channel.Reader;
            while (await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (reader.TryRead(out var change))
                {
                    if (change.Revision > last)
                    {
                        last = change.Revision;
                        yield return change;
                    }
                }
            }
        }
        finally
        {
            Remove(subscriber);
        }
    }

    private Subscriber Add(string prefix)
    {
        var subscriber = new Subscriber(prefix, Channel.CreateBounded<WatchEvent>(new BoundedChannelOptions(_capacity)
        {
            SingleReader = true,
            SingleWriter = false, // Close() may complete a channel while the publisher writes to it
            FullMode = BoundedChannelFullMode.Wait,
        }));
        lock (_gate)
        {
            if (_closed)
            {
                subscriber.Channel.Writer.TryComplete();
                return subscriber;
            }

            _subscribers = [.. _subscribers, subscriber];
        }

        return subscriber;
    }

    private void Remove(Subscriber subscriber)
    {
        lock (_gate)
        {
            var index = Array.IndexOf(_subscribers, subscriber);
            if (index < 0)
            {
                return;
            }

            var next = new Subscriber[_subscribers.Length - 1];
            Array.Copy(_subscribers, 0, next, 0, index);
            Array.Copy(_subscribers, index + 1, next, index, next.Length - index);
            _subscribers = next;
        }
    }

    private sealed record Subscriber(string Prefix, Channel<WatchEvent> Channel);
}
