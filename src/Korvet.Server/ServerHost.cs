using System.Net;
using System.Text.Json.Nodes;
using Korvet.ApiServer;
using Korvet.ApiServer.Errors;
using Korvet.ApiServer.Registry;
using Korvet.ApiServer.Storage;
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

    private ServerHost(ServerOptions options, IBackend backend, ServerCredentials credentials, Korvet.ApiServer.ApiServer api, string kubeconfig)
    {
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

        var apiOptions = new ApiServerOptions(credentials.Serving, options.BindAddress, options.HttpsPort, TimeSpan.FromMinutes(1));
        var api = new Korvet.ApiServer.ApiServer(apiOptions, backend, credentials.CreateAuthenticator(backend),
            new ApiServerExtensions(ServiceAccountTokens: credentials.ServiceAccountTokens), loggerFactory: loggerFactory);
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

        return new ServerHost(options, backend, credentials, api, kubeconfig);
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
        await Api.DisposeAsync();
        await _backend.DisposeAsync();
        Credentials.Dispose();
    }
}
