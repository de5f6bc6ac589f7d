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

    /// <summary>Runs kubectl and fails the test with its output when it exits non-zero.</summary>
    public async Task<string> OkAsync(params string[] args)
    {
        (int exit, string stdout, string stderr) = await RunAsync(args);
        Assert.True(exit == 0, $"kubectl {string.Join(' ', args)} failed ({exit}): {stderr}{stdout}");
        return stdout;
    }

    /// <summary>Polls kubectl <paramref name="probe"/> until its output satisfies <paramref name="done"/>.</summary>
    public async Task<string> EventuallyAsync(Func<string, bool> done, int seconds, params string[] probe)
    {
        DateTime deadline = DateTime.UtcNow.AddSeconds(seconds);
        string last = "";
        while (true)
        {
            (int exit, string stdout, string stderr) = await RunAsync(probe);
            last = exit == 0 ? stdout : stderr + stdout;
            if (exit == 0 && done(stdout))
            {
                return stdout;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"kubectl {string.Join(' ', probe)} did not reach the expected state in {seconds} s; last output: {last}");
            }

            await Task.Delay(250);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class StatefulSetCollection : ICollectionFixture<StatefulSetCluster>
{
    public const string Name = "statefulset cluster";
}
