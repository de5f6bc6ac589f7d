namespace Korvet.Client.Tests;

/// <summary>A real in-process server plus a client built from the kubeconfig it wrote.</summary>
public class ClientCluster : TestCluster
{
    private KubernetesClient? _client;

    public KubernetesClient Client => _client ?? throw new InvalidOperationException("not started");

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

internal static class Wait
{
    /// <summary>Polls <paramref name="condition"/> every 20 ms for up to <paramref name="seconds"/>.</summary>
    public static async Task UntilAsync(Func<bool> condition, string what, int seconds = 15)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"timed out waiting for {what}");
            }

            await Task.Delay(20);
        }
    }
}
