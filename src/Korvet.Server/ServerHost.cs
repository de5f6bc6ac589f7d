using System.Net;
using System.Text.Json.Nodes;
using Korvet.ApiServer;
using Korvet.ApiServer.Errors;
using Korvet.ApiServer.Registry;
using Korvet.ApiServer.Storage;
using Korvet.ApiServer.Watch;
using Korvet.Client;
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

    private ServerHost(ServerOptions options, IBackend backend, ServerCredentials credentials, Korvet.ApiServer.ApiServer api, string kubeconfig,
        ControllerManagerHost? controllers)
    {
        Controllers = controllers;
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
        ServerCredentials credentials = ServerCredentials.LoadOrCreate(options.DataDir, options.BindAddress, options.TokenFile, TimeProvider.System);
        TimeSpan credentialsTime = System.Diagnostics.Stopwatch.GetElapsedTime(started);
        IBackend backend;
        try
        {
            backend = await StorageFactory.OpenAsync(options, cancellationToken);
        }
        catch
        {
            credentials.Dispose();
            throw;
        }

        TimeSpan storageTime = System.Diagnostics.Stopwatch.GetElapsedTime(started);
        var apiOptions = new ApiServerOptions(credentials.Serving, options.BindAddress, options.HttpsPort, TimeSpan.FromMinutes(1));
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

        ControllerManagerHost? controllers = options.DisableControllers
            ? null
            : ControllerManagerHost.Start(new ControllerManagerHostOptions(
                new ClientOptions(new Uri($"https://{clientAddress}:{api.Port}"), credentials.CaPem, credentials.AdminToken)), loggerFactory);
        return new ServerHost(options, backend, credentials, api, kubeconfig, controllers);
    }

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
        if (Controllers is not null)
        {
            await Controllers.DisposeAsync();
        }

        await Api.DisposeAsync();
        await _backend.DisposeAsync();
        Credentials.Dispose();
    }
}
