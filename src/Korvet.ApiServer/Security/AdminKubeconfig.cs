using System.Text;

namespace Korvet.ApiServer.Security;

/// <summary>Renders the admin kubeconfig <c>korvet server</c> writes and <c>korvet kubeconfig</c> prints: one
/// cluster trusting the generated CA, one user with the admin bearer token.</summary>
public static class AdminKubeconfig
{
    /// <param name="serverUrl">e.g. <c>https://127.0.0.1:6443</c>.</param>
    /// <param name="caData">Base64 of the CA PEM (<see cref="ClusterCertificates.CaData"/>).</param>
    /// <param name="token">The admin bearer token.</param>
    /// <param name="name">Name of the cluster, user and context.</param>
    public static string Render(string serverUrl, string caData, string token, string name = "default")
    {
        var sb = new StringBuilder();
        sb.Append("apiVersion: v1\n");
        sb.Append("clusters:\n");
        sb.Append("- cluster:\n");
        sb.Append("    certificate-authority-data: ").Append(caData).Append('\n');
        sb.Append("    server: ").Append(Quote(serverUrl)).Append('\n');
        sb.Append("  name: ").Append(Quote(name)).Append('\n');
        sb.Append("contexts:\n");
        sb.Append("- context:\n");
        sb.Append("    cluster: ").Append(Quote(name)).Append('\n');
        sb.Append("    user: ").Append(Quote(name)).Append('\n');
        sb.Append("  name: ").Append(Quote(name)).Append('\n');
        sb.Append("current-context: ").Append(Quote(name)).Append('\n');
        sb.Append("kind: Config\n");
        sb.Append("preferences: {}\n");
        sb.Append("users:\n");
        sb.Append("- name: ").Append(Quote(name)).Append('\n');
        sb.Append("  user:\n");
        sb.Append("    token: ").Append(Quote(token)).Append('\n');
        return sb.ToString();
    }

    /// <summary>YAML double-quoted scalar (safe for any URL, name or token).</summary>
    private static string Quote(string s) => "\"" + s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
