using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Korvet.Bench.Support;

/// <summary>
/// A published <c>korvet server</c> run as a child process on a free loopback port with its own data dir, so figures
/// such as RSS are those of the real binary with its own runtime settings, not of the benchmark process. Ready once
/// its admin kubeconfig exists and a client can use it; disposal sends SIGTERM and waits (then kills).
/// </summary>
public sealed class KorvetProcess : IAsyncDisposable
{
    private readonly Process _process;

    private KorvetProcess(Process process, string dataDir, int port)
    {
        _process = process;
        DataDir = dataDir;
        Port = port;
    }

    public string DataDir { get; }

    /// <summary>The loopback HTTPS port it listens on.</summary>
    public int Port { get; }

    /// <summary>Null while it runs, else its exit code.</summary>
    public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

    /// <summary>The admin kubeconfig the server writes into its data dir.</summary>
    public string KubeconfigPath => Path.Combine(DataDir, "kubeconfig.yaml");

    public int Id => _process.Id;

    /// <summary>Starts <c>korvet server --data-dir D --https-listen-port P --disable-agent</c> plus
    /// <paramref name="extraArgs"/> and returns at once (its output is read and dropped).</summary>
    public static KorvetProcess Launch(string korvet, string dataDir, params string[] extraArgs)
    {
        int port = FreePort();
        var info = new ProcessStartInfo(korvet) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in new[] { "server", "--data-dir", dataDir, "--https-listen-port", port.ToString(CultureInfo.InvariantCulture), "--disable-agent" }.Concat(extraArgs))
        {
            info.ArgumentList.Add(arg);
        }

        Process process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {korvet}");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new KorvetProcess(process, dataDir, port);
    }

    /// <summary><see cref="Launch"/>, then waits (up to a minute) for its kubeconfig.</summary>
    public static async Task<KorvetProcess> StartAsync(string korvet, string dataDir, params string[] extraArgs)
    {
        KorvetProcess server = Launch(korvet, dataDir, extraArgs);
        DateTime deadline = DateTime.UtcNow.AddMinutes(1);
        while (!File.Exists(server.KubeconfigPath))
        {
            if (server.ExitCode is not null || DateTime.UtcNow > deadline)
            {
                int? exit = server.ExitCode;
                await server.DisposeAsync();
                throw new InvalidOperationException($"korvet server did not write {server.KubeconfigPath} (exit code {exit?.ToString(CultureInfo.InvariantCulture) ?? "none: still running"})");
            }

            await Task.Delay(20);
        }

        return server;
    }

    /// <summary>The child's resident set now (VmRSS).</summary>
    public long Rss() => ReadRss(_process.Id);

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            using (Process? kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                kill?.WaitForExit();
            }

            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            try
            {
                await _process.WaitForExitAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }

        _process.Dispose();
    }

    /// <summary>VmRSS of a process from /proc, in bytes (0 when unreadable).</summary>
    public static long ReadRss(int pid)
    {
        foreach (string line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                string[] parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                return long.Parse(parts[1], CultureInfo.InvariantCulture) * 1024;
            }
        }

        return 0;
    }

    /// <summary>A loopback TCP port free right now.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
