using Korvet.Client;
using Korvet.Server;

namespace Korvet.Controllers.Tests.StatefulSets;

/// <summary>
/// A whole in-process cluster as <c>korvet server --simulate-nodes 3</c> gives it: API server, the default controller
/// manager, scheduler and three simulated nodes (pods become Running and Ready once scheduled), for kubectl tests.
/// </summary>
public sealed class StatefulSetCluster : TestCluster
{
    private KubernetesClient? _client;

    public KubernetesClient Client => _client ?? throw new InvalidOperationException("not started");

    protected override ServerOptions CreateOptions() => base.CreateOptions() with { SimulateNodes = 3 };

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _client = new KubernetesClient(ClientOptions.FromKubeconfigFile(Kubeconfig));
    }

    public override async Task DisposeAsync()
    {
        _client?.Dispose();
        await base.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class StatefulSetCollection : ICollectionFixture<StatefulSetCluster>
{
    public const string Name = "statefulset cluster";
}
