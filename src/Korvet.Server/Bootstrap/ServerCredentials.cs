using System.Net;
using System.Security.Cryptography.X509Certificates;
using Korvet.ApiServer.Authentication;
using Korvet.ApiServer.Security;
using Korvet.Storage;

namespace Korvet.Server.Bootstrap;

/// <summary>
/// The server's security material, loaded from the data dir or created on first start by the security library:
/// CA and serving certificate (<c>tls/server-ca.*</c>, <c>tls/serving.*</c>), the service-account signing key
/// (<c>tls/service.key</c>), the admin token (<c>admin.token</c>) and the optional <c>--token-file</c> users.
/// Owns the keys; dispose once when the server stops.
/// </summary>
public sealed class ServerCredentials : IDisposable
{
    private ServerCredentials(ClusterCertificates certificates, StaticTokenAuthenticator staticTokens, ServiceAccountTokens serviceAccountTokens)
    {
        Certificates = certificates;
        StaticTokens = staticTokens;
        ServiceAccountTokens = serviceAccountTokens;
    }

    public ClusterCertificates Certificates { get; }

    public StaticTokenAuthenticator StaticTokens { get; }

    public ServiceAccountTokens ServiceAccountTokens { get; }

    /// <summary>Serving certificate with its private key.</summary>
    public X509Certificate2 Serving => Certificates.Serving;

    public string AdminToken => StaticTokens.AdminToken;

    public string CaPem => Certificates.CaPem;

    /// <summary>Base64 of the CA PEM, as kubeconfigs carry it.</summary>
    public string CaData => Certificates.CaData;

    public static ServerCredentials LoadOrCreate(string dataDir, IPAddress bindAddress, string? tokenFile, TimeProvider time)
    {
        bool extraAddress = !bindAddress.Equals(IPAddress.Loopback) && !bindAddress.Equals(IPAddress.Any) && !bindAddress.Equals(IPAddress.IPv6Any);
        var certificateOptions = new CertificateOptions
        {
            DataDirectory = dataDir,
            ExtraSubjectAlternativeNames = extraAddress ? [bindAddress.ToString()] : [],
        };
        ClusterCertificates certificates = ClusterCertificates.LoadOrCreate(certificateOptions, time);
        StaticTokenAuthenticator staticTokens = StaticTokenAuthenticator.LoadOrCreate(new TokenAuthOptions { DataDirectory = dataDir, TokenFile = tokenFile });
        ServiceAccountTokens serviceAccounts = ServiceAccountTokens.LoadOrCreate(new ServiceAccountTokenOptions { DataDirectory = dataDir }, time);
        return new ServerCredentials(certificates, staticTokens, serviceAccounts);
    }

    /// <summary>The request authenticator: admin token, token file, then service-account JWTs checked against storage.</summary>
    public IRequestAuthenticator CreateAuthenticator(IBackend backend) =>
        new BearerRequestAuthenticator(new BearerTokenAuthenticator(StaticTokens, ServiceAccountTokens), backend);

    /// <summary>The admin kubeconfig for a server reachable at <paramref name="server"/>.</summary>
    public string RenderKubeconfig(Uri server) => AdminKubeconfig.Render(server.ToString().TrimEnd('/'), CaData, AdminToken);

    public void Dispose()
    {
        Certificates.Dispose();
        ServiceAccountTokens.Dispose();
    }
}
