using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Korvet.ApiServer.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Korvet.ApiServer.Tests.Security;

/// <summary>
/// The security blocks against the real kubectl 1.32: a Kestrel endpoint serving the generated certificate and
/// checking bearer tokens, reached through the generated admin kubeconfig. Skips when kubectl is not installed.
/// </summary>
public sealed class KubectlSecurityTests : IAsyncLifetime
{
    private readonly TempDir _dir = new();
    private ClusterCertificates? _certs;
    private ServiceAccountTokens? _saTokens;
    private StaticTokenAuthenticator? _statics;
    private WebApplication? _app;
    private string _url = "";

    public async Task InitializeAsync()
    {
        _certs = ClusterCertificates.LoadOrCreate(new CertificateOptions { DataDirectory = _dir.Path, NodeName = "test-node" }, TimeProvider.System);
        _statics = StaticTokenAuthenticator.LoadOrCreate(new TokenAuthOptions { DataDirectory = _dir.Path });
        _saTokens = ServiceAccountTokens.LoadOrCreate(new ServiceAccountTokenOptions { DataDirectory = _dir.Path }, TimeProvider.System);
        var authenticator = new BearerTokenAuthenticator(_statics, _saTokens);

        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.UseHttps(_certs.Serving)));
        _app = builder.Build();
        _app.Use(async (HttpContext context, RequestDelegate next) =>
        {
            AuthenticationResult result = authenticator.AuthenticateHeader(context.Request.Headers.Authorization);
            if (!result.IsAuthenticated)
            {
                context.Response.StatusCode = 401;
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync(
                    "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":\"Unauthorized\",\"reason\":\"Unauthorized\",\"code\":401}");
                return;
            }

            context.Response.Headers["X-User"] = result.User!.Name;
            await next(context);
        });
        _app.MapGet("/version", () => Results.Text(
            "{\"major\":\"1\",\"minor\":\"32\",\"gitVersion\":\"v1.32.5\",\"gitCommit\":\"korvet\",\"gitTreeState\":\"clean\","
            + "\"buildDate\":\"2026-01-01T00:00:00Z\",\"goVersion\":\"go1.23\",\"compiler\":\"gc\",\"platform\":\"linux/amd64\"}",
            "application/json"));
        await _app.StartAsync();
        string address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        _url = "https://127.0.0.1:" + new Uri(address).Port;
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        _saTokens?.Dispose();
        _certs?.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public async Task Kubectl_trusts_the_ca_and_authenticates_with_the_admin_token()
    {
        if (Kubectl() is not { } kubectl)
        {
            return;
        }

        string kubeconfig = WriteKubeconfig(_statics!.AdminToken);
        (int code, string output) = await RunAsync(kubectl, "--kubeconfig", kubeconfig, "version", "-o", "json");
        Assert.True(code == 0, output);
        using JsonDocument doc = JsonDocument.Parse(output);
        Assert.Equal("v1.32.5", doc.RootElement.GetProperty("serverVersion").GetProperty("gitVersion").GetString());
    }

    [Fact]
    public async Task Kubectl_is_rejected_with_a_wrong_token_and_accepted_with_a_service_account_token()
    {
        if (Kubectl() is not { } kubectl)
        {
            return;
        }

        string kubeconfig = WriteKubeconfig("wrong-token");
        (int code, string output) = await RunAsync(kubectl, "--kubeconfig", kubeconfig, "version", "-o", "json");
        Assert.NotEqual(0, code);
        Assert.Contains("You must be logged in to the server", output, StringComparison.Ordinal);

        string saToken = _saTokens!.Issue(new ServiceAccountTokenRequest("default", "robot", "uid-1", TimeSpan.FromHours(1))).Token;
        (int saCode, string saOutput) = await RunAsync(kubectl, "--kubeconfig", kubeconfig, "--token", saToken, "version", "-o", "json");
        Assert.True(saCode == 0, saOutput);
    }

    [Fact]
    public async Task Kubectl_refuses_a_server_name_outside_the_certificate()
    {
        if (Kubectl() is not { } kubectl)
        {
            return;
        }

        string kubeconfig = WriteKubeconfig(_statics!.AdminToken);
        (int code, string output) = await RunAsync(kubectl, "--kubeconfig", kubeconfig, "--tls-server-name", "evil.example.com", "version", "-o", "json");
        Assert.NotEqual(0, code);
        Assert.Contains("certificate", output, StringComparison.OrdinalIgnoreCase);
    }

    private string WriteKubeconfig(string token)
    {
        string path = Path.Combine(_dir.Path, "kubeconfig-" + Guid.NewGuid().ToString("N") + ".yaml");
        File.WriteAllText(path, AdminKubeconfig.Render(_url, _certs!.CaData, token));
        return path;
    }

    private static string? Kubectl()
    {
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':'))
        {
            string candidate = Path.Combine(dir, "kubectl");
            if (File.Exists(candidate))
            {
                string real = new FileInfo(candidate).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? candidate;
                string bundled = Path.Combine(Path.GetDirectoryName(real)!, "kubectl.1.32");
                if (File.Exists(bundled))
                {
                    return bundled;
                }
            }
        }

        Console.WriteLine("kubectl.1.32 not found; skipping kubectl security test");
        return null;
    }

    private static async Task<(int Code, string Output)> RunAsync(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["HOME"] = Path.GetTempPath();
        (int exit, string stdout, string stderr) = await ProcessRunner.RunAsync(start);
        return (exit, stdout + stderr);
    }
}
