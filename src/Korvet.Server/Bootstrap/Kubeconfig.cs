namespace Korvet.Server.Bootstrap;

/// <summary>Writes the admin kubeconfig (rendered by <see cref="ServerCredentials.RenderKubeconfig"/>).</summary>
public static class Kubeconfig
{
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
