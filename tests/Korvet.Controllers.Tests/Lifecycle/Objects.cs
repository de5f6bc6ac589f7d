using Korvet.Api.Apps.V1;
using Korvet.Api.Core.V1;
using Korvet.Api.Meta.V1;
using Korvet.Client;

namespace Korvet.Controllers.Tests.Lifecycle;

/// <summary>Objects the lifecycle tests create: a Deployment → ReplicaSet → Pod chain wired with owner references.</summary>
internal static class Objects
{
    public static async Task CreateNamespaceAsync(KubernetesClient client, string name) =>
        await client.Resource<Korvet.Api.Core.V1.Namespace>().CreateAsync(new Korvet.Api.Core.V1.Namespace { Metadata = new ObjectMeta { Name = name } });

    private static PodTemplateSpec Template() => new()
    {
        Metadata = new ObjectMeta { Labels = new() { ["app"] = "chain" } },
        Spec = new PodSpec { Containers = [new Container { Name = "c", Image = "nginx" }] },
    };

    private static OwnerReference Owner(IKubernetesObjectLike owner) => new()
    {
        ApiVersion = owner.ApiVersion, Kind = owner.Kind, Name = owner.Name, Uid = owner.Uid, Controller = true, BlockOwnerDeletion = true,
    };

    /// <summary>Creates deployment <paramref name="name"/>, its ReplicaSet and one Pod of it; returns (deployment, rs, pod) uids.</summary>
    public static async Task<(Deployment Deployment, ReplicaSet ReplicaSet, Pod Pod)> CreateChainAsync(KubernetesClient client, string ns, string name)
    {
        Deployment d = await client.Resource<Deployment>().CreateAsync(new Deployment
        {
            Metadata = new ObjectMeta { Name = name, Namespace = ns },
            Spec = new DeploymentSpec { Replicas = 1, Selector = new LabelSelector { MatchLabels = new() { ["app"] = "chain" } }, Template = Template() },
        });
        ReplicaSet rs = await client.Resource<ReplicaSet>().CreateAsync(new ReplicaSet
        {
            Metadata = new ObjectMeta
            {
                Name = name + "-rs", Namespace = ns,
                OwnerReferences = [Owner(new IKubernetesObjectLike("apps/v1", "Deployment", name, d.Metadata!.Uid!))],
            },
            Spec = new ReplicaSetSpec { Replicas = 1, Selector = new LabelSelector { MatchLabels = new() { ["app"] = "chain" } }, Template = Template() },
        });
        Pod pod = await client.Resource<Pod>().CreateAsync(new Pod
        {
            Metadata = new ObjectMeta
            {
                Name = name + "-pod", Namespace = ns, Labels = new() { ["app"] = "chain" },
                OwnerReferences = [Owner(new IKubernetesObjectLike("apps/v1", "ReplicaSet", rs.Metadata!.Name!, rs.Metadata.Uid!))],
            },
            Spec = new PodSpec { Containers = [new Container { Name = "c", Image = "nginx" }] },
        });
        return (d, rs, pod);
    }

    /// <summary>
    /// Sets a pod's status like a kubelet would: read, change, write the status subresource, again on conflict (the
    /// in-process scheduler writes pods' PodScheduled condition meanwhile).
    /// </summary>
    public static async Task UpdatePodStatusAsync(KubernetesClient client, string ns, string name, Action<PodStatus> change)
    {
        for (int attempt = 0; ; attempt++)
        {
            Pod pod = await client.Resource<Pod>().GetAsync(name, ns);
            pod.Status ??= new PodStatus();
            change(pod.Status);
            try
            {
                await client.Resource<Pod>().UpdateStatusAsync(pod);
                return;
            }
            catch (ApiException e) when (e.IsConflict && attempt < 20)
            {
            }
        }
    }

    /// <summary>The identity an owner reference needs.</summary>
    internal sealed record IKubernetesObjectLike(string ApiVersion, string Kind, string Name, string Uid);
}
