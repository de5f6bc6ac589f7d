using Korvet.Client;

namespace Korvet.Controllers.Tests.Lifecycle;

/// <summary>
/// A real in-process <c>korvet server</c> without its own controllers or scheduler, running only the lifecycle
/// controllers (garbage collector, namespace, serviceaccount, endpoints, endpointslice, pod GC) in a manager of its own,
/// so the workload controllers do not manage the hand-made Deployment → ReplicaSet → Pod chains these tests delete.
/// Shared by the lifecycle test classes through <see cref="LifecycleCollection"/>.
/// </summary>
public sealed class LifecycleCluster : TestCluster
{
    private KubernetesClient? _client;

    public KubernetesClient Client => _client ?? throw new InvalidOperationException("not started");

    private readonly CancellationTokenSource _stop = new();
    private Task? _manager;

    /// <summary>No scheduler (the tests' pods have no nodes to go to) and no server-run controllers.</summary>
    protected override Korvet.Server.ServerOptions CreateOptions() =>
        base.CreateOptions() with { DisableScheduler = true, DisableControllers = true };

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _client = new KubernetesClient(ClientOptions.FromKubeconfigFile(Kubeconfig));
        var context = new ControllerContext(_client, new Korvet.Client.Cache.SharedInformerFactory(_client));
        _manager = new ControllerManager(context,
        [
            new Korvet.Controllers.GarbageCollector.GarbageCollectorController(context),
            new Korvet.Controllers.Namespace.NamespaceController(context),
            new Korvet.Controllers.ServiceAccount.ServiceAccountController(context),
            new Korvet.Controllers.Endpoints.EndpointsController(context),
            new Korvet.Controllers.EndpointSlice.EndpointSliceController(context),
            new Korvet.Controllers.PodGc.PodGcController(context),
        ]).RunAsync(_stop.Token);
    }

    public override async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_manager is not null)
        {
            await _manager;
        }

        _client?.Dispose();
        await base.DisposeAsync();
    }

    /// <summary>Polls <paramref name="condition"/> every 50 ms for up to <paramref name="seconds"/>.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, string what, int seconds = 30)
    {
        DateTime deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"timed out waiting for {what}");
            }

            await Task.Delay(50);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class LifecycleCollection : ICollectionFixture<LifecycleCluster>
{
    public const string Name = "lifecycle";
}
