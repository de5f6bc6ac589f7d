using Korvet.Api;

namespace Korvet.Client.Cache;

/// <summary>
/// One informer per resource type (cluster-wide) shared by every controller of a process, so each type is listed and
/// watched once. Create informers with <see cref="For{T}"/> and register handlers, then <see cref="StartAsync"/>;
/// informers created later start at the next <see cref="StartAsync"/>. Thread-safe. Dispose stops them all.
/// Cached objects carry no <c>metadata.managedFields</c> unless <paramref name="keepManagedFields"/> (as upstream's
/// controller manager and scheduler strip them): they are the bulk of most objects and no controller reads them; the
/// API server keeps the live entries when an update leaves them out.
/// </summary>
public sealed class SharedInformerFactory(KubernetesClient client, TimeProvider? time = null, bool keepManagedFields = false) : IAsyncDisposable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<Type, IInformer> _informers = [];
    private readonly List<IInformer> _startedInformers = [];
    private readonly List<Task> _running = [];
    private readonly List<CancellationTokenSource> _links = [];
    private readonly CancellationTokenSource _stop = new();

    public KubernetesClient Client => client;

    public SharedIndexInformer<T> For<T>()
        where T : class, IKubernetesObject
    {
        lock (_lock)
        {
            if (!_informers.TryGetValue(typeof(T), out IInformer? informer))
            {
                informer = new SharedIndexInformer<T>(client.Resource<T>(), logger: client.LoggerFactory.CreateLogger($"Korvet.Client.Informer.{typeof(T).Name}"),
                    time: time, transform: keepManagedFields ? null : InformerTransforms.StripManagedFields<T>);
                _informers[typeof(T)] = informer;
            }

            return (SharedIndexInformer<T>)informer;
        }
    }

    /// <summary>Starts every informer not yet started; they run until <paramref name="ct"/> fires or disposal.</summary>
    public Task StartAsync(CancellationToken ct)
    {
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

    /// <summary>Waits until every started informer has synced.</summary>
    public Task WaitForCacheSyncAsync(CancellationToken ct)
    {
        List<IInformer> started;
        lock (_lock)
        {
            started = [.. _startedInformers];
        }

        return Task.WhenAll(started.Select(i => i.WaitForCacheSyncAsync(ct)));
    }

    public async ValueTask DisposeAsync()
    {
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
