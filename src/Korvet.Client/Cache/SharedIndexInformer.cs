using System.Threading.Channels;
using Korvet.Api;
using Korvet.Api.Meta.V1;
using Microsoft.Extensions.Logging;

namespace Korvet.Client.Cache;

/// <summary>
/// List-then-watch cache of one resource with event handlers, as client-go's shared informer:
/// <list type="bullet">
/// <item>lists (pages of 500), then watches from the list's resourceVersion with bookmarks; when a watch ends it
/// resumes from the last resourceVersion seen; on 410 Expired it relists and delivers the difference to the cache as
/// add/update/delete; other errors back off (1 s doubling to 30 s) and retry.</item>
/// <item>the cache (<see cref="Store"/>) is updated before the handlers hear of a change.</item>
/// <item>handlers run in order on one dispatch loop per informer — never concurrently with each other for this
/// informer; an exception from a handler is logged and the next notification is delivered. Handlers should only
/// enqueue work. A handler added after start first receives an add for every cached object.</item>
/// </list>
/// Updates are delivered only when the resourceVersion changed. Run once with <see cref="RunAsync"/>.
/// An optional transform runs on every received object before it is cached or handed to handlers (client-go's
/// SetTransform), e.g. to drop fields the process never reads.
/// <para>A view (<see cref="CreateView"/>) shares this informer's list/watch, cache and dispatch loop but has handlers
/// of its own, which <see cref="Detach"/> removes: so components of one process that come and go (a controller
/// manager's term of leadership) share one copy of every object.</para>
/// </summary>
public sealed class SharedIndexInformer<T> : IInformer
    where T : class, IKubernetesObject
{
    private const int PageSize = 500;

    private readonly ResourceClient<T> _client;
    private readonly string? _namespace;
    private readonly string? _labelSelector;
    private readonly string? _fieldSelector;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly TimeSpan? _watchTimeout;
    private readonly Func<T, T>? _transform;
    private readonly Lock _writeLock = new();
    private readonly Channel<Notification> _notifications = Channel.CreateUnbounded<Notification>(new UnboundedChannelOptions { SingleReader = true });
    private readonly TaskCompletionSource _synced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SharedIndexInformer<T>? _source;
    private Handler[] _handlers = [];
    private int _started;
    private int _listCount;
    private string _lastSync = "";

    public SharedIndexInformer(ResourceClient<T> client, string? ns = null, string? labelSelector = null, string? fieldSelector = null,
        ILogger? logger = null, TimeProvider? time = null, TimeSpan? watchTimeout = null, Func<T, T>? transform = null)
    {
        _watchTimeout = watchTimeout;
        _transform = transform;
        _client = client;
        _namespace = ns;
        _labelSelector = labelSelector;
        _fieldSelector = fieldSelector;
        _logger = logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        _time = time ?? TimeProvider.System;
    }

    private SharedIndexInformer(SharedIndexInformer<T> source)
    {
        _source = source;
        _client = source._client;
        _logger = source._logger;
        _time = source._time;
        Store = source.Store;
    }

    public Store<T> Store { get; } = new();

    /// <summary>True once the first list is in the cache (its notifications are queued, maybe not yet handled).</summary>
    public bool HasSynced => (_source ?? this)._synced.Task.IsCompleted;

    /// <summary>The resourceVersion the cache reflects (last list, event or bookmark).</summary>
    public string LastSyncResourceVersion
    {
        get => (_source ?? this)._lastSync;
        private set => _lastSync = value;
    }

    /// <summary>How many full lists ran (1 after the first sync; more after 410s).</summary>
    public int ListCount => Volatile.Read(ref (_source ?? this)._listCount);

    public Task WaitForCacheSyncAsync(CancellationToken ct) => (_source ?? this)._synced.Task.WaitAsync(ct);

    /// <summary>Registers handlers (any may be null); <c>onUpdate(old, new)</c>. Thread-safe.</summary>
    public void AddEventHandler(Action<T>? onAdd = null, Action<T, T>? onUpdate = null, Action<T>? onDelete = null) =>
        (_source ?? this).AddHandler(new Handler(onAdd, onUpdate, onDelete, this));

    /// <summary>A view over this informer: same cache and list/watch, its own handlers (see the class remarks).</summary>
    public SharedIndexInformer<T> CreateView() => new(_source ?? this);

    /// <summary>Removes the handlers registered through this view; notifications already queued for them are dropped.</summary>
    public void Detach()
    {
        SharedIndexInformer<T> core = _source ?? this;
        lock (core._writeLock)
        {
            foreach (Handler h in core._handlers.Where(h => ReferenceEquals(h.Owner, this)))
            {
                h.Removed = true;
            }

            core._handlers = [.. core._handlers.Where(h => !h.Removed)];
        }
    }

    private void AddHandler(Handler handler)
    {
        lock (_writeLock)
        {
            _handlers = [.. _handlers, handler];
            foreach (T obj in Store.List())
            {
                _notifications.Writer.TryWrite(new Notification(NotificationKind.Add, null, obj, handler));
            }
        }
    }

    /// <summary>Runs list+watch and the dispatch loop until <paramref name="ct"/> fires. Call once; not on a view.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        if (_source is not null)
        {
            throw new InvalidOperationException("a view runs with the informer it was created from");
        }

        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException("the informer already runs");
        }

        Task dispatch = Task.Run(() => DispatchAsync(ct), CancellationToken.None);
        try
        {
            await ListAndWatchAsync(ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // stopping
        }
        finally
        {
            _notifications.Writer.TryComplete();
            await dispatch.ConfigureAwait(false);
        }
    }

    private async Task ListAndWatchAsync(CancellationToken ct)
    {
        bool needList = true;
        var backoff = TimeSpan.FromSeconds(1);
        while (!ct.IsCancellationRequested)
        {
            try
            {
                if (needList)
                {
                    await RelistAsync(ct).ConfigureAwait(false);
                    needList = false;
                }

                long started = _time.GetTimestamp();
                await WatchOnceAsync(ct).ConfigureAwait(false);
                backoff = TimeSpan.FromSeconds(1);
                if (_time.GetElapsedTime(started) < TimeSpan.FromMilliseconds(100))
                {
                    // A watch the server ends at once would otherwise spin; resuming a little later loses nothing.
                    await Task.Delay(TimeSpan.FromMilliseconds(100), _time, ct).ConfigureAwait(false);
                }
            }
            catch (ApiException e) when (e.IsGone)
            {
                if (_logger.IsEnabled(LogLevel.Information))
                {
                    _logger.LogInformation("{Resource}: resourceVersion {Rv} expired; relisting", _client.Kind.Plural, LastSyncResourceVersion);
                }

                needList = true;
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                if (_logger.IsEnabled(LogLevel.Warning))
                {
                    _logger.LogWarning(e, "{Resource}: list/watch failed; retrying in {Delay}", _client.Kind.Plural, backoff);
                }

                await Task.Delay(backoff, _time, ct).ConfigureAwait(false);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(30).Ticks));
                needList |= LastSyncResourceVersion.Length == 0;
            }
        }
    }

    private async Task RelistAsync(CancellationToken ct)
    {
        var items = new Dictionary<string, T>(StringComparer.Ordinal);
        string? cont = null;
        string rv = "";
        do
        {
            ResourceList<T> page = await _client.ListAsync(_namespace,
                new ListOptions { LabelSelector = _labelSelector, FieldSelector = _fieldSelector, Limit = PageSize, Continue = cont }, ct).ConfigureAwait(false);
            if (cont is null)
            {
                rv = page.ResourceVersion;
            }

            foreach (T item in page.Items)
            {
                items[ObjectKey.Of(item)] = Transform(item);
            }

            cont = page.Continue;
        }
        while (cont is not null);

        Replace(items, rv);
    }

    private T Transform(T obj) => _transform is null ? obj : _transform(obj);

    /// <summary>Makes the cache equal to a fresh list, notifying the difference (add / changed RV / gone).</summary>
    internal void Replace(Dictionary<string, T> items, string rv)
    {
        Interlocked.Increment(ref _listCount);
        lock (_writeLock)
        {
            foreach ((string key, T obj) in items)
            {
                T? old = Store.Upsert(obj);
                if (old is null)
                {
                    Notify(NotificationKind.Add, null, obj);
                }
                else if (old.Metadata?.ResourceVersion != obj.Metadata?.ResourceVersion)
                {
                    Notify(NotificationKind.Update, old, obj);
                }
            }

            foreach (string key in Store.Keys())
            {
                if (!items.ContainsKey(key) && Store.Remove(key) is { } gone)
                {
                    Notify(NotificationKind.Delete, null, gone);
                }
            }

            LastSyncResourceVersion = rv;
        }

        _synced.TrySetResult();
    }

    private async Task WatchOnceAsync(CancellationToken ct)
    {
        var options = new ListOptions
        {
            LabelSelector = _labelSelector,
            FieldSelector = _fieldSelector,
            ResourceVersion = LastSyncResourceVersion,
            AllowWatchBookmarks = true,
            TimeoutSeconds = _watchTimeout is { } t ? Math.Max(1, (long)t.TotalSeconds) : 300 + Random.Shared.Next(300),
        };
        await foreach (WatchEvent<T> received in _client.WatchAsync(_namespace, options, ct).ConfigureAwait(false))
        {
            WatchEvent<T> e = received.Type == WatchEventType.Bookmark ? received : received with { Object = Transform(received.Object) };
            string? rv = e.Object.Metadata?.ResourceVersion;
            lock (_writeLock)
            {
                switch (e.Type)
                {
                    case WatchEventType.Added:
                    case WatchEventType.Modified:
                        T? old = Store.Upsert(e.Object);
                        if (old is null)
                        {
                            Notify(NotificationKind.Add, null, e.Object);
                        }
                        else
                        {
                            Notify(NotificationKind.Update, old, e.Object);
                        }

                        break;
                    case WatchEventType.Deleted:
                        Store.Remove(ObjectKey.Of(e.Object));
                        Notify(NotificationKind.Delete, null, e.Object);
                        break;
                }

                if (!string.IsNullOrEmpty(rv))
                {
                    LastSyncResourceVersion = rv;
                }
            }
        }
    }

    private void Notify(NotificationKind kind, T? old, T obj) => _notifications.Writer.TryWrite(new Notification(kind, old, obj, null));

    private async Task DispatchAsync(CancellationToken ct)
    {
        try
        {
            await foreach (Notification n in _notifications.Reader.ReadAllAsync(ct).ConfigureAwait(false))
            {
                if (n.Target is not null)
                {
                    Deliver(n.Target, n);
                    continue;
                }

                foreach (Handler h in Volatile.Read(ref _handlers))
                {
                    Deliver(h, n);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // stopping
        }
    }

    private void Deliver(Handler h, Notification n)
    {
        if (h.Removed)
        {
            return;
        }

        try
        {
            switch (n.Kind)
            {
                case NotificationKind.Add:
                    h.OnAdd?.Invoke(n.Object);
                    break;
                case NotificationKind.Update:
                    h.OnUpdate?.Invoke(n.Old!, n.Object);
                    break;
                default:
                    h.OnDelete?.Invoke(n.Object);
                    break;
            }
        }
        catch (Exception e)
        {
            if (_logger.IsEnabled(LogLevel.Error))
            {
                _logger.LogError(e, "{Resource}: an event handler failed on {Kind} of {Key}", _client.Kind.Plural, n.Kind, ObjectKey.Of(n.Object));
            }
        }
    }

    private enum NotificationKind
    {
        Add,
        Update,
        Delete,
    }

    private sealed class Handler(Action<T>? onAdd, Action<T, T>? onUpdate, Action<T>? onDelete, object owner)
    {
        public Action<T>? OnAdd { get; } = onAdd;

        public Action<T, T>? OnUpdate { get; } = onUpdate;

        public Action<T>? OnDelete { get; } = onDelete;

        /// <summary>The informer (or view) it was registered through.</summary>
        public object Owner { get; } = owner;

        /// <summary>Set under the core's write lock; read by the dispatch loop (a stale read delivers one more event).</summary>
        public volatile bool Removed;
    }

    private sealed record Notification(NotificationKind Kind, T? Old, T Object, Handler? Target);
}
