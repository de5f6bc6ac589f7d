using System.Net;

namespace Korvet.Server;

/// <summary>Options of <c>korvet server</c> (k3s-style names). Immutable.</summary>
/// <param name="DataDir">State directory: credentials, kubeconfig, and (with SQLite) the database.</param>
/// <param name="BindAddress">Address the API server listens on.</param>
/// <param name="HttpsPort">HTTPS port; 0 picks a free port (tests).</param>
/// <param name="DatastoreEndpoint">etcd endpoints (<c>etcd://host:port[,...]</c>); null = embedded store.</param>
/// <param name="TokenFile">Static token file (<c>token,user,uid,"group1,group2"</c> per line), or null.</param>
/// <param name="WriteKubeconfig">Extra path to write the admin kubeconfig to, or null.</param>
/// <param name="DisableAgent">True to run without the in-process node agent.</param>
/// <param name="DisableControllers">True to run without the in-process controller manager.</param>
/// <param name="WatchCacheHistory">Events each watch cache keeps for resuming watches (null = default); tests use a
/// tiny window to force 410 Expired.</param>
public sealed record ServerOptions(
    string DataDir,
    IPAddress BindAddress,
    int HttpsPort = 6443,
    string? DatastoreEndpoint = null,
    string? TokenFile = null,
    string? WriteKubeconfig = null,
    bool DisableAgent = false,
    int? WatchCacheHistory = null,
    bool DisableControllers = false)
{
    public string KubeconfigPath => Path.Combine(DataDir, "kubeconfig.yaml");
}
