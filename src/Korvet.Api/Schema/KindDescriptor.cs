namespace Korvet.Api.Schema;

/// <summary>A top-level API kind (has ObjectMeta) and the message that encodes it. Immutable.</summary>
/// <param name="Group">API group; "" for core.</param>
/// <param name="Version">e.g. "v1".</param>
/// <param name="Kind">e.g. "Deployment".</param>
/// <param name="Namespaced">True, false, or null when upstream does not say (virtual kinds like Scale).</param>
/// <param name="MessageName">Full proto name of the kind's message.</param>
/// <param name="ListKind">e.g. "DeploymentList"; null when none.</param>
public sealed record KindDescriptor(string Group, string Version, string Kind, bool? Namespaced, string MessageName, string? ListKind)
{
    /// <summary>"v1" for core, "group/version" otherwise.</summary>
    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";
}

/// <summary>A Go string enum: the allowed values of a field whose type is marked <c>+enum</c>.</summary>
public sealed record EnumDescriptor(string GoType, IReadOnlyList<string> Values);

/// <summary>
/// A type registered under a group/version in upstream's scheme (<c>register.go</c>), kinds and non-kinds alike
/// (e.g. <c>PodLogOptions</c>, <c>Scale</c>). The meta.k8s.io types every group serves (Status, DeleteOptions,
/// WatchEvent, ...) are resolved by <see cref="ApiSchema.ResolveMessage"/> as a fallback.
/// </summary>
public sealed record RegisteredType(string Group, string Version, string Kind, string MessageName);
