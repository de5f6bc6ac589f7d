using System.Net;
using System.Text.Json.Nodes;
using Korvet.ApiServer;
using Korvet.ApiServer.Errors;
using Korvet.ApiServer.Registry;
using Korvet.ApiServer.Storage;
using Korvet.ApiServer.Watch;
using Korvet.Client;
using Korvet.Client.Cache;
using Korvet.Scheduler;
using Korvet.Controllers;
using Korvet.Server.Bootstrap;
using Korvet.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Korvet.Server;

/// <summary>
/// Composition root of <c>korvet server</c>: opens storage, loads or creates credentials, starts the API server,
/// creates the bootstrap namespaces and the <c>kubernetes</c> Service, and writes the admin kubeconfig. Tests start it in-process. Start once; dispose
/// to stop (within a few seconds, watches included).
/// </summary>
public sealed class ServerHost : IAsyncDisposable
{
    private static readonly string[] BootstrapNamespaces = ["default", "kube-system", "kube-public", "kube-node-lease"];

    private readonly IBackend _backend;
    private bool _stopped;
    private readonly KubernetesClient? _informerClient;
    private readonly SharedInformerFactory? _informers;
    private SchedulerHost? _scheduler;
    private InProcessSimulation? _simulation;

    private ServerHost(ServerOptions options, IBackend backend, ServerCredentials credentials, Korvet.ApiServer.ApiServer api, string kubeconfig,
        ControllerManagerHost? controllers, KubernetesClient? informerClient, SharedInformerFactory? informers)
    {
        Controllers = controllers;
        _informerClient = informerClient;
        _informers = informers;
        Options = options;
        _backend = backend;
        Credentials = credentials;
        Api = api;
        Kubeconfig = kubeconfig;
    }

    public ServerOptions Options { get; }

    public ServerCredentials Credentials { get; }

    public Korvet.ApiServer.ApiServer Api { get; }

    /// <summary>The admin kubeconfig text (also written to the data dir).</summary>
    public string Kubeconfig { get; }

    public Uri BaseAddress => Api.BaseAddress;

    /// <summary>The in-process controller manager (a client over loopback HTTPS with the admin token, under leader
    /// election on Lease kube-system/kube-controller-manager), or null with <see cref="ServerOptions.DisableControllers"/>.</summary>
    public ControllerManagerHost? Controllers { get; }

    public static async Task<ServerHost> StartAsync(ServerOptions options, ILoggerFactory? loggerFactory = null,
        CancellationToken cancellationToken = default)
    {
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        Directory.CreateDirectory(options.DataDir);
        loggerFactory ??= NullLoggerFactory.Instance;

        // Startup work that does not depend on each other runs side by side: the API schema (a large generated
        // table every codec needs), the credentials (key generation on a first start) and opening storage.
        _ = Task.Run(() => Korvet.Api.Generated.ApiSchemas.Kubernetes, CancellationToken.None);
        TimeSpan credentialsTime = TimeSpan.Zero;
        Task<ServerCredentials> credentialsTask = Task.Run(() =>
        {
            ServerCredentials loaded = ServerCredentials.LoadOrCreate(options.DataDir, options.BindAddress, options.TokenFile, TimeProvider.System);
            // Kestrel's HTTPS setup builds the serving certificate's chain, which loads the system trust store once per
            // process (hundreds of milliseconds on a small machine): do it here, off the critical path.
            _ = System.Net.Security.SslStreamCertificateContext.Create(loaded.Serving, additionalCertificates: null, offline: true);
            credentialsTime = System.Diagnostics.Stopwatch.GetElapsedTime(started);
            return loaded;
        }, CancellationToken.None);
        IBackend backend;
        ServerCredentials credentials;
        try
        {
            backend = await StorageFactory.OpenAsync(options, cancellationToken);
        }
        catch
        {
            try
            {
                (await credentialsTask).Dispose();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or System.Security.Cryptography.CryptographicException)
            {
                // The storage failure is the one reported.
            }

            throw;
        }

        TimeSpan storageTime = System.Diagnostics.Stopwatch.GetElapsedTime(started);
        try
        {
            credentials = await credentialsTask;
        }
        catch
        {
            await backend.DisposeAsync();
            throw;
        }

        var apiOptions = new ApiServerOptions(credentials.Serving, options.BindAddress, options.HttpsPort, TimeSpan.FromMinutes(1),
            ServiceCidr: options.ServiceCidr, ServiceNodePortRange: options.ServiceNodePortRange)
        {
            DefaultTolerationSeconds = options.DefaultTolerationSeconds,
        };
        var api = new Korvet.ApiServer.ApiServer(apiOptions, backend, credentials.CreateAuthenticator(backend),
            new ApiServerExtensions(ServiceAccountTokens: credentials.ServiceAccountTokens,
                WatchCache: options.WatchCacheHistory is { } history ? new WatchCacheOptions(HistoryCapacity: history) : null), loggerFactory: loggerFactory);
        try
        {
            await api.StartAsync(cancellationToken);
            await CreateNamespacesAsync(api, cancellationToken);
            IPAddress endpoint = options.BindAddress.Equals(IPAddress.Any) ? IPAddress.Loopback : options.BindAddress;
            await KubernetesService.EnsureAsync(api, new Korvet.ApiServer.Services.Ipv4Range(apiOptions.ServiceCidr).First, endpoint,
                api.Port, cancellationToken);
        }
        catch
        {
            await api.DisposeAsync();
            await backend.DisposeAsync();
            credentials.Dispose();
            throw;
        }

        IPAddress clientAddress = options.BindAddress.Equals(IPAddress.Any) ? IPAddress.Loopback : options.BindAddress;
        string kubeconfig = credentials.RenderKubeconfig(new Uri($"https://{clientAddress}:{api.Port}"));
        Bootstrap.Kubeconfig.Write(options.KubeconfigPath, kubeconfig);
        if (!string.IsNullOrEmpty(options.WriteKubeconfig))
        {
            Bootstrap.Kubeconfig.Write(options.WriteKubeconfig, kubeconfig);
        }

        ILogger logger = loggerFactory.CreateLogger<ServerHost>();
        if (logger.IsEnabled(LogLevel.Information))
        {
            logger.LogInformation("korvet server listening on {Address} after {Total:F0} ms (credentials {Credentials:F0} ms, storage {Storage:F0} ms)",
                api.BaseAddress, System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds, credentialsTime.TotalMilliseconds,
                storageTime.TotalMilliseconds);
        }

        // The in-process components read the cluster through one shared informer factory (scopes of it), so the
        // process lists, watches and holds each object once; each component still writes with a client of its own.
        var server = new Uri($"https://{clientAddress}:{api.Port}");
        bool anyComponent = !options.DisableControllers || !options.DisableScheduler || options.SimulateNodes > 0;
        KubernetesClient? informerClient = anyComponent
            ? new KubernetesClient(new ClientOptions(server, credentials.CaPem, credentials.AdminToken, UserAgent: "korvet-informers"), loggerFactory)
            : null;
        SharedInformerFactory? informers = informerClient is null ? null : new SharedInformerFactory(informerClient);
        ControllerManagerHost? controllers = options.DisableControllers
            ? null
            : ControllerManagerHost.Start(new ControllerManagerHostOptions(
                new ClientOptions(server, credentials.CaPem, credentials.AdminToken),
                Manager: options.Controllers), loggerFactory, informers);
        var host = new ServerHost(options, backend, credentials, api, kubeconfig, controllers, informerClient, informers);
        if (!options.DisableScheduler)
        {
            // Like every component, the scheduler connects back over HTTPS with the admin credentials.
            host._scheduler = SchedulerHost.Start(ClientOptions.FromKubeconfig(kubeconfig, options.DataDir), loggerFactory: loggerFactory,
                sharedInformers: informers);
        }

        if (options.SimulateNodes > 0)
        {
            host._simulation = await InProcessSimulation.StartAsync(server, credentials, options.SimulateNodes,
                loggerFactory, informers, cancellationToken);
        }

        return host;
    }

    /// <summary>The in-process scheduler, or null with <see cref="ServerOptions.DisableScheduler"/>.</summary>
    public SchedulerHost? Scheduler => _scheduler;

    private static async Task CreateNamespacesAsync(Korvet.ApiServer.ApiServer api, CancellationToken cancellationToken)
    {
        ResourceDefinition namespaces = api.Registry.Find("", "v1", "namespaces")!;
        foreach (string name in BootstrapNamespaces)
        {
            var obj = new JsonObject { ["metadata"] = new JsonObject { ["name"] = name } };
            try
            {
                await api.Store.CreateAsync(namespaces, "", obj, new WriteOptions(false, "korvet-server"), cancellationToken);
            }
            catch (StatusException e) when (e.Code == 409)
            {
                // Exists from a previous start.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        if (_simulation is not null)
        {
            await _simulation.DisposeAsync();
        }

        if (_scheduler is not null)
        {
            await _scheduler.DisposeAsync();
        }

        if (Controllers is not null)
        {
            await Controllers.DisposeAsync();
        }

        if (_informers is not null)
        {
            await _informers.DisposeAsync();
        }

        _informerClient?.Dispose();

        await Api.DisposeAsync();
        await _backend.DisposeAsync();
        Credentials.Dispose();
    }
}
