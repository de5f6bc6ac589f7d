using System.Net;
using Korvet.Server;

namespace Korvet.ApiServer.Tests.Kubectl;

public sealed class ServerHostTests
{
    [Fact]
    public async Task RestartReusesCredentialsAndWritesKubeconfigs()
    {
        string dir = Path.Combine(Path.GetTempPath(), "korvet-host-" + Guid.NewGuid().ToString("N"));
        string extra = Path.Combine(dir, "extra", "config");
        try
        {
            var options = new ServerOptions(dir, IPAddress.Loopback, HttpsPort: 0, WriteKubeconfig: extra, DisableAgent: true);
            string token;
            string ca;
            await using (ServerHost first = await ServerHost.StartAsync(options))
            {
                token = first.Credentials.AdminToken;
                ca = first.Credentials.CaPem;
                string kubeconfig = await File.ReadAllTextAsync(options.KubeconfigPath);
                Assert.Contains($"token: {token}", kubeconfig, StringComparison.Ordinal);
                Assert.Contains($"server: https://127.0.0.1:{first.Api.Port}", kubeconfig, StringComparison.Ordinal);
                Assert.Equal(kubeconfig, await File.ReadAllTextAsync(extra));
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(options.KubeconfigPath));
            }

            await using ServerHost second = await ServerHost.StartAsync(options);
            Assert.Equal(token, second.Credentials.AdminToken);
            Assert.Equal(ca, second.Credentials.CaPem);
            Assert.Equal(64, token.Length);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task EtcdEndpointIsRejectedUntilTheBackendIsWired()
    {
        string dir = Path.Combine(Path.GetTempPath(), "korvet-host-" + Guid.NewGuid().ToString("N"));
        try
        {
            var options = new ServerOptions(dir, IPAddress.Loopback, HttpsPort: 0, DatastoreEndpoint: "etcd://127.0.0.1:2379");
            await Assert.ThrowsAsync<NotSupportedException>(() => ServerHost.StartAsync(options));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
