using Korvet.Api.Apps.V1;
using Korvet.Api.Core.V1;
using Korvet.Api.Meta.V1;
using Korvet.Controllers.StatefulSets;

namespace Korvet.Controllers.Tests.StatefulSets;

/// <summary>Builders of StatefulSets and their pods in given states for the pure-logic tests.</summary>
internal static class Sets
{
    public static StatefulSet Make(string name = "web", int replicas = 3, string policy = "OrderedReady", string strategy = "RollingUpdate",
        int? partition = 0, string image = "nginx:1", bool claims = false) => new()
    {
        ApiVersion = "apps/v1",
        Kind = "StatefulSet",
        Metadata = new ObjectMeta { Name = name, Namespace = "default", Uid = "set-uid", Generation = 1 },
        Spec = new StatefulSetSpec
        {
            Replicas = replicas,
            ServiceName = "nginx",
            PodManagementPolicy = policy,
            Selector = new LabelSelector { MatchLabels = new() { ["app"] = name } },
            UpdateStrategy = new StatefulSetUpdateStrategy
            {
                Type = strategy,
                RollingUpdate = strategy == "RollingUpdate" && partition is int p ? new RollingUpdateStatefulSetStrategy { Partition = p } : null,
            },
            Template = Template(name, image),
            VolumeClaimTemplates = claims ? [Claim("www")] : null,
        },
    };

    public static PersistentVolumeClaim Claim(string name) => new()
    {
        Metadata = new ObjectMeta { Name = name },
        Spec = new PersistentVolumeClaimSpec
        {
            AccessModes = ["ReadWriteOnce"],
            Resources = new VolumeResourceRequirements { Requests = new() { ["storage"] = Api.Resource.Quantity.Parse("1Gi") } },
        },
    };

    public static PodTemplateSpec Template(string app, string image) => new()
    {
        Metadata = new ObjectMeta { Labels = new() { ["app"] = app } },
        Spec = new PodSpec
        {
            Containers = [new Container { Name = "nginx", Image = image }],
            Volumes = [new Volume { Name = "www", EmptyDir = new EmptyDirVolumeSource() }, new Volume { Name = "cfg", EmptyDir = new EmptyDirVolumeSource() }],
        },
    };

    /// <summary>A created pod of <paramref name="ordinal"/> in a phase, ready or not, at a revision.</summary>
    public static Pod Pod(StatefulSet set, int ordinal, string phase = "Running", bool ready = true, string revision = "rev-1", bool terminating = false)
    {
        Pod pod = StatefulPods.NewPod(set, set.Spec!.Template!, ordinal, revision);
        pod.Metadata!.Uid = $"uid-{ordinal}";
        pod.Metadata.DeletionTimestamp = terminating ? new Time(DateTimeOffset.UtcNow) : null;
        pod.Status = new PodStatus
        {
            Phase = phase,
            Conditions = [new PodCondition { Type = "Ready", Status = ready ? "True" : "False", LastTransitionTime = new Time(DateTimeOffset.UtcNow.AddMinutes(-1)) }],
        };
        return pod;
    }

    public static Func<int, Pod> Builder(StatefulSet set, string revision = "rev-1") => ordinal => StatefulPods.NewPod(set, set.Spec!.Template!, ordinal, revision);
}
