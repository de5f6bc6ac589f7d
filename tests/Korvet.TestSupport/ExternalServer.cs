using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Korvet.Server;

namespace Korvet.TestSupport;

/// <summary>
/// A published <c>korvet server</c> executable run as a child process in place of the in-process
/// <see cref="ServerHost"/>: <see cref="TestCluster"/> uses it when <c>KORVET_TEST_BINARY</c> names the executable,
/// so the same kubectl tests prove the shipped (Native AOT) binary, not only the JIT-compiled libraries.
/// Not thread-safe; owned by one fixture.
/// </summary>
public sealed class ExternalServer : IAsyncDisposable
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(30);
    private readonly Process _process;
    private readonly string _logPath;
    private readonly Lock _logLock = new();

    private ExternalServer(Process process, string logPath)
    {
        _process = process;
        _logPath = logPath;
    }

    /// <summary>The executable named by <c>KORVET_TEST_BINARY</c>, or null to run servers in-process.</summary>
    public static string? Binary => Environment.GetEnvironmentVariable("KORVET_TEST_BINARY") is { Length: > 0 } path ? path : null;

    /// <summary>Starts <paramref name="binary"/> with the command-line equivalent of <paramref name="options"/> on a free
    /// loopback port and returns once <c>/readyz</c> answers 200 (throws with the server's log otherwise).</summary>
    public static async Task<ExternalServer> StartAsync(string binary, ServerOptions options)
    {
        string logPath = Path.Combine(options.DataDir, "korvet.log");
        var start = new ProcessStartInfo(binary) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in Arguments(options, FreePort()))
        {
            start.ArgumentList.Add(arg);
        }

        Process process = Process.Start(start) ?? throw new InvalidOperationException($"{binary} did not start");
        var server = new ExternalServer(process, logPath);
        _ = server.CopyAsync(process.StandardOutput);
        _ = server.CopyAsync(process.StandardError);
        try
        {
            await server.WaitReadyAsync(options.KubeconfigPath);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>The flags of <c>korvet server</c> for the options tests use; others are refused rather than ignored.</summary>
    private static List<string> Arguments(ServerOptions options, int port)
    {
        if (options.DatastoreEndpoint is not null || options.TokenFile is not null || options.WatchCacheHistory is not null
            || options.Controllers is not null || options.DefaultTolerationSeconds != 300)
        {
            throw new NotSupportedException("this test's server options have no command-line form; run it in-process");
        }

        var args = new List<string>
        {
            "server", "--data-dir", options.DataDir, "--bind-address", options.BindAddress.ToString(),
            "--https-listen-port", port.ToString(CultureInfo.InvariantCulture),
            "--service-cidr", options.ServiceCidr, "--service-node-port-range", options.ServiceNodePortRange,
        };
        if (options.DisableAgent)
        {
            args.Add("--disable-agent");
        }

        if (options.DisableScheduler)
        {
            args.Add("--disable-scheduler");
        }

        if (options.DisableControllers)
        {
            args.Add("--disable-controller-manager");
        }

        if (options.SimulateNodes > 0)
        {
            args.AddRange(["--simulate-nodes", options.SimulateNodes.ToString(CultureInfo.InvariantCulture)]);
        }

        return args;
    }

    private async Task WaitReadyAsync(string kubeconfig)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < ReadyTimeout)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"korvet server exited with {_process.ExitCode}:\n{Log()}");
            }

            if (File.Exists(kubeconfig) && await ReadyAsync(kubeconfig))
            {
                return;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"korvet server was not ready in {ReadyTimeout.TotalSeconds} s:\n{Log()}");
    }

    private static async Task<bool> ReadyAsync(string kubeconfig)
    {
        Korvet.Client.ClientOptions client;
        try
        {
            client = Korvet.Client.ClientOptions.FromKubeconfigFile(kubeconfig);
        }
        catch (Exception e) when (e is IOException or FormatException or InvalidOperationException or ArgumentException)
        {
            return false; // written but not complete yet
        }

        // Loopback only, and the CA is the server's own: checking the chain adds nothing to a readiness poll.
        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true };
        using var http = new HttpClient(handler) { BaseAddress = client.Server, Timeout = TimeSpan.FromSeconds(2) };
        http.DefaultRequestHeaders.Authorization = new("Bearer", client.BearerToken);
        try
        {
            using HttpResponseMessage response = await http.GetAsync("/readyz");
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }

    private string Log()
    {
        lock (_logLock)
        {
            return File.Exists(_logPath) ? File.ReadAllText(_logPath) : "(no output)";
        }
    }

    private async Task CopyAsync(StreamReader from)
    {
        while (await from.ReadLineAsync() is { } line)
        {
            lock (_logLock)
            {
                File.AppendAllText(_logPath, line + Environment.NewLine);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Stops the server as a user would (SIGTERM), killing it if it has not exited within 10 s.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            using (Process? kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                kill?.WaitForExit();
            }

            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await _process.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }

        _process.Dispose();
    }
}
