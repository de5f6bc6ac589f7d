using System.Net;
using Korvet.Api;
using Korvet.Api.Apps.V1;
using Korvet.Api.Core.V1;
using Korvet.Api.Meta.V1;
using Korvet.Client;
using Korvet.Client.Cache;
using Korvet.Controllers.ReplicaSets;
using Korvet.Server;

namespace Korvet.Controllers.Tests.ReplicaSets;

/// <summary>
/// Create failures (here a quota-like 403 injected through the IPodControl seam) set the ReplicaFailure condition,
/// stop the slow start after the failing batch, and clear once creates succeed. Its own server: no other controller
/// may act on these sets.
/// </summary>
public sealed class ReplicaFailureTests : IClassFixture<BareCluster>
{
    private readonly BareCluster _cluster;

    public ReplicaFailureTests(BareCluster cluster) => _cluster = cluster;

    [Fact]
    public async Task Failed_creates_set_ReplicaFailure_then_clear_it()
    {
        using var client = new KubernetesClient(ClientOptions.FromKubeconfigFile(_cluster.Kubeconfig));
        await using var informers = new SharedInformerFactory(client);
        var context = new ControllerContext(client, informers);
        var pods = new FlakyPodControl(new PodControl(client, context.Events("replicaset-controller")));
        var controller = new ReplicaSetController<ReplicaSet>(context, new ReplicaSetAdapter(), pods);
        using var stop = new CancellationTokenSource();
        Task run = new ControllerManager(context, [controller]).RunAsync(stop.Token);

        await client.Resource<ReplicaSet>().CreateAsync(ReplicaSetControllerTests.Set("quota", 4));
        await WorkloadCluster.WaitUntilAsync(async () => (await client.Resource<ReplicaSet>().GetAsync("quota", "default")).Status?.Conditions?
            .Any(c => c.Type == "ReplicaFailure" && c.Status == "True" && c.Reason == "FailedCreate" && c.Message!.Contains("exceeded quota", StringComparison.Ordinal)) == true, "ReplicaFailure");
        Assert.True(pods.FailedCalls >= 1);

        pods.Fail = false;
        await WorkloadCluster.WaitUntilAsync(async () =>
        {
            ReplicaSet rs = await client.Resource<ReplicaSet>().GetAsync("quota", "default");
            return rs.Status is { Replicas: 4, Conditions: null or { Count: 0 } };
        }, "4 pods and the condition cleared", seconds: 30);
        Assert.Equal(4, (await client.Resource<Pod>().ListAsync("default", new ListOptions { LabelSelector = "app=quota" })).Items.Count);

        await stop.CancelAsync();
        await run;
    }

    private sealed class FlakyPodControl(IPodControl inner) : IPodControl
    {
        private int _failed;

        public volatile bool Fail = true;

        public int FailedCalls => Volatile.Read(ref _failed);

        public Task<Pod> CreatePodAsync(string ns, PodTemplateSpec template, IKubernetesObject owner, OwnerReference controllerRef, CancellationToken ct)
        {
            if (Fail)
            {
                Interlocked.Increment(ref _failed);
                throw new ApiException(HttpStatusCode.Forbidden, new Status { Reason = "Forbidden", Message = "pods \"x\" is forbidden: exceeded quota: q", Code = 403 });
            }

            return inner.CreatePodAsync(ns, template, owner, controllerRef, ct);
        }

        public Task DeletePodAsync(string ns, string name, IKubernetesObject owner, CancellationToken ct) => inner.DeletePodAsync(ns, name, owner, ct);

        public Task<Pod> PatchPodAsync(string ns, string name, string patch, CancellationToken ct) => inner.PatchPodAsync(ns, name, patch, ct);
    }
}

/// <summary>A server without its in-process controller manager, for tests that run their own controller instances.</summary>
public sealed class BareCluster : TestCluster
{
    protected override ServerOptions CreateOptions() => base.CreateOptions() with { DisableControllers = true };
}
