using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Korvet.Server.Bootstrap;

/// <summary>
/// The credentials a fresh server generates in its data dir and reuses on restart: a self-signed CA, a serving
/// certificate it signs (SANs: localhost, 127.0.0.1, the bind address, kubernetes.default.svc names), and a random
/// admin bearer token. Files: <c>tls/ca.crt</c>, <c>tls/ca.key</c>, <c>tls/serving.crt</c>, <c>tls/serving.key</c>,
/// <c>token</c> (all 0600). The security library (CA rotation, token files, service-account JWTs) replaces this.
/// </summary>
public sealed class ServerCredentials
{
    private ServerCredentials(X509Certificate2 ca, X509Certificate2 serving, string adminToken)
    {
        Ca = ca;
        Serving = serving;
        AdminToken = adminToken;
    }

    public X509Certificate2 Ca { get; }

    /// <summary>Serving certificate with its private key.</summary>
    public X509Certificate2 Serving { get; }

    public string AdminToken { get; }

    public string CaPem => Ca.ExportCertificatePem();

    public static ServerCredentials LoadOrCreate(string dataDir, IPAddress bindAddress)
    {
        string tls = Path.Combine(dataDir, "tls");
        Directory.CreateDirectory(tls);
        string caCrt = Path.Combine(tls, "ca.crt");
        string caKey = Path.Combine(tls, "ca.key");
        string crt = Path.Combine(tls, "serving.crt");
        string key = Path.Combine(tls, "serving.key");
        string tokenPath = Path.Combine(dataDir, "token");
        if (!File.Exists(caCrt) || !File.Exists(caKey) || !File.Exists(crt) || !File.Exists(key))
        {
            using ECDsa caKeyPair = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var caRequest = new CertificateRequest("CN=korvet-server-ca", caKeyPair, HashAlgorithmName.SHA256);
            caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
            caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
            caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
            DateTimeOffset now = DateTimeOffset.UtcNow;
            using X509Certificate2 ca = caRequest.CreateSelfSigned(now.AddMinutes(-5), now.AddYears(10));

            using ECDsa servingKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest("CN=korvet-server", servingKey, HashAlgorithmName.SHA256);
            var san = new SubjectAlternativeNameBuilder();
            foreach (string dns in new[] { "localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local" })
            {
                san.AddDnsName(dns);
            }

            san.AddIpAddress(IPAddress.Loopback);
            if (!bindAddress.Equals(IPAddress.Loopback) && !bindAddress.Equals(IPAddress.Any))
            {
                san.AddIpAddress(bindAddress);
            }

            request.CertificateExtensions.Add(san.Build());
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
            byte[] serial = RandomNumberGenerator.GetBytes(16);
            serial[0] &= 0x7f;
            using X509Certificate2 serving = request.Create(ca, now.AddMinutes(-5), now.AddYears(1), serial);

            WritePrivate(caCrt, ca.ExportCertificatePem());
            WritePrivate(caKey, caKeyPair.ExportPkcs8PrivateKeyPem());
            WritePrivate(crt, serving.ExportCertificatePem());
            WritePrivate(key, servingKey.ExportPkcs8PrivateKeyPem());
        }

        if (!File.Exists(tokenPath))
        {
            WritePrivate(tokenPath, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)));
        }

        X509Certificate2 caCert = X509Certificate2.CreateFromPem(File.ReadAllText(caCrt));
        X509Certificate2 servingCert = X509Certificate2.CreateFromPemFile(crt, key);
        return new ServerCredentials(caCert, servingCert, File.ReadAllText(tokenPath).Trim());
    }

    private static void WritePrivate(string path, string content)
    {
        string temp = path + ".tmp";
        File.WriteAllText(temp, content);
        File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.Move(temp, path, overwrite: true);
    }
}
