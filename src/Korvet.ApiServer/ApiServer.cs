using Korvet.ApiServer.Authentication;
using Korvet.ApiServer.Codecs;
using Korvet.ApiServer.Discovery;
using Korvet.ApiServer.Http;
using Korvet.ApiServer.Patching;
using Korvet.ApiServer.Registry;
using Korvet.ApiServer.Storage;
using Korvet.ApiServer.Tables;
using Korvet.ApiServer.Watch;
using Korvet.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Korvet.ApiServer;

/// <summary>
/// The Kubernetes API server: Kestrel over HTTPS (HTTP/1.1 and HTTP/2) with one terminal request handler. Owns the
/// watch caches; does not own the backend. Start once, stop once.
/// </summary>
public sealed class ApiServer : IAsyncDisposable
{
    private readonly ApiServerOptions _options;
    private readonly IRequestAuthenticator _authenticator;
    private readonly ILoggerFactory _loggerFactory;
    private readonly WatchCacheSet _caches;
    private readonly ResourceHandler _resources;
    private readonly WatchHandler _watches;
    private readonly ResponseEncoder _encoder;
    private readonly CancellationTokenSource _stopping = new();
    private WebApplication? _app;

    public ApiServer(ApiServerOptions options, IBackend backend, IRequestAuthenticator authenticator,
        ApiServerExtensions? extensions = null, ILoggerFactory? loggerFactory = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options.Certificate);
        if (!options.Certificate.HasPrivateKey)
        {
            throw new ArgumentException("the serving certificate needs its private key", nameof(options));
        }

        extensions ??= ApiServerExtensions.Default;
        time ??= TimeProvider.System;
        _options = options;
        _authenticator = authenticator;
        _loggerFactory = loggerFactory ?? Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance;
        Registry = ResourceRegistry.CreateBuiltin();
        _caches = new WatchCacheSet(backend, extensions.WatchCache ?? WatchCacheOptions.Default);
        var strategies = StrategyTable.Create(Registry, extensions.Strategies, options.DefaultTolerationSeconds);
        Store = new GenericStore(backend, _caches, strategies, extensions.Patcher ?? new PatchApplier(Korvet.Api.Generated.ApiSchemas.Kubernetes), Registry, time,
            new Services.ServiceAllocator(options.ServiceCidr, Services.PortRange.Parse(options.ServiceNodePortRange)));
        ISelectorParser selectors = extensions.Selectors ?? new SelectorParser();
        _encoder = new ResponseEncoder(Korvet.Api.Generated.ApiSchemas.Kubernetes);
        var writer = new ResponseWriter(new TableConverter(time), _encoder);
        var authentication = new AuthenticationHandler(Store, Registry, extensions.ServiceAccountTokens, time, authenticator);
        var versions = new StoredVersions(Registry);
        _resources = new ResourceHandler(Store, selectors, extensions.Decoder ?? new BodyDecoder(Korvet.Api.Generated.ApiSchemas.Kubernetes),
            writer, options.MaxRequestBodyBytes, authentication, versions);
        _watches = new WatchHandler(_caches, Store, selectors, writer, options.BookmarkInterval, versions, _stopping.Token);
    }

    public ResourceRegistry Registry { get; }

    public GenericStore Store { get; }

    /// <summary>The bound HTTPS port (valid after <see cref="StartAsync"/>).</summary>
    public int Port { get; private set; }

    /// <summary>e.g. https://127.0.0.1:6443 (valid after <see cref="StartAsync"/>).</summary>
    public Uri BaseAddress => new($"https://{_options.BindAddress}:{Port}");

    /// <summary>Loads every watch cache, then starts listening.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // Caches start before the first request so that any resourceVersion a client can see is resumable.
        await Task.WhenAll(Registry.All.Select(r => _caches.For(r).WaitReadyAsync(cancellationToken)));

        // The empty builder: no configuration files (and their file watchers), no host filtering or other middleware;
        // Kestrel is configured in code only and runs the one terminal handler.
        WebApplicationBuilder builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(_loggerFactory);
        builder.WebHost.UseKestrelCore();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = null;
            kestrel.Listen(_options.BindAddress, _options.Port, listen =>
            {
                listen.Protocols = HttpProtocols.Http1AndHttp2;
                listen.UseHttps(_options.Certificate);
            });
        });
        WebApplication app = builder.Build();
        string address = $"{_options.BindAddress}:{(_options.Port == 0 ? 6443 : _options.Port)}";
        var handler = new ApiRequestHandler(Registry, new DiscoveryDocuments(Registry, address), _authenticator, _resources, _watches,
            _encoder, _loggerFactory.CreateLogger("Korvet.ApiServer"));
        app.Run(handler.HandleAsync);
        await app.StartAsync(cancellationToken);
        _app = app;
        string bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Port = new Uri(bound).Port;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // Long-running watches end first so Kestrel's graceful stop does not wait for them.
        await _stopping.CancelAsync();
        if (_app is { } app)
        {
            _app = null;
            await app.StopAsync(cancellationToken);
            await app.DisposeAsync();
        }

        await _caches.DisposeAsync();
        _stopping.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await StopAsync(timeout.Token);
    }
}
