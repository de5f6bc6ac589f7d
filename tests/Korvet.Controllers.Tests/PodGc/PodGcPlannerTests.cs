using Korvet.Api.Core.V1;
using Korvet.Api.Meta.V1;
using Korvet.Controllers.PodGc;

namespace Korvet.Controllers.Tests.PodGc;

public sealed class PodGcPlannerTests
{
    private static Pod P(string name, string phase, int ageSeconds, string? node = "n1", bool deleting = false) => new()
    {
        Metadata = new ObjectMeta
        {
            Name = name, Namespace = "default",
            CreationTimestamp = new Time(DateTimeOffset.UnixEpoch.AddSeconds(1000 - ageSeconds)),
            DeletionTimestamp = deleting ? new Time(DateTimeOffset.UnixEpoch) : null,
        },
        Spec = new PodSpec { NodeName = node },
        Status = new PodStatus { Phase = phase },
    };

    [Fact]
    public void OldestTerminatedPodsBeyondThresholdGoFirst()
    {
        Pod[] pods = [P("young-done", "Succeeded", 10), P("running", "Running", 500), P("old-failed", "Failed", 300), P("mid", "Succeeded", 100)];
        Assert.Equal(["old-failed", "mid"], PodGcPlanner.TerminatedOverThreshold(pods, 1).Select(p => p.Metadata!.Name));
        Assert.Empty(PodGcPlanner.TerminatedOverThreshold(pods, 3));
        Assert.Empty(PodGcPlanner.TerminatedOverThreshold(pods, 0));
    }

    [Fact]
    public void OrphanedAndUnscheduledTerminatingPodsAreFound()
    {
        Pod[] pods = [P("on-known", "Running", 1, "n1"), P("on-gone", "Running", 1, "gone"), P("pending", "Pending", 1, null),
            P("stuck", "Pending", 1, null, deleting: true)];
        Assert.Equal(["on-gone"], PodGcPlanner.OnMissingNodes(pods, new HashSet<string> { "n1" }).Select(p => p.Metadata!.Name));
        Assert.Equal(["stuck"], PodGcPlanner.UnscheduledTerminating(pods).Select(p => p.Metadata!.Name));
    }
}
