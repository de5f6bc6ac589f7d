using Korvet.Client;

namespace Korvet.Controllers.Tests.Lifecycle;

/// <summary>
/// A real in-process <c>korvet server</c>, which runs the default controller manager in-process (over loopback HTTPS,
/// under leader election), plus a client for the tests. Shared by the lifecycle test classes through
/// <see cref="LifecycleCollection"/>.
/// </summary>
public sealed class LifecycleCluster : TestCluster
{
    private KubernetesClient? _client;

    public KubernetesClient Client => _client ?? throw new InvalidOperationException("not started");

    /// <summary>No scheduler: the tests' pods have no nodes to go to, and its status writes would race the tests' own.</summary>
    protected override Korvet.Server.ServerOptions CreateOptions() => base.CreateOptions() with { DisableScheduler = true };

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Assert.NotNull(Host.Controllers);
        _client = new KubernetesClient(ClientOptions.FromKubeconfigFile(Kubeconfig));
    }

    public override async Task DisposeAsync()
    {
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
