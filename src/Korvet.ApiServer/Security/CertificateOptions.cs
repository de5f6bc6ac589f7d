using System.Net;

namespace Korvet.ApiServer.Security;

/// <summary>Where and for which names the API server's TLS material is made. Immutable.</summary>
public sealed record CertificateOptions
{
    /// <summary>The server data dir; files live in <c>DataDirectory/tls</c>.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>The node's name, added to the serving certificate's DNS names.</summary>
    public string NodeName { get; init; } = Environment.MachineName.ToLowerInvariant();

    /// <summary>The first IP of the service CIDR: the ClusterIP of the <c>kubernetes</c> Service.</summary>
    public IPAddress ServiceIP { get; init; } = IPAddress.Parse("10.43.0.1");

    /// <summary>The cluster domain used for <c>kubernetes.default.svc.&lt;domain&gt;</c>.</summary>
    public string ClusterDomain { get; init; } = "cluster.local";

    /// <summary>Additional DNS names or IP literals for the serving certificate (k3s <c>--tls-san</c>).</summary>
    public IReadOnlyList<string> ExtraSubjectAlternativeNames { get; init; } = [];

    public TimeSpan CaValidity { get; init; } = TimeSpan.FromDays(3650);

    public TimeSpan ServingValidity { get; init; } = TimeSpan.FromDays(365);

    /// <summary>A serving certificate with less than this left is re-issued (with the same CA) on start.</summary>
    public TimeSpan RenewBefore { get; init; } = TimeSpan.FromDays(90);

    public string TlsDirectory => Path.Combine(DataDirectory, "tls");

    public string CaCertificatePath => Path.Combine(TlsDirectory, "server-ca.crt");

    public string CaKeyPath => Path.Combine(TlsDirectory, "server-ca.key");

    public string ServingCertificatePath => Path.Combine(TlsDirectory, "serving.crt");

    public string ServingKeyPath => Path.Combine(TlsDirectory, "serving.key");

    /// <summary>DNS names the serving certificate must cover.</summary>
    public IReadOnlyList<string> DnsNames =>
        [.. new[]
            {
                "localhost", NodeName, "kubernetes", "kubernetes.default", "kubernetes.default.svc",
                "kubernetes.default.svc." + ClusterDomain,
            }
            .Concat(ExtraSubjectAlternativeNames.Where(n => !IPAddress.TryParse(n, out _)))
            .Where(n => n.Length > 0)
            .Distinct(StringComparer.OrdinalIgnoreCase)];

    /// <summary>IP addresses the serving certificate must cover.</summary>
    public IReadOnlyList<IPAddress> IPAddresses =>
        [.. new[] { IPAddress.Loopback, IPAddress.IPv6Loopback, ServiceIP }
            .Concat(ExtraSubjectAlternativeNames.Select(n => IPAddress.TryParse(n, out IPAddress? ip) ? ip : null).OfType<IPAddress>())
            .Distinct()];
}
