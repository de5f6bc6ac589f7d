using System.Reflection;
using System.Text.Json;

namespace Korvet.ApiServer.Http;

/// <summary>The /version document: Kubernetes 1.32 (kubectl picks its bundled client by the minor).</summary>
public static class VersionInfo
{
    public const string Major = "1";
    public const string Minor = "32";
    public const string GitVersion = "v1.32.4";

    public static byte[] Serialize()
    {
        string build = typeof(VersionInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "";
        int plus = build.IndexOf('+', StringComparison.Ordinal);
        string commit = plus >= 0 ? build[(plus + 1)..] : "";
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("major", Major);
            w.WriteString("minor", Minor);
            w.WriteString("gitVersion", GitVersion);
            w.WriteString("gitCommit", commit);
            w.WriteString("gitTreeState", "clean");
            w.WriteString("buildDate", "2025-04-22T00:00:00Z");
            w.WriteString("goVersion", "go1.23.8");
            w.WriteString("compiler", "gc");
            w.WriteString("platform", "linux/amd64");
            w.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
