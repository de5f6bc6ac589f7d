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
                Assert.Contains($"token: \"{token}\"", kubeconfig, StringComparison.Ordinal);
                Assert.Contains($"server: \"https://127.0.0.1:{first.Api.Port}\"", kubeconfig, StringComparison.Ordinal);
                Assert.Contains("certificate-authority-data: " + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(ca)), kubeconfig,
                    StringComparison.Ordinal);
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
    public async Task ObjectsSurviveRestartOnSqlite()
    {
        string dir = Path.Combine(Path.GetTempPath(), "korvet-host-" + Guid.NewGuid().ToString("N"));
        try
        {
            var options = new ServerOptions(dir, IPAddress.Loopback, HttpsPort: 0, DisableAgent: true);
            string? kubernetesUid;
            await using (ServerHost first = await ServerHost.StartAsync(options))
            {
                var configMaps = first.Api.Registry.Find("", "v1", "configmaps")!;
                await first.Api.Store.CreateAsync(configMaps, "default",
                    (System.Text.Json.Nodes.JsonObject)System.Text.Json.Nodes.JsonNode.Parse("""{"metadata":{"name":"kept"}}""")!,
                    new Storage.WriteOptions(false, "test"), CancellationToken.None);
                var firstServices = first.Api.Registry.Find("", "v1", "services")!;
                Storage.StoredObject svc = await first.Api.Store.GetAsync(firstServices, "default", "kubernetes", "", CancellationToken.None);
                kubernetesUid = (string?)System.Text.Json.Nodes.JsonNode.Parse(svc.Json)!["metadata"]!["uid"];
            }

            Assert.True(File.Exists(Path.Combine(dir, "db", "state.db")));
            await using ServerHost second = await ServerHost.StartAsync(options);
            var again = second.Api.Registry.Find("", "v1", "configmaps")!;
            Storage.StoredObject kept = await second.Api.Store.GetAsync(again, "default", "kept", "", CancellationToken.None);
            Assert.Equal("kept", kept.Name);

            // The kubernetes Service is kept (same uid) and its Endpoints follow this start's port.
            var services = second.Api.Registry.Find("", "v1", "services")!;
            Storage.StoredObject kubernetes = await second.Api.Store.GetAsync(services, "default", "kubernetes", "", CancellationToken.None);
            Assert.Equal(kubernetesUid, (string?)System.Text.Json.Nodes.JsonNode.Parse(kubernetes.Json)!["metadata"]!["uid"]);
            var endpoints = second.Api.Registry.Find("", "v1", "endpoints")!;
            Storage.StoredObject ep = await second.Api.Store.GetAsync(endpoints, "default", "kubernetes", "", CancellationToken.None);
            Assert.Equal(second.Api.Port, (int)System.Text.Json.Nodes.JsonNode.Parse(ep.Json)!["subsets"]![0]!["ports"]![0]!["port"]!);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData("etcd://127.0.0.1:2379", "http://127.0.0.1:2379/")]
    [InlineData("etcd://a:1,b:2", "http://a:1/,http://b:2/")]
    [InlineData("http://10.0.0.1:2379", "http://10.0.0.1:2379/")]
    public void ParsesDatastoreEndpoints(string endpoint, string expected) =>
        Assert.Equal(expected, string.Join(",", StorageFactory.ParseEtcdEndpoints(endpoint)));

    [Fact]
    public void RejectsOtherDatastoreSchemes() =>
        Assert.Throws<NotSupportedException>(() => StorageFactory.ParseEtcdEndpoints("mysql://x:1"));
}
