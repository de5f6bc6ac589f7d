using Korvet.Api;
using Korvet.Api.Core.V1;
using Korvet.Api.Meta.V1;
using Korvet.Client;
using Korvet.Client.Events;

namespace Korvet.Controllers.ReplicaSets;

/// <summary>
/// IPodControl over the API (upstream's RealPodControl): pods get the template's labels, annotations, finalizers and
/// spec, <c>generateName</c> "&lt;owner&gt;-" and the controller reference. Thread-safe (the client is).
/// </summary>
public sealed class PodControl : IPodControl
{
    private readonly ResourceClient<Pod> _pods;
    private readonly EventRecorder _events;

    public PodControl(KubernetesClient client, EventRecorder events)
    {
        _pods = client.Resource<Pod>();
        _events = events;
    }

    public async Task<Pod> CreatePodAsync(string ns, PodTemplateSpec template, IKubernetesObject owner, OwnerReference controllerRef, CancellationToken ct)
    {
        Pod pod = FromTemplate(ns, template, owner.Metadata?.Name ?? "", controllerRef);
        if (pod.Metadata!.Labels is not { Count: > 0 })
        {
            throw new InvalidOperationException("unable to create pods, no labels");
        }

        try
        {
            Pod created = await _pods.CreateAsync(pod, ct);
            _events.Normal(owner, "SuccessfulCreate", $"Created pod: {created.Metadata?.Name}");
            return created;
        }
        catch (ApiException e)
        {
            _events.Warning(owner, "FailedCreate", $"Error creating: {e.Message}");
            throw;
        }
    }

    public async Task DeletePodAsync(string ns, string name, IKubernetesObject owner, CancellationToken ct)
    {
        try
        {
            await _pods.DeleteAsync(name, ns, null, ct);
            _events.Normal(owner, "SuccessfulDelete", $"Deleted pod: {name}");
        }
        catch (ApiException e) when (!e.IsNotFound)
        {
            _events.Warning(owner, "FailedDelete", $"Error deleting: {e.Message}");
            throw;
        }
    }

    public Task<Pod> PatchPodAsync(string ns, string name, string patch, CancellationToken ct) =>
        _pods.PatchAsync(name, ns, PatchType.StrategicMerge, patch, ct: ct);

    /// <summary>GetPodFromTemplate: a deep copy of the template's metadata parts and spec, owned by the controller.</summary>
    public static Pod FromTemplate(string ns, PodTemplateSpec template, string ownerName, OwnerReference controllerRef)
    {
        PodTemplateSpec copy = ObjectCopy.Clone(template);
        return new Pod
        {
            ApiVersion = "v1",
            Kind = "Pod",
            Metadata = new ObjectMeta
            {
                Namespace = ns,
                GenerateName = ownerName + "-",
                Labels = copy.Metadata?.Labels,
                Annotations = copy.Metadata?.Annotations,
                Finalizers = copy.Metadata?.Finalizers,
                OwnerReferences = [controllerRef],
            },
            Spec = copy.Spec,
        };
    }
}
