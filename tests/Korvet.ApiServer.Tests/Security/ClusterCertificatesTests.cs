using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Korvet.ApiServer.Security;

namespace Korvet.ApiServer.Tests.Security;

public sealed class ClusterCertificatesTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly TempDir _dir = new();
    private readonly ManualTime _time = new(Start);

    public void Dispose() => _dir.Dispose();

    private CertificateOptions Options(string node = "node-1") =>
        new() { DataDirectory = _dir.Path, NodeName = node, ServiceIP = IPAddress.Parse("10.43.0.1") };

    [Fact]
    public void First_start_creates_ca_and_serving_certificate_files()
    {
        using ClusterCertificates certs = ClusterCertificates.LoadOrCreate(Options(), _time);
        CertificateOptions o = certs.Options;
        Assert.True(File.Exists(o.CaCertificatePath));
        Assert.True(File.Exists(o.ServingCertificatePath));
        FileModes.AssertOwnerOnly(o.CaKeyPath);
        FileModes.AssertOwnerOnly(o.ServingKeyPath);
        Assert.StartsWith("-----BEGIN CERTIFICATE-----", File.ReadAllText(o.CaCertificatePath));
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", File.ReadAllText(o.ServingKeyPath));
        Assert.Equal(certs.CaPem, File.ReadAllText(o.CaCertificatePath));
    }

    [Fact]
    public void Ca_is_a_ten_year_ecdsa_ca()
    {
        using ClusterCertificates certs = ClusterCertificates.LoadOrCreate(Options(), _time);
        X509Certificate2 ca = certs.Ca;
        Assert.True(ca.HasPrivateKey);
        Assert.StartsWith("CN=korvet-server-ca@", ca.Subject);
        Assert.True(ca.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority);
        Assert.True(ca.Extensions.OfType<X509KeyUsageExtension>().Single().KeyUsages.HasFlag(X509KeyUsageFlags.KeyCertSign));
        Assert.Equal(3650, (ca.NotAfter.ToUniversalTime() - Start.UtcDateTime).TotalDays, 0);
        using ECDsa? key = ca.GetECDsaPublicKey();
        Assert.NotNull(key);
        Assert.Equal(256, key.KeySize);
    }

    [Fact]
    public void Serving_certificate_covers_the_api_server_names()
    {
        using ClusterCertificates certs = ClusterCertificates.LoadOrCreate(
            Options() with { ExtraSubjectAlternativeNames = ["api.example.com", "192.168.1.10"] }, _time);
        X509Certificate2 serving = certs.Serving;
        Assert.True(serving.HasPrivateKey);
        X509SubjectAlternativeNameExtension san = serving.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        Assert.Equal(
            ["localhost", "node-1", "kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local", "api.example.com"],
            san.EnumerateDnsNames().ToArray());
        Assert.Equal(
            [IPAddress.Loopback, IPAddress.IPv6Loopback, IPAddress.Parse("10.43.0.1"), IPAddress.Parse("192.168.1.10")],
            san.EnumerateIPAddresses().ToArray());
        Assert.Contains(serving.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages.Cast<System.Security.Cryptography.Oid>(),
            oid => oid.Value == "1.3.6.1.5.5.7.3.1");
        Assert.False(serving.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority);
        Assert.True(certs.IsSignedByCa(serving, Start));
        Assert.Equal(Start.AddDays(365).UtcDateTime, serving.NotAfter.ToUniversalTime());
    }

    [Fact]
    public void Restart_reloads_the_same_certificates()
    {
        string caThumbprint;
        string servingThumbprint;
        using (ClusterCertificates first = ClusterCertificates.LoadOrCreate(Options(), _time))
        {
            caThumbprint = first.Ca.Thumbprint;
            servingThumbprint = first.Serving.Thumbprint;
        }

        _time.Advance(TimeSpan.FromDays(30));
        using ClusterCertificates second = ClusterCertificates.LoadOrCreate(Options(), _time);
        Assert.Equal(caThumbprint, second.Ca.Thumbprint);
        Assert.Equal(servingThumbprint, second.Serving.Thumbprint);
        Assert.True(second.Ca.HasPrivateKey);
        Assert.True(second.Serving.HasPrivateKey);
    }

    [Fact]
    public void Serving_certificate_near_expiry_is_renewed_with_the_same_ca()
    {
        string caThumbprint;
        string servingThumbprint;
        using (ClusterCertificates first = ClusterCertificates.LoadOrCreate(Options(), _time))
        {
            caThumbprint = first.Ca.Thumbprint;
            servingThumbprint = first.Serving.Thumbprint;
        }

        _time.Advance(TimeSpan.FromDays(300));
        using ClusterCertificates renewed = ClusterCertificates.LoadOrCreate(Options(), _time);
        Assert.Equal(caThumbprint, renewed.Ca.Thumbprint);
        Assert.NotEqual(servingThumbprint, renewed.Serving.Thumbprint);
        Assert.Equal(_time.Now.AddDays(365).UtcDateTime, renewed.Serving.NotAfter.ToUniversalTime());
        Assert.True(renewed.IsSignedByCa(renewed.Serving, _time.Now));
    }

    [Fact]
    public void New_node_name_reissues_the_serving_certificate()
    {
        string servingThumbprint;
        using (ClusterCertificates first = ClusterCertificates.LoadOrCreate(Options("node-1"), _time))
        {
            servingThumbprint = first.Serving.Thumbprint;
        }

        using ClusterCertificates second = ClusterCertificates.LoadOrCreate(Options("node-2"), _time);
        Assert.NotEqual(servingThumbprint, second.Serving.Thumbprint);
        Assert.Contains("node-2", second.Serving.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single().EnumerateDnsNames());
    }

    [Fact]
    public void Serving_certificate_from_another_ca_is_replaced()
    {
        using var other = new TempDir();
        using (ClusterCertificates.LoadOrCreate(Options(), _time))
        {
        }

        using (ClusterCertificates foreign = ClusterCertificates.LoadOrCreate(Options() with { DataDirectory = other.Path }, _time))
        {
            File.Copy(foreign.Options.ServingCertificatePath, Options().ServingCertificatePath, overwrite: true);
            File.Copy(foreign.Options.ServingKeyPath, Options().ServingKeyPath, overwrite: true);
        }

        using ClusterCertificates reloaded = ClusterCertificates.LoadOrCreate(Options(), _time);
        Assert.True(reloaded.IsSignedByCa(reloaded.Serving, _time.Now));
    }

    [Theory]
    [InlineData("kubernetes.default.svc")]
    [InlineData("localhost")]
    [InlineData("127.0.0.1")]
    public async Task Tls_handshake_succeeds_for_clients_trusting_the_ca(string targetHost)
    {
        using ClusterCertificates certs = ClusterCertificates.LoadOrCreate(Options(), TimeProvider.System);
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            int port = ((IPEndPoint)listener.LocalEndpoint).Port;
            Task server = Task.Run(async () =>
            {
                using TcpClient accepted = await listener.AcceptTcpClientAsync();
                await using var ssl = new SslStream(accepted.GetStream());
                await ssl.AuthenticateAsServerAsync(certs.Serving);
                await ssl.WriteAsync("ok"u8.ToArray());
            });

            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, port);
            await using var clientSsl = new SslStream(client.GetStream());
            var trust = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
            trust.CustomTrustStore.Add(X509CertificateLoader.LoadCertificate(certs.Ca.RawData));
            await clientSsl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = targetHost,
                CertificateChainPolicy = trust,
            });
            byte[] buffer = new byte[2];
            await clientSsl.ReadExactlyAsync(buffer);
            Assert.Equal("ok"u8.ToArray(), buffer);
            await server;
        }
        finally
        {
            listener.Stop();
        }
    }

    [Fact]
    public async Task Tls_handshake_fails_for_names_not_in_the_certificate()
    {
        using ClusterCertificates certs = ClusterCertificates.LoadOrCreate(Options(), TimeProvider.System);
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            int port = ((IPEndPoint)listener.LocalEndpoint).Port;
            Task server = Task.Run(async () =>
            {
                using TcpClient accepted = await listener.AcceptTcpClientAsync();
                await using var ssl = new SslStream(accepted.GetStream());
                try
                {
                    await ssl.AuthenticateAsServerAsync(certs.Serving);
                }
                catch (Exception e) when (e is IOException or AuthenticationException)
                {
                    // The client aborts the handshake.
                }
            });

            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, port);
            await using var clientSsl = new SslStream(client.GetStream());
            var trust = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
            trust.CustomTrustStore.Add(X509CertificateLoader.LoadCertificate(certs.Ca.RawData));
            await Assert.ThrowsAsync<AuthenticationException>(() => clientSsl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "evil.example.com",
                CertificateChainPolicy = trust,
            }));
            await server;
        }
        finally
        {
            listener.Stop();
        }
    }

    [Fact]
    public void Ca_data_is_base64_of_the_ca_pem()
    {
        using ClusterCertificates certs = ClusterCertificates.LoadOrCreate(Options(), _time);
        Assert.Equal(certs.CaPem, System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(certs.CaData)));
    }
}
