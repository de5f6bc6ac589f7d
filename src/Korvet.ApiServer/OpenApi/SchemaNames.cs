namespace Korvet.ApiServer.OpenApi;

/// <summary>A group/version/kind as the <c>x-kubernetes-group-version-kind</c> extension lists it.</summary>
public sealed record GroupVersionKind(string Group, string Version, string Kind);

/// <summary>Upstream's OpenAPI definition names: the proto full name with the "k8s.io" prefix reversed.</summary>
public static class SchemaNames
{
    /// <summary><c>k8s.io.api.core.v1.Pod</c> → <c>io.k8s.api.core.v1.Pod</c>; the apiextensions package keeps its Go
    /// path's hyphen (<c>io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSON</c>).</summary>
    public static string FromProto(string fullName)
    {
        string rest = fullName.StartsWith("k8s.io.", StringComparison.Ordinal) ? fullName["k8s.io.".Length..] : fullName;
        return "io.k8s." + rest.Replace("apiextensions_apiserver", "apiextensions-apiserver", StringComparison.Ordinal);
    }

    /// <summary>The prefix of operation ids and tags: "" → "CoreV1", "rbac.authorization.k8s.io" → "RbacAuthorizationV1".</summary>
    public static string OperationPrefix(string group, string version)
    {
        return GroupWords(group) + Capitalize(version);
    }

    /// <summary>The tag upstream puts on operations: "core_v1", "apps_v1", "rbacAuthorization_v1".</summary>
    public static string Tag(string group, string version)
    {
        string words = GroupWords(group);
        return char.ToLowerInvariant(words[0]) + words[1..] + "_" + version;
    }

    public static string Capitalize(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];

    private static string GroupWords(string group)
    {
        if (group.Length == 0)
        {
            return "Core";
        }

        string trimmed = group.EndsWith(".k8s.io", StringComparison.Ordinal) ? group[..^".k8s.io".Length] : group;
        return string.Concat(trimmed.Split('.').Select(Capitalize));
    }
}
