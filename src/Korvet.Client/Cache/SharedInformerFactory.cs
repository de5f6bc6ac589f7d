using Korvet.Api;

namespace Korvet.Client.Cache;

/// <summary>
/// One informer per resource type (cluster-wide) shared by every controller of a process, so each type is listed and
/// watched once. Create informers with <see cref="For{T}"/> and register handlers, then <see cref="StartAsync"/>;
/// informers created later start at the next <see cref="StartAsync"/>. Thread-safe. Dispose stops them all.
/// Cached objects carry no <c>metadata.managedFields</c> unless keepManagedFields (as upstream's
/// controller manager and scheduler strip them): they are the bulk of most objects and no controller reads them; the
/// API server keeps the live entries when an update leaves them out.
/// <para>A scope (<see cref="CreateScope"/>) is a factory over another one's informers: its informers are views (own
/// handlers, shared cache and list/watch), starting it starts the shared informers, and disposing it removes only its
/// handlers. Components of one process use scopes of one factory, so every object is held once per process.</para>
/// </summary>
public sealed class SharedInformerFactory : IAsyncDisposable
{
    private readonly KubernetesClient _client;
    private readonly TimeProvider? _time;
    private readonly bool _keepManagedFields;
    private readonly SharedInformerFactory? _parent;
    private readonly Lock _lock = new();
    private readonly Dictionary<Type, IInformer> _informers = [];
    private readonly List<IInformer> _startedInformers = [];
    private readonly List<Task> _running = [];
    private readonly List<CancellationTokenSource> _links = [];
    private readonly CancellationTokenSource _stop = new();

    public SharedInformerFactory(KubernetesClient client, TimeProvider? time = null, bool keepManagedFields = false)
    {
        _client = client;
        _time = time;
        _keepManagedFields = keepManagedFields;
    }

    private SharedInformerFactory(SharedInformerFactory parent, KubernetesClient client)
    {
        _parent = parent;
        _client = client;
    }

    /// <summary>The client of whoever uses this factory (for a scope: the scope's, not the shared informers').</summary>
    public KubernetesClient Client => _client;

    /// <summary>A scope over this factory's informers whose <see cref="Client"/> is <paramref name="client"/>.</summary>
    public SharedInformerFactory CreateScope(KubernetesClient client) => new(_parent ?? this, client);

    public SharedIndexInformer<T> For<T>()
        where T : class, IKubernetesObject
    {
        lock (_lock)
        {
            if (!_informers.TryGetValue(typeof(T), out IInformer? informer))
            {
                informer = _parent is not null
                    ? _parent.For<T>().CreateView()
                    : new SharedIndexInformer<T>(_client.Resource<T>(), logger: _client.LoggerFactory.CreateLogger($"Korvet.Client.Informer.{typeof(T).Name}"),
                        time: _time, transform: _keepManagedFields ? null : InformerTransforms.StripManagedFields<T>);
                _informers[typeof(T)] = informer;
            }

            return (SharedIndexInformer<T>)informer;
        }
    }

    /// <summary>
    /// Starts every informer not yet started; they run until <paramref name="ct"/> fires or disposal. A scope starts
    /// the shared informers, which run until the shared factory is disposed.
    /// </summary>
    public Task StartAsync(CancellationToken ct)
    {
        if (_parent is not null)
        {
            return _parent.StartAsync(CancellationToken.None);
        }

        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_stop.IsCancellationRequested, this);
            var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, _stop.Token);
            _links.Add(linked);
            foreach (IInformer informer in _informers.Values.Except(_startedInformers).ToList())
            {
                _startedInformers.Add(informer);
                _running.Add(Task.Run(() => informer.RunAsync(linked.Token), CancellationToken.None));
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>Waits until every started informer (for a scope: every informer it handed out) has synced.</summary>
    public Task WaitForCacheSyncAsync(CancellationToken ct)
    {
        List<IInformer> started;
        lock (_lock)
        {
            started = _parent is null ? [.. _startedInformers] : [.. _informers.Values];
        }

        return Task.WhenAll(started.Select(i => i.WaitForCacheSyncAsync(ct)));
    }

    public async ValueTask DisposeAsync()
    {
        if (_parent is not null)
        {
            lock (_lock)
            {
                foreach (IInformer view in _informers.Values)
                {
                    view.Detach();
                }

                _informers.Clear();
            }

            return;
        }

        Task[] running;
        lock (_lock)
        {
            if (_stop.IsCancellationRequested)
            {
                return;
            }

            _stop.Cancel();
            running = [.. _running];
        }

        await Task.WhenAll(running).ConfigureAwait(false);
        foreach (CancellationTokenSource link in _links)
        {
            link.Dispose();
        }

        _stop.Dispose();
    }
}
