using System.Collections.Concurrent;
using Korvet.ApiServer.Registry;
using Korvet.Storage;

namespace Korvet.ApiServer.Watch;

/// <summary>
/// One <see cref="WatchCache"/> per storage prefix, created and started on first use. Resources that share storage
/// (e.g. autoscaling v1 and v2 HPAs) share one cache. Thread-safe.
/// </summary>
public sealed class WatchCacheSet : IAsyncDisposable
{
    private readonly IBackend _backend;
    private readonly WatchCacheOptions _options;
    private readonly ConcurrentDictionary<string, WatchCache> _caches = new(StringComparer.Ordinal);

    public WatchCacheSet(IBackend backend, WatchCacheOptions options)
    {
        _backend = backend;
        _options = options;
    }

    public WatchCache For(ResourceDefinition resource)
    {
        WatchCache cache = _caches.GetOrAdd(resource.KeyPrefix, prefix => new WatchCache(_backend, prefix, _options));
        cache.Start();
        return cache;
    }

    /// <summary>The cache of a prefix only if already running (never starts one).</summary>
    public WatchCache? Existing(ResourceDefinition resource) =>
        _caches.TryGetValue(resource.KeyPrefix, out WatchCache? cache) ? cache : null;

    public async ValueTask DisposeAsync()
    {
        foreach (WatchCache cache in _caches.Values)
        {
            await cache.DisposeAsync();
        }
    }
}
