using System.Text;

namespace Korvet.Server.Bootstrap;

/// <summary>Renders and writes the admin kubeconfig (k3s layout: cluster, context and user all named "default").</summary>
public static class Kubeconfig
{
    public static string Render(Uri server, string caPem, string token)
    {
        string caData = Convert.ToBase64String(Encoding.ASCII.GetBytes(caPem));
        return $"""
            apiVersion: v1
            kind: Config
            clusters:
            - cluster:
                certificate-authority-data: {caData}
                server: {server.ToString().TrimEnd('/')}
              name: default
            contexts:
            - context:
                cluster: default
                user: default
              name: default
            current-context: default
            preferences: {"{}"}
            users:
            - name: default
              user:
                token: {token}

            """;
    }

    /// <summary>Writes atomically with mode 0600 (the file holds the admin token).</summary>
    public static void Write(string path, string content)
    {
        string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null)
        {
            Directory.CreateDirectory(dir);
        }

        string temp = path + ".tmp";
        File.WriteAllText(temp, content);
        File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.Move(temp, path, overwrite: true);
    }
}
