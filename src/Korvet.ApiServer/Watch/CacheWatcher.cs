using System.Threading.Channels;
using Korvet.ApiServer.Storage;

namespace Korvet.ApiServer.Watch;

/// <summary>An event as one watcher receives it: the shared cache event and the type this watcher sees it as.</summary>
public readonly record struct WatcherEvent(CacheEvent Event, WatchEventKind Kind)
{
    /// <summary>Writes the JSON watch line <c>{"type":"...","object":{...}}\n</c> in three pieces (no copy of the object).</summary>
    public async ValueTask WriteLineAsync(Stream body, CancellationToken ct)
    {
        await body.WriteAsync(CacheEvent.LinePrefix(Kind), ct);
        await body.WriteAsync(Event.Object.Json, ct);
        await body.WriteAsync(CacheEvent.LineSuffix, ct);
    }
}

/// <summary>
/// One registered watch on a <see cref="WatchCache"/>. The cache's dispatcher writes matching events; the HTTP
/// handler reads them. A watcher that falls more than the cache's limit behind is ended (like upstream's slow
/// watcher termination) and the client re-watches. Dispose to unregister.
/// </summary>
public sealed class CacheWatcher : IDisposable
{
    private readonly Channel<WatcherEvent> _channel = Channel.CreateUnbounded<WatcherEvent>(
        new UnboundedChannelOptions { SingleReader = true, SingleWriter = false });
    private readonly Action<CacheWatcher> _unregister;
    private readonly int _maxPending;
    private int _pending;

    internal CacheWatcher(string keyPrefix, ListFilter filter, long fromRevision, int maxPending, Action<CacheWatcher> unregister)
    {
        KeyPrefix = keyPrefix;
        Filter = filter;
        FromRevision = fromRevision;
        _maxPending = maxPending;
        _unregister = unregister;
    }

    /// <summary>Only keys under this prefix are delivered (the resource prefix, plus the namespace when scoped).</summary>
    public string KeyPrefix { get; }

    public ListFilter Filter { get; }

    /// <summary>Events at or below this revision are not delivered.</summary>
    public long FromRevision { get; }

    public ChannelReader<WatcherEvent> Reader => _channel.Reader;

    /// <summary>Called by the reader after consuming an event.</summary>
    public void Consumed() => Interlocked.Decrement(ref _pending);

    /// <summary>Delivers <paramref name="ev"/> if it concerns this watcher, translating the type for selectors.</summary>
    internal void Offer(CacheEvent ev)
    {
        if (ev.Revision <= FromRevision || !ev.Object.Key.StartsWith(KeyPrefix, StringComparison.Ordinal))
        {
            return;
        }

        if (Filter.Name is { } name && ev.Object.Name != name)
        {
            return;
        }

        WatchEventKind? kind = Classify(ev);
        if (kind is null)
        {
            return;
        }

        if (Interlocked.Increment(ref _pending) > _maxPending)
        {
            _channel.Writer.TryComplete();
            return;
        }

        _channel.Writer.TryWrite(new WatcherEvent(ev, kind.Value));
    }

    internal void Complete() => _channel.Writer.TryComplete();

    private WatchEventKind? Classify(CacheEvent ev)
    {
        if (Filter.IsEmpty)
        {
            return ev.Kind;
        }

        bool now = Filter.Matches(ev.Object);
        bool before = ev.Previous is not null && ev.Kind == WatchEventKind.Modified && Filter.Matches(ev.Previous);
        return ev.Kind switch
        {
            WatchEventKind.Deleted => now ? WatchEventKind.Deleted : null,
            _ when now && before => WatchEventKind.Modified,
            _ when now => WatchEventKind.Added,
            _ when before => WatchEventKind.Deleted,
            _ => null,
        };
    }

    public void Dispose()
    {
        _channel.Writer.TryComplete();
        _unregister(this);
    }
}
