using Korvet.Api.Core.V1;
using Korvet.Api.Meta.V1;
using Korvet.Client.Cache;
using Korvet.Client.Queue;
using Korvet.Controllers;
using Microsoft.Extensions.Logging.Abstractions;

namespace Korvet.Client.Tests;

public sealed class ControllerManagerTests(ClientCluster cluster) : IClassFixture<ClientCluster>
{
    [Fact]
    public async Task TheDefaultListIsBuiltFromTheContext()
    {
        await using var informers = new SharedInformerFactory(cluster.Client);
        var context = new ControllerContext(cluster.Client, informers);
        Assert.NotNull(ControllerManager.CreateDefault(context));
        Assert.Equal(5, context.Options.ConcurrentSyncs);
        Assert.Same(context.Events("x"), context.Events("x"));
    }

    [Fact]
    public async Task RunsControllersAfterTheirInformersSynced()
    {
        await cluster.Client.Resource<ConfigMap>().CreateAsync(new ConfigMap { Metadata = new ObjectMeta { Name = "cm-manager", Namespace = "default" } });
        await using var informers = new SharedInformerFactory(cluster.Client);
        var context = new ControllerContext(cluster.Client, informers);
        var controller = new LabelingController(context);
        var manager = new ControllerManager(context, [controller]);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        Task run = manager.RunAsync(cts.Token);

        await Wait.UntilAsync(() => controller.Synced.Contains("default/cm-manager"), "the controller to sync the configmap");
        Assert.True(controller.CacheWasSyncedAtStart);
        ConfigMap labeled = await cluster.Client.Resource<ConfigMap>().GetAsync("cm-manager", "default");
        Assert.Equal("yes", labeled.Metadata!.Labels!["managed"]);
        await cts.CancelAsync();
        await run;
    }

    /// <summary>A minimal controller in the house shape: handlers enqueue keys, workers sync from the cache.</summary>
    private sealed class LabelingController : IController
    {
        private readonly ControllerContext _context;
        private readonly SharedIndexInformer<ConfigMap> _configMaps;
        private readonly WorkQueue<string> _queue = new();

        public LabelingController(ControllerContext context)
        {
            _context = context;
            _configMaps = context.Informers.For<ConfigMap>();
            _configMaps.AddEventHandler(onAdd: c => _queue.Add(ObjectKey.Of(c)), onUpdate: (_, c) => _queue.Add(ObjectKey.Of(c)));
        }

        public string Name => "labeling";

        public System.Collections.Concurrent.ConcurrentBag<string> Synced { get; } = [];

        public bool CacheWasSyncedAtStart { get; private set; }

        public Task RunAsync(CancellationToken ct)
        {
            CacheWasSyncedAtStart = _configMaps.HasSynced;
            return QueueWorkers.RunAsync(_queue, _context.Options.ConcurrentSyncs, SyncAsync, NullLogger.Instance, ct);
        }

        private async Task SyncAsync(string key, CancellationToken ct)
        {
            ConfigMap? cm = _configMaps.Store.Get(key);
            if (cm is null || cm.Metadata!.Labels?.ContainsKey("managed") == true)
            {
                Synced.Add(key);
                return;
            }

            (string? ns, string name) = ObjectKey.Split(key);
            await _context.Client.Resource<ConfigMap>().PatchAsync(name, ns, PatchType.Merge, """{"metadata":{"labels":{"managed":"yes"}}}""", ct: ct);
        }
    }
}
