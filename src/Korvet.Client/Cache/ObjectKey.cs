using Korvet.Api;

namespace Korvet.Client.Cache;

/// <summary>The cache and work-queue key of an object: <c>namespace/name</c>, or <c>name</c> when cluster-scoped.</summary>
public static class ObjectKey
{
    public static string Of(IKubernetesObject obj) => Of(obj.Metadata?.Namespace, obj.Metadata?.Name ?? "");

    public static string Of(string? ns, string name) => string.IsNullOrEmpty(ns) ? name : ns + "/" + name;

    /// <summary>Splits a key back into namespace (null when cluster-scoped) and name.</summary>
    public static (string? Namespace, string Name) Split(string key)
    {
        int slash = key.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? (null, key) : (key[..slash], key[(slash + 1)..]);
    }
}
