using System.Net;
using Korvet.Server;

namespace Korvet.TestSupport;

/// <summary>One in-process <c>korvet server</c> (ServerHost) on a free 127.0.0.1 port, in its own temp data dir, as an
/// xunit fixture. Subclass and override <see cref="CreateOptions"/> to start it with other options. When
/// <c>KORVET_TEST_BINARY</c> names a published <c>korvet</c>, the server is that executable instead
/// (<see cref="ExternalServer"/>) and <see cref="Host"/> is unavailable: tests that only drive kubectl run either way.</summary>
public class TestCluster : IAsyncLifetime
{
    private ServerHost? _host;
    private ExternalServer? _external;

    public string DataDir { get; } = Path.Combine(Path.GetTempPath(), "korvet-test-" + Guid.NewGuid().ToString("N"));

    /// <summary>Path of the admin kubeconfig the server wrote.</summary>
    public string Kubeconfig => Path.Combine(DataDir, "kubeconfig.yaml");

    /// <summary>HOME and discovery cache of the kubectl processes this cluster runs.</summary>
    public string CacheDir => Path.Combine(DataDir, "home");

    public ServerHost Host => _host ?? throw new InvalidOperationException(
        _external is null ? "not started" : "this test needs the in-process server; KORVET_TEST_BINARY runs an external one");

    /// <summary>The admin's client settings, for both kinds of server.</summary>
    public Korvet.Client.ClientOptions ClientOptions => _host is not null
        ? new(_host.BaseAddress, _host.Credentials.CaPem, _host.Credentials.AdminToken)
        : Korvet.Client.ClientOptions.FromKubeconfigFile(Kubeconfig);

    /// <summary>The options the server starts with; the default has no in-process agent.</summary>
    protected virtual ServerOptions CreateOptions() => new(DataDir, IPAddress.Loopback, HttpsPort: 0, DisableAgent: true);

    public virtual async Task InitializeAsync()
    {
        Directory.CreateDirectory(CacheDir);
        if (ExternalServer.Binary is { } binary)
        {
            _external = await ExternalServer.StartAsync(binary, CreateOptions());
            return;
        }

        _host = await ServerHost.StartAsync(CreateOptions());
    }

    /// <summary>Runs the bundled kubectl 1.32 against this cluster.</summary>
    public Task<(int Exit, string Out, string Err)> RunAsync(params string[] args) => Kubectl.RunAsync(Kubeconfig, CacheDir, null, args);

    public Task<(int Exit, string Out, string Err)> RunWithInputAsync(string stdin, params string[] args) =>
        Kubectl.RunAsync(Kubeconfig, CacheDir, stdin, args);

    /// <summary>Runs kubectl and fails the test with its output when it exits non-zero.</summary>
    public async Task<string> OkAsync(params string[] args)
    {
        (int exit, string stdout, string stderr) = await RunAsync(args);
        Assert.True(exit == 0, $"kubectl {string.Join(' ', args)} failed ({exit}): {stderr}{stdout}");
        return stdout;
    }

    /// <summary>Polls kubectl <paramref name="probe"/> (every 200 ms) until its stdout satisfies <paramref name="done"/>;
    /// fails with the last output after <paramref name="timeout"/>.</summary>
    public async Task<string> EventuallyAsync(Func<string, bool> done, TimeSpan timeout, params string[] probe)
    {
        DateTime deadline = DateTime.UtcNow + timeout;
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
                Assert.Fail($"kubectl {string.Join(' ', probe)} did not reach the expected state in {timeout.TotalSeconds} s; last output: {last}");
            }

            await Task.Delay(200);
        }
    }

    /// <inheritdoc cref="EventuallyAsync(Func{string, bool}, TimeSpan, string[])"/>
    public Task<string> EventuallyAsync(Func<string, bool> done, int seconds, params string[] probe) =>
        EventuallyAsync(done, TimeSpan.FromSeconds(seconds), probe);

    public virtual async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        if (_external is not null)
        {
            await _external.DisposeAsync();
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
