using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace Korvet.ApiServer;

/// <summary>Options of the API server. Immutable; validated once by <see cref="ApiServer"/>.</summary>
/// <param name="Certificate">Serving certificate with private key (HTTPS only).</param>
/// <param name="BindAddress">Address to listen on (127.0.0.1 by default).</param>
/// <param name="Port">HTTPS port; 0 picks a free one (the bound port is reported by the running server).</param>
/// <param name="BookmarkInterval">How often watches with allowWatchBookmarks get a BOOKMARK.</param>
/// <param name="MaxRequestBodyBytes">Larger request bodies get 413 (upstream: 3 MiB).</param>
/// <param name="ServiceCidr">IPv4 range of Service cluster IPs (k3s default); its first address is the kubernetes Service's.</param>
/// <param name="DefaultTolerationSeconds">tolerationSeconds of the not-ready/unreachable NoExecute tolerations added to
/// new pods (upstream's DefaultTolerationSeconds admission plugin, 300).</param>
/// <param name="ServiceNodePortRange">Node ports of NodePort/LoadBalancer Services, e.g. "30000-32767" (see <see cref="Services.PortRange"/>).</param>
public sealed record ApiServerOptions(
    X509Certificate2 Certificate,
    IPAddress BindAddress,
    int Port,
    TimeSpan BookmarkInterval,
    long MaxRequestBodyBytes = 3 * 1024 * 1024,
    string ServiceCidr = "10.43.0.0/16",
    long DefaultTolerationSeconds = 300,
    string ServiceNodePortRange = "30000-32767")
{
    public static ApiServerOptions Create(X509Certificate2 certificate, int port = 6443) =>
        new(certificate, IPAddress.Loopback, port, TimeSpan.FromMinutes(1));
}
