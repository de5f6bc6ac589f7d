using System.Net;
using Korvet.Server;

namespace Korvet.ApiServer.Tests.Kubectl;

/// <summary>One in-process <c>korvet server</c> (ServerHost) per test class, on a free 127.0.0.1 port, in a temp dir.</summary>
public sealed class KorvetServerFixture : IAsyncLifetime
{
    private ServerHost? _host;

    public string DataDir { get; } = Path.Combine(Path.GetTempPath(), "korvet-kubectl-" + Guid.NewGuid().ToString("N"));

    public string Kubeconfig => Path.Combine(DataDir, "kubeconfig.yaml");

    public string CacheDir => Path.Combine(DataDir, "home");

    public ServerHost Host => _host ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(CacheDir);
        _host = await ServerHost.StartAsync(new ServerOptions(DataDir, IPAddress.Loopback, HttpsPort: 0, DisableAgent: true));
    }

    public Task<(int Exit, string Out, string Err)> RunAsync(params string[] args) => Kubectl.RunAsync(Kubeconfig, CacheDir, null, args);

    public Task<(int Exit, string Out, string Err)> RunWithInputAsync(string stdin, params string[] args) =>
        Kubectl.RunAsync(Kubeconfig, CacheDir, stdin, args);

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        Directory.Delete(DataDir, recursive: true);
    }
}
