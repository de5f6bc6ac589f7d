using System.Text.Json.Nodes;
using Korvet.Api.Serialization;

namespace Korvet.Client;

/// <summary>
/// How to reach one API server: its URL, the CA that signs its serving certificate (the only one trusted), and the
/// credentials (bearer token and/or client certificate). Immutable.
/// </summary>
/// <param name="Server">e.g. <c>https://127.0.0.1:6443</c>.</param>
/// <param name="CaPem">PEM of the CA(s) trusted for the server certificate; null trusts the system roots.</param>
/// <param name="BearerToken">Sent as <c>Authorization: Bearer</c>, or null.</param>
/// <param name="ClientCertificatePem">PEM client certificate for mutual TLS, or null.</param>
/// <param name="ClientKeyPem">PEM private key of <paramref name="ClientCertificatePem"/>.</param>
/// <param name="InsecureSkipTlsVerify">Accept any server certificate (tests only).</param>
/// <param name="RequestTimeout">Limit of every request except watches.</param>
/// <param name="UserAgent">The User-Agent header (also the default field manager of the server).</param>
public sealed record ClientOptions(
    Uri Server,
    string? CaPem = null,
    string? BearerToken = null,
    string? ClientCertificatePem = null,
    string? ClientKeyPem = null,
    bool InsecureSkipTlsVerify = false,
    TimeSpan? RequestTimeout = null,
    string UserAgent = "korvet")
{
    public TimeSpan EffectiveRequestTimeout => RequestTimeout ?? TimeSpan.FromSeconds(60);

    /// <summary>Reads the current context of a kubeconfig file (the one <c>korvet server</c> writes, or kubectl's).</summary>
    /// <exception cref="InvalidDataException">The file lacks the current context, its cluster or its server.</exception>
    public static ClientOptions FromKubeconfigFile(string path) =>
        FromKubeconfig(File.ReadAllText(path), Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".");

    /// <summary>Parses kubeconfig YAML text; relative file references resolve against <paramref name="baseDir"/>.</summary>
    public static ClientOptions FromKubeconfig(string yaml, string baseDir)
    {
        JsonObject doc = YamlReader.ParseDocument(yaml) as JsonObject ?? throw new InvalidDataException("kubeconfig: not a mapping");
        string? contextName = Str(doc["current-context"]);
        JsonObject? context = Named(doc["contexts"], contextName, "context") ?? First(doc["contexts"], "context");
        JsonObject cluster = Named(doc["clusters"], Str(context?["cluster"]), "cluster") ?? First(doc["clusters"], "cluster")
            ?? throw new InvalidDataException("kubeconfig: no cluster");
        JsonObject? user = Named(doc["users"], Str(context?["user"]), "user") ?? First(doc["users"], "user");

        string server = Str(cluster["server"]) ?? throw new InvalidDataException("kubeconfig: the cluster has no server");
        string? ca = Data(cluster, "certificate-authority", baseDir);
        string? token = Str(user?["token"]);
        string? tokenFile = Str(user?["tokenFile"]);
        if (token is null && tokenFile is not null)
        {
            token = File.ReadAllText(Path.Combine(baseDir, tokenFile)).Trim();
        }

        return new ClientOptions(new Uri(server), ca, token,
            user is null ? null : Data(user, "client-certificate", baseDir),
            user is null ? null : Data(user, "client-key", baseDir),
            cluster["insecure-skip-tls-verify"]?.GetValueKind() == System.Text.Json.JsonValueKind.True);
    }

    private static string? Str(JsonNode? node) => node is JsonValue v && v.TryGetValue(out string? s) ? s : null;

    /// <summary><c>X-data</c> (base64 PEM) or <c>X</c> (a file path) of a kubeconfig entry.</summary>
    private static string? Data(JsonObject entry, string key, string baseDir)
    {
        if (Str(entry[key + "-data"]) is { } b64)
        {
            return System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(b64));
        }

        return Str(entry[key]) is { } file ? File.ReadAllText(Path.Combine(baseDir, file)) : null;
    }

    private static JsonObject? Named(JsonNode? list, string? name, string field)
    {
        if (name is null || list is not JsonArray array)
        {
            return null;
        }

        foreach (JsonNode? item in array)
        {
            if (item is JsonObject o && Str(o["name"]) == name)
            {
                return o[field] as JsonObject;
            }
        }

        return null;
    }

    private static JsonObject? First(JsonNode? list, string field) =>
        list is JsonArray { Count: > 0 } array && array[0] is JsonObject o ? o[field] as JsonObject : null;
}
