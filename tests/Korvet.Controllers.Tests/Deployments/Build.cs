using Korvet.Api.Apps.V1;
using Korvet.Api.Core.V1;
using Korvet.Api.IntStr;
using Korvet.Api.Meta.V1;
using Korvet.Controllers.Deployments;
using Deployment = Korvet.Api.Apps.V1.Deployment;

namespace Korvet.Controllers.Tests.Deployments;

/// <summary>Small builders for the deployment table tests.</summary>
internal static class Build
{
    public static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static Deployment Deployment(int replicas, IntOrString? surge = null, IntOrString? unavailable = null, string strategy = "RollingUpdate") => new()
    {
        Metadata = new ObjectMeta { Name = "web", Namespace = "default", Uid = "d-uid", Generation = 1 },
        Spec = new DeploymentSpec
        {
            Replicas = replicas,
            Selector = new Korvet.Api.Meta.V1.LabelSelector { MatchLabels = new() { ["app"] = "web" } },
            Template = Template("nginx:1"),
            Strategy = new DeploymentStrategy
            {
                Type = strategy,
                RollingUpdate = strategy == "RollingUpdate" ? new RollingUpdateDeployment { MaxSurge = surge ?? "25%", MaxUnavailable = unavailable ?? "25%" } : null,
            },
            ProgressDeadlineSeconds = 600,
            RevisionHistoryLimit = 10,
        },
        Status = new DeploymentStatus(),
    };

    public static PodTemplateSpec Template(string image, Dictionary<string, string>? labels = null) => new()
    {
        Metadata = new ObjectMeta { Labels = labels ?? new() { ["app"] = "web" } },
        Spec = new PodSpec { Containers = [new Container { Name = "c", Image = image }] },
    };

    public static ReplicaSet Set(string name, int replicas, int available, int ageSeconds = 0, int? maxReplicas = null, int? desired = null, long? revision = null)
    {
        var annotations = new Dictionary<string, string>();
        if (maxReplicas is int m)
        {
            annotations[Revisions.MaxReplicasAnnotation] = m.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        if (desired is int d)
        {
            annotations[Revisions.DesiredReplicasAnnotation] = d.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        if (revision is long r)
        {
            annotations[Revisions.RevisionAnnotation] = r.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return new ReplicaSet
        {
            Metadata = new ObjectMeta
            {
                Name = name,
                Namespace = "default",
                Uid = name + "-uid",
                CreationTimestamp = new Time(T0.AddSeconds(ageSeconds)),
                Annotations = annotations,
            },
            Spec = new ReplicaSetSpec { Replicas = replicas },
            Status = new ReplicaSetStatus { Replicas = replicas, AvailableReplicas = available, ReadyReplicas = available },
        };
    }
}
