using Korvet.Api.Core.V1;
using Korvet.Api.Meta.V1;
using Korvet.Client;
using Korvet.Client.Cache;
using Korvet.Controllers.PodGc;
using Korvet.Controllers.Tests.Lifecycle;

namespace Korvet.Controllers.Tests.PodGc;

/// <summary>A pod GC with a threshold of 1 and a short period and quarantine, against the shared cluster.</summary>
[Collection(LifecycleCollection.Name)]
public sealed class PodGcControllerTests(LifecycleCluster cluster)
{
    private const string Ns = "podgc";

    private async Task CreatePodAsync(string name, string? node, string? phase)
    {
        await cluster.Client.Resource<Pod>().CreateAsync(new Pod
        {
            Metadata = new ObjectMeta { Name = name, Namespace = Ns },
            Spec = new PodSpec { NodeName = node, Containers = [new Container { Name = "c", Image = "busybox" }] },
        });
        if (phase is not null)
        {
            await Objects.UpdatePodStatusAsync(cluster.Client, Ns, name, status => status.Phase = phase);
        }

        await Task.Delay(1100); // distinct creation timestamps (whole seconds)
    }

    [Fact]
    public async Task TerminatedBeyondThresholdAndOrphanedPodsAreDeleted()
    {
        await Objects.CreateNamespaceAsync(cluster.Client, Ns);
        await CreatePodAsync("done-old", null, "Succeeded");
        await CreatePodAsync("failed-mid", null, "Failed");
        await CreatePodAsync("done-new", null, "Succeeded");
        await CreatePodAsync("running", null, null);
        await CreatePodAsync("on-ghost-node", "ghost", null);

        using var client = new KubernetesClient(ClientOptions.FromKubeconfigFile(cluster.Kubeconfig));
        await using var informers = new SharedInformerFactory(client);
        var context = new ControllerContext(client, informers);
        var gc = new PodGcController(context, new PodGcOptions(TerminatedPodThreshold: 1, Period: TimeSpan.FromMilliseconds(200),
            Quarantine: TimeSpan.FromMilliseconds(300)));
        using var stop = new CancellationTokenSource();
        Task run = new ControllerManager(context, [gc]).RunAsync(stop.Token);
        try
        {
            async Task<bool> Gone(string name) => await cluster.Client.Resource<Pod>().TryGetAsync(name, Ns) is null;
            await LifecycleCluster.UntilAsync(async () => await Gone("done-old") && await Gone("failed-mid"), "the two oldest terminated pods");
            await LifecycleCluster.UntilAsync(() => Gone("on-ghost-node"), "the pod of a node that does not exist");
            Assert.False(await Gone("done-new"));
            Assert.False(await Gone("running"));
        }
        finally
        {
            await stop.CancelAsync();
            await run;
        }
    }
}
