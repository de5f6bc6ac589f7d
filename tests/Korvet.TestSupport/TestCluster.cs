using System.Net;
using Korvet.Server;

namespace Korvet.TestSupport;

/// <summary>One in-process <c>korvet server</c> (ServerHost) on a free 127.0.0.1 port, in its own temp data dir, as an
/// xunit fixture. Subclass and override <see cref="CreateOptions"/> to start it with other options.</summary>
public class TestCluster : IAsyncLifetime
{
    private ServerHost? _host;

    public string DataDir { get; } = Path.Combine(Path.GetTempPath(), "korvet-test-" + Guid.NewGuid().ToString("N"));

    /// <summary>Path of the admin kubeconfig the server wrote.</summary>
    public string Kubeconfig => Path.Combine(DataDir, "kubeconfig.yaml");

    /// <summary>HOME and discovery cache of the kubectl processes this cluster runs.</summary>
    public string CacheDir => Path.Combine(DataDir, "home");

    public ServerHost Host => _host ?? throw new InvalidOperationException("not started");

    /// <summary>The options the server starts with; the default has no in-process agent.</summary>
    protected virtual ServerOptions CreateOptions() => new(DataDir, IPAddress.Loopback, HttpsPort: 0, DisableAgent: true);

    public virtual async Task InitializeAsync()
    {
        Directory.CreateDirectory(CacheDir);
        _host = await ServerHost.StartAsync(CreateOptions());
    }

    /// <summary>Runs the bundled kubectl 1.32 against this cluster.</summary>
    public Task<(int Exit, string Out, string Err)> RunAsync(params string[] args) => Kubectl.RunAsync(Kubeconfig, CacheDir, null, args);

    public Task<(int Exit, string Out, string Err)> RunWithInputAsync(string stdin, params string[] args) =>
        Kubectl.RunAsync(Kubeconfig, CacheDir, stdin, args);

    public virtual async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        if (Directory.Exists(DataDir))
        {
            Directory.Delete(DataDir, recursive: true);
        }
    }
}

/// <summary>The API server alone (no controller manager, no scheduler): for tests of API semantics whose objects must
/// stay exactly as the test wrote them.</summary>
public sealed class ApiOnlyCluster : TestCluster
{
    protected override ServerOptions CreateOptions() => base.CreateOptions() with { DisableControllers = true, DisableScheduler = true };
}
