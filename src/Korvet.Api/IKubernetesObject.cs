using Korvet.Api.Meta.V1;

namespace Korvet.Api;

/// <summary>
/// A top-level API object: TypeMeta (kind, apiVersion) and ObjectMeta. The generator puts it on every typed kind
/// (see docs/api-types.md); generic clients, informers and controllers work through it.
/// </summary>
public interface IKubernetesObject
{
    string? Kind { get; set; }

    string? ApiVersion { get; set; }

    ObjectMeta? Metadata { get; set; }
}

/// <summary>A list kind (<c>PodList</c>, ...): ListMeta (resourceVersion, continue) and the items.</summary>
public interface IKubernetesList<T>
{
    string? Kind { get; set; }

    string? ApiVersion { get; set; }

    ListMeta? Metadata { get; set; }

    List<T>? Items { get; set; }
}
