using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Korvet.Storage.Tests.Etcd;

/// <summary>
/// One real etcd server process on 127.0.0.1 (Debian etcd-server), started with a fixed command line so that it can
/// be killed and restarted with the same identity and data dir. Output goes to a log file in the data dir.
/// </summary>
internal sealed class EtcdMember : IDisposable
{
    /// <summary>The etcd binary: <c>$KORVET_ETCD</c> when set, else Debian's <c>/usr/bin/etcd</c>.</summary>
    public static readonly string Binary = Environment.GetEnvironmentVariable("KORVET_ETCD") is { Length: > 0 } path ? path : "/usr/bin/etcd";
    private readonly string _arguments;
    private Process? _process;

    public EtcdMember(string name, string dataDir, int clientPort, int peerPort, string initialCluster, string clusterToken)
    {
        Name = name;
        DataDir = dataDir;
        ClientUrl = new Uri($"http://127.0.0.1:{clientPort}/");
        PeerUrl = $"http://127.0.0.1:{peerPort}";
        var client = $"http://127.0.0.1:{clientPort}";
        _arguments = string.Join(' ',
            $"--name {name} --data-dir {dataDir}",
            $"--listen-client-urls {client} --advertise-client-urls {client}",
            $"--listen-peer-urls {PeerUrl} --initial-advertise-peer-urls {PeerUrl}",
            $"--initial-cluster {initialCluster} --initial-cluster-token {clusterToken} --initial-cluster-state new",
            "--log-level warn");
    }

    /// <summary>Whether the etcd binary is installed; tests skip with a clear message when it is not.</summary>
    public static bool Available => File.Exists(Binary);

    public static readonly string SkipReason =
        $"etcd is not installed at {Binary} (apt-get install etcd-server, or set KORVET_ETCD); skipping real-etcd tests";

    public string Name { get; }

    public string DataDir { get; }

    public Uri ClientUrl { get; }

    public string PeerUrl { get; }

    public int? Pid => _process is { HasExited: false } p ? p.Id : null;

    public void Start()
    {
        Directory.CreateDirectory(DataDir);
        var log = Path.Combine(Path.GetDirectoryName(DataDir)!, Name + ".log");
        // exec: the shell becomes etcd, so the PID we hold is etcd's own.
        var start = new ProcessStartInfo("/bin/sh", ["-c", $"exec {Binary} {_arguments} >>{log} 2>&1"])
        {
            UseShellExecute = false,
        };
        _process = Process.Start(start) ?? throw new InvalidOperationException("etcd did not start");
    }

    /// <summary>SIGKILL by PID and wait for the process to be gone.</summary>
    public void Kill()
    {
        if (_process is { } p)
        {
            if (!p.HasExited)
            {
                p.Kill();
                p.WaitForExit(10_000);
            }

            p.Dispose();
            _process = null;
        }
    }

    /// <summary>SIGSTOP (true) or SIGCONT (false) by PID: a hung member whose connections stay open.</summary>
    public void Freeze(bool frozen)
    {
        var pid = Pid ?? throw new InvalidOperationException($"etcd {Name} is not running");
        using var kill = Process.Start("/bin/kill", [frozen ? "-STOP" : "-CONT", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit(5_000);
    }

    /// <summary>Waits until the member answers /health with "true".</summary>
    public async Task WaitHealthyAsync(TimeSpan timeout)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + timeout;
        string last = "no answer";
        while (DateTime.UtcNow < deadline)
        {
            if (_process is { HasExited: true })
            {
                throw new InvalidOperationException($"etcd {Name} exited with {_process.ExitCode}: {ReadLog()}");
            }

            try
            {
                last = await http.GetStringAsync(new Uri(ClientUrl, "health"));
                if (last.Contains("\"health\":\"true\"", StringComparison.Ordinal))
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                last = e.Message;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"etcd {Name} not healthy after {timeout}: {last}\n{ReadLog()}");
    }

    public void Dispose() => Kill();

    private string ReadLog()
    {
        var log = Path.Combine(Path.GetDirectoryName(DataDir)!, Name + ".log");
        return File.Exists(log) ? string.Join('\n', File.ReadLines(log).TakeLast(20)) : "";
    }

    /// <summary>Ports that were free a moment ago (all listeners are held until every port is chosen).</summary>
    public static int[] FreePorts(int count)
    {
        var listeners = new List<TcpListener>();
        try
        {
            for (var i = 0; i < count; i++)
            {
                var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                listeners.Add(listener);
            }

            return listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        }
        finally
        {
            foreach (var listener in listeners)
            {
                listener.Stop();
            }
        }
    }
}
