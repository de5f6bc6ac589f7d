using System.Globalization;
using System.Net;
using Korvet.Api.Apps.V1;
using Korvet.Api.Core.V1;
using Korvet.Api.Meta.V1;
using Korvet.Client;
using Korvet.Bench.Support;
using Korvet.Server;

namespace Korvet.Bench.Cluster;

/// <summary>
/// A <c>korvet server --simulate-nodes N</c> in a temporary data dir with an admin client: either in this process
/// (<see cref="StartAsync"/>) or as a child process of the published binary (<see cref="StartProcessAsync"/>).
/// </summary>
internal sealed class BenchCluster : IAsyncDisposable
{
    private readonly string _dir;
    private readonly ServerHost? _host;
    private readonly KorvetProcess? _process;

    private BenchCluster(string dir, ServerHost? host, KorvetProcess? process, KubernetesClient client)
    {
        _dir = dir;
        _host = host;
        _process = process;
        Client = client;
    }

    public KubernetesClient Client { get; }

    /// <summary>The child process, when the server runs as one.</summary>
    public KorvetProcess? Process => _process;

    public static async Task<BenchCluster> StartAsync(int nodes)
    {
        string dir = Directory.CreateTempSubdirectory("korvet-bench-cluster-").FullName;
        ServerHost host = await ServerHost.StartAsync(new ServerOptions(dir, IPAddress.Loopback, HttpsPort: 0, DisableAgent: true, SimulateNodes: nodes));
        var client = new KubernetesClient(ClientOptions.FromKubeconfig(host.Kubeconfig, dir) with { UserAgent = "korvet-bench" });
        return new BenchCluster(dir, host, null, client);
    }

    /// <summary>Runs <c>korvet server --simulate-nodes N</c> from <paramref name="korvet"/> as a child process.</summary>
    public static async Task<BenchCluster> StartProcessAsync(string korvet, int nodes)
    {
        string dir = Directory.CreateTempSubdirectory("korvet-bench-cluster-").FullName;
        KorvetProcess process = await KorvetProcess.StartAsync(korvet, dir, "--simulate-nodes", nodes.ToString(CultureInfo.InvariantCulture));
        var client = new KubernetesClient(ClientOptions.FromKubeconfigFile(process.KubeconfigPath) with { UserAgent = "korvet-bench" });
        return new BenchCluster(dir, null, process, client);
    }

    public async Task CreateNamespaceAsync(string name) =>
        await Client.Resource<Namespace>().CreateAsync(new Namespace { Metadata = new ObjectMeta { Name = name } });

    /// <summary>Waits until <paramref name="count"/> nodes report Ready=True; returns their names.</summary>
    public async Task<string[]> ReadyNodesAsync(int count, TimeSpan timeout)
    {
        DateTime deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            ResourceList<Node> nodes = await Client.Resource<Node>().ListAsync(null, new ListOptions { ResourceVersion = "0" });
            string[] ready = nodes.Items
                .Where(n => n.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true)
                .Select(n => n.Metadata!.Name!).ToArray();
            if (ready.Length >= count)
            {
                return ready;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"only {ready.Length} of {count} nodes Ready");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Polls the watch-cache-served list (resourceVersion=0) of Running pods every <paramref name="pollMs"/>.</summary>
    public async Task WaitRunningAsync(string ns, int count, TimeSpan timeout, int pollMs = 100)
    {
        DateTime deadline = DateTime.UtcNow + timeout;
        int running = 0;
        while (running < count)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"only {running} of {count} pods Running in {ns}");
            }

            await Task.Delay(pollMs);
            ResourceList<Pod> pods = await Client.Resource<Pod>().ListAsync(ns,
                new ListOptions { ResourceVersion = "0", FieldSelector = "status.phase=Running" });
            running = pods.Items.Count(p => p.Metadata?.DeletionTimestamp is null);
        }
    }

    public static Deployment NewDeployment(string ns, string name, int replicas) => new()
    {
        Metadata = new ObjectMeta { Name = name, Namespace = ns },
        Spec = new DeploymentSpec
        {
            Replicas = replicas,
            Selector = new LabelSelector { MatchLabels = new() { ["app"] = name } },
            Template = new PodTemplateSpec
            {
                Metadata = new ObjectMeta { Labels = new() { ["app"] = name } },
                Spec = new PodSpec { Containers = [new Container { Name = "c", Image = "nginx" }] },
            },
        },
    };

    /// <summary>Runs <paramref name="action"/> for 0..count-1 on <paramref name="workers"/> concurrent workers.</summary>
    public static async Task ParallelAsync(int count, int workers, Func<int, Task> action)
    {
        int next = -1;
        await Task.WhenAll(Enumerable.Range(0, workers).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                await action(i);
            }
        }));
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        if (_process is not null)
        {
            await _process.DisposeAsync();
        }

        Directory.Delete(_dir, recursive: true);
    }
}
