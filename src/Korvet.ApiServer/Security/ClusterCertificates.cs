using System.Formats.Asn1;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Korvet.ApiServer.Security;

/// <summary>
/// The API server's TLS material: a self-signed CA (ECDSA P-256, 10 years) and a serving certificate it signs
/// (ECDSA P-256, DNS/IP SANs from <see cref="CertificateOptions"/>), kept as PEM files in
/// <c>&lt;data-dir&gt;/tls</c> (<c>server-ca.crt</c>, <c>server-ca.key</c>, <c>serving.crt</c>,
/// <c>serving.key</c>; keys 0600). Created on first start and reloaded later; the serving certificate is
/// re-issued with the same CA when it nears expiry or no longer covers the required names, so kubeconfigs
/// that trust the CA keep working. Not thread-safe to create concurrently for one data dir (one server owns it).
/// </summary>
public sealed class ClusterCertificates : IDisposable
{
    private static readonly Oid ServerAuth = new("1.3.6.1.5.5.7.3.1", "Server Authentication");
    private const string EcdsaWithSha256 = "1.2.840.10045.4.3.2";

    private ClusterCertificates(X509Certificate2 ca, X509Certificate2 serving, CertificateOptions options)
    {
        Ca = ca;
        Serving = serving;
        CaPem = ca.ExportCertificatePem() + "\n";
        Options = options;
    }

    /// <summary>The CA certificate, with its private key (it signs serving certificates).</summary>
    public X509Certificate2 Ca { get; }

    /// <summary>The serving certificate with its private key, ready for Kestrel.</summary>
    public X509Certificate2 Serving { get; }

    /// <summary>The CA certificate as PEM (what kubeconfigs embed as <c>certificate-authority-data</c>).</summary>
    public string CaPem { get; }

    public CertificateOptions Options { get; }

    /// <summary>Base64 of <see cref="CaPem"/>, for a kubeconfig's <c>certificate-authority-data</c>.</summary>
    public string CaData => Convert.ToBase64String(Encoding.UTF8.GetBytes(CaPem));

    /// <summary>Loads the TLS material from the data dir, creating or renewing what is missing or stale.</summary>
    public static ClusterCertificates LoadOrCreate(CertificateOptions options, TimeProvider time)
    {
        CertificateOptions paths = options;
        DateTimeOffset now = time.GetUtcNow();

        X509Certificate2 ca;
        if (File.Exists(paths.CaCertificatePath) && File.Exists(paths.CaKeyPath))
        {
            ca = X509Certificate2.CreateFromPemFile(paths.CaCertificatePath, paths.CaKeyPath);
        }
        else
        {
            ca = CreateCa(options, now);
            using ECDsa caKey = ca.GetECDsaPrivateKey()!;
            SecureFiles.WriteAllText(paths.CaKeyPath, caKey.ExportPkcs8PrivateKeyPem() + "\n", secret: true);
            SecureFiles.WriteAllText(paths.CaCertificatePath, ca.ExportCertificatePem() + "\n", secret: false);
        }

        X509Certificate2? serving = null;
        if (File.Exists(paths.ServingCertificatePath) && File.Exists(paths.ServingKeyPath))
        {
            serving = X509Certificate2.CreateFromPemFile(paths.ServingCertificatePath, paths.ServingKeyPath);
            if (!IsUsable(serving, ca, options, now))
            {
                serving.Dispose();
                serving = null;
            }
        }

        if (serving is null)
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            serving = IssueServing(ca, key, options, now);
            SecureFiles.WriteAllText(paths.ServingKeyPath, key.ExportPkcs8PrivateKeyPem() + "\n", secret: true);
            SecureFiles.WriteAllText(paths.ServingCertificatePath, serving.ExportCertificatePem() + "\n", secret: false);
        }

        return new ClusterCertificates(ca, serving, options);
    }

    /// <summary>True when <paramref name="certificate"/> chains to <see cref="Ca"/> at <paramref name="at"/>.</summary>
    public bool IsSignedByCa(X509Certificate2 certificate, DateTimeOffset at) => ChainsTo(certificate, Ca, at);

    public void Dispose()
    {
        Ca.Dispose();
        Serving.Dispose();
    }

    private static X509Certificate2 CreateCa(CertificateOptions options, DateTimeOffset now)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN=korvet-server-ca@{now.ToUnixTimeSeconds()}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request.CreateSelfSigned(now.AddMinutes(-5), now + options.CaValidity);
    }

    private static X509Certificate2 IssueServing(X509Certificate2 ca, ECDsa key, CertificateOptions options, DateTimeOffset now)
    {
        var request = new CertificateRequest("CN=kube-apiserver", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([ServerAuth], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        var san = new SubjectAlternativeNameBuilder();
        foreach (string dns in options.DnsNames)
        {
            san.AddDnsName(dns);
        }

        foreach (IPAddress ip in options.IPAddresses)
        {
            san.AddIpAddress(ip);
        }

        request.CertificateExtensions.Add(san.Build());
        DateTimeOffset notAfter = now + options.ServingValidity;
        if (notAfter > ca.NotAfter)
        {
            notAfter = ca.NotAfter;
        }

        byte[] serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        using X509Certificate2 signed = request.Create(ca, now.AddMinutes(-5), notAfter, serial);
        return signed.CopyWithPrivateKey(key);
    }

    private static bool IsUsable(X509Certificate2 serving, X509Certificate2 ca, CertificateOptions options, DateTimeOffset now)
    {
        if (serving.NotAfter.ToUniversalTime() - now.UtcDateTime < options.RenewBefore || !(IssuedBy(serving, ca, now) ?? ChainsTo(serving, ca, now)))
        {
            return false;
        }

        X509SubjectAlternativeNameExtension? san = serving.Extensions.OfType<X509SubjectAlternativeNameExtension>().FirstOrDefault();
        if (san is null)
        {
            return false;
        }

        var dns = new HashSet<string>(san.EnumerateDnsNames(), StringComparer.OrdinalIgnoreCase);
        var ips = new HashSet<IPAddress>(san.EnumerateIPAddresses());
        return options.DnsNames.All(dns.Contains) && options.IPAddresses.All(ips.Contains);
    }

    /// <summary>
    /// The startup check of a reloaded serving certificate without <see cref="X509Chain"/> (which loads the whole system
    /// trust store on Linux, ~1 s on a small machine): issuer name, validity of both at <paramref name="at"/>, and the
    /// ECDSA-with-SHA256 signature over the TBSCertificate verified with the CA's key. Null when the certificates use
    /// other algorithms (then the chain builder decides).
    /// </summary>
    private static bool? IssuedBy(X509Certificate2 certificate, X509Certificate2 ca, DateTimeOffset at)
    {
        using ECDsa? caKey = ca.GetECDsaPublicKey();
        if (caKey is null)
        {
            return null;
        }

        DateTime when = at.UtcDateTime;
        if (!certificate.IssuerName.RawData.AsSpan().SequenceEqual(ca.SubjectName.RawData)
            || when < certificate.NotBefore.ToUniversalTime() || when > certificate.NotAfter.ToUniversalTime()
            || when < ca.NotBefore.ToUniversalTime() || when > ca.NotAfter.ToUniversalTime())
        {
            return false;
        }

        try
        {
            // Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm AlgorithmIdentifier, signatureValue BIT STRING }
            var outer = new AsnReader(certificate.RawData, AsnEncodingRules.DER).ReadSequence();
            ReadOnlyMemory<byte> tbs = outer.ReadEncodedValue();
            AsnReader algorithm = outer.ReadSequence();
            if (algorithm.ReadObjectIdentifier() != EcdsaWithSha256)
            {
                return null;
            }

            byte[] signature = outer.ReadBitString(out int unusedBits);
            return unusedBits == 0 && caKey.VerifyData(tbs.Span, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        }
        catch (AsnContentException)
        {
            return false;
        }
    }

    private static bool ChainsTo(X509Certificate2 certificate, X509Certificate2 ca, DateTimeOffset at)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = at.UtcDateTime;
        chain.ChainPolicy.VerificationTimeIgnored = false;
        return chain.Build(certificate);
    }
}
