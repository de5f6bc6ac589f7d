using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Korvet.ApiServer.Storage;
using Korvet.ApiServer.Watch;
using Korvet.Storage.Memory;

namespace Korvet.ApiServer.Tests.Support;

/// <summary>An API server on MemoryBackend at a free 127.0.0.1 port, with the default namespace and an HTTPS client.</summary>
internal sealed class TestApiServer : IAsyncDisposable
{
    public const string Token = "test-token";

    private readonly X509Certificate2 _certificate;

    private TestApiServer(ApiServer server, MemoryBackend backend, X509Certificate2 certificate)
    {
        Server = server;
        Backend = backend;
        _certificate = certificate;
        Client = CreateClient(Token);
    }

    public ApiServer Server { get; }

    public MemoryBackend Backend { get; }

    public HttpClient Client { get; }

    public static async Task<TestApiServer> StartAsync(TimeSpan? bookmarkInterval = null, WatchCacheOptions? cache = null)
    {
        var backend = new MemoryBackend();
        X509Certificate2 cert = TestCertificates.CreateServing();
        var options = new ApiServerOptions(cert, IPAddress.Loopback, 0, bookmarkInterval ?? TimeSpan.FromMinutes(1));
        var server = new ApiServer(options, backend, new FixedTokenAuthenticator(Token), new ApiServerExtensions(WatchCache: cache));
        await server.StartAsync(CancellationToken.None);
        foreach (string ns in new[] { "default", "kube-system" })
        {
            await server.Store.CreateAsync(server.Registry.Find("", "v1", "namespaces")!, "",
                new JsonObject { ["metadata"] = new JsonObject { ["name"] = ns } }, new WriteOptions(false, "test"), CancellationToken.None);
        }

        return new TestApiServer(server, backend, cert);
    }

    public HttpClient CreateClient(string? token)
    {
        string thumbprint = _certificate.Thumbprint;
        var handler = new SocketsHttpHandler
        {
            SslOptions = { RemoteCertificateValidationCallback = (_, cert, _, _) => cert is not null && cert.GetCertHashString() == thumbprint },
        };
        var client = new HttpClient(handler) { BaseAddress = Server.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
        await Backend.DisposeAsync();
        _certificate.Dispose();
    }
}
