using Korvet.Client;
using Korvet.Client.Cache;

namespace Korvet.Controllers.Tests.Lifecycle;

/// <summary>
/// A real in-process server with the default controller manager running against it over HTTPS (the admin kubeconfig),
/// plus a client for the tests. Shared by the lifecycle test classes through <see cref="LifecycleCollection"/>.
/// </summary>
public sealed class LifecycleCluster : TestCluster
{
    private readonly CancellationTokenSource _stop = new();
    private KubernetesClient? _client;
    private KubernetesClient? _managerClient;
    private SharedInformerFactory? _informers;
    private Task? _manager;

    public KubernetesClient Client => _client ?? throw new InvalidOperationException("not started");

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        ClientOptions options = ClientOptions.FromKubeconfigFile(Kubeconfig);
        _client = new KubernetesClient(options);
        _managerClient = new KubernetesClient(options with { UserAgent = "kube-controller-manager" });
        _informers = new SharedInformerFactory(_managerClient);
        var context = new ControllerContext(_managerClient, _informers);
        var manager = new ControllerManager(context, ControllerManager.CreateDefault(context));
        _manager = Task.Run(() => manager.RunAsync(_stop.Token));
    }

    public override async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_manager is not null)
        {
            await _manager;
        }

        if (_informers is not null)
        {
            await _informers.DisposeAsync();
        }

        _managerClient?.Dispose();
        _client?.Dispose();
        _stop.Dispose();
        await base.DisposeAsync();
    }

    /// <summary>Polls <paramref name="condition"/> every 50 ms for up to <paramref name="seconds"/>.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, string what, int seconds = 20)
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
