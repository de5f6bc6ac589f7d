using Korvet.Api;
using Korvet.Api.Core.V1;
using Korvet.Api.Meta.V1;

namespace Korvet.Controllers.ReplicaSets;

/// <summary>
/// The pod writes of workload controllers (DESIGN.md §3), so tests can observe or fail them. Implementations record
/// upstream's events (SuccessfulCreate / FailedCreate / SuccessfulDelete / FailedDelete) and throw the API's errors.
/// </summary>
public interface IPodControl
{
    /// <summary>Creates a pod from <paramref name="template"/> owned by <paramref name="controllerRef"/>.</summary>
    Task<Pod> CreatePodAsync(string ns, PodTemplateSpec template, IKubernetesObject owner, OwnerReference controllerRef, CancellationToken ct);

    Task DeletePodAsync(string ns, string name, IKubernetesObject owner, CancellationToken ct);

    /// <summary>A strategic merge patch (adopt / release ownerReferences).</summary>
    Task<Pod> PatchPodAsync(string ns, string name, string patch, CancellationToken ct);
}
