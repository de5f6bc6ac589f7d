using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Korvet.Bench.Support;

/// <summary>
/// A single real etcd member on 127.0.0.1 with free ports and a temporary data dir, for side-by-side runs.
/// Disposing kills it by PID and deletes the data dir.
/// </summary>
public sealed class EtcdProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _dataDir;

    private EtcdProcess(Process process, string dataDir, Uri clientUrl)
    {
        _process = process;
        _dataDir = dataDir;
        ClientUrl = clientUrl;
    }

    public Uri ClientUrl { get; }

    public static async Task<EtcdProcess> StartAsync(string etcdPath, CancellationToken cancellationToken)
    {
        int clientPort = FreePort();
        int peerPort = FreePort();
        string dataDir = Directory.CreateTempSubdirectory("korvet-bench-etcd-").FullName;
        string client = $"http://127.0.0.1:{clientPort}";
        string peer = $"http://127.0.0.1:{peerPort}";
        var info = new ProcessStartInfo(etcdPath)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (string arg in new[]
                 {
                     "--name", "bench", "--data-dir", dataDir,
                     "--listen-client-urls", client, "--advertise-client-urls", client,
                     "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                     "--initial-cluster", $"bench={peer}", "--initial-cluster-state", "new",
                     "--quota-backend-bytes", (8L * 1024 * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture),
                     "--log-level", "error",
                 })
        {
            info.ArgumentList.Add(arg);
        }

        Process process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {etcdPath}");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var etcd = new EtcdProcess(process, dataDir, new Uri(client));
        using var http = new HttpClient();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                string health = await http.GetStringAsync(new Uri(etcd.ClientUrl, "/health"), cancellationToken);
                if (health.Contains("true", StringComparison.Ordinal))
                {
                    return etcd;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(100, cancellationToken);
        }

        await etcd.DisposeAsync();
        throw new TimeoutException("etcd did not become healthy within 20 s");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
