using Korvet.Api.Coordination.V1;
using Korvet.Controllers;
using Korvet.Server;

namespace Korvet.Client.Tests;

/// <summary><c>korvet server</c> runs the controller manager in-process, over loopback HTTPS, under leader election.</summary>
public sealed class ServerControllersTests(ClientCluster cluster) : IClassFixture<ClientCluster>
{
    [Fact]
    public async Task TheInProcessControllerManagerHoldsItsLease()
    {
        ControllerManagerHost controllers = cluster.Host.Controllers ?? throw new InvalidOperationException("controllers are off");
        await Wait.UntilAsync(() => controllers.Elector!.IsLeader, "the controller manager to lead");
        Lease lease = await cluster.Client.Resource<Lease>().GetAsync(ControllerManagerHostOptions.LeaseName, ControllerManagerHostOptions.LeaseNamespace);
        Assert.Equal(controllers.Identity, lease.Spec!.HolderIdentity);
        Assert.Equal(15, lease.Spec.LeaseDurationSeconds);
        Assert.NotNull(lease.Spec.RenewTime);
    }
}

public sealed class NoControllersCluster : ClientCluster
{
    protected override ServerOptions CreateOptions() => base.CreateOptions() with { DisableControllers = true };
}

public sealed class DisabledControllersTests(NoControllersCluster cluster) : IClassFixture<NoControllersCluster>
{
    [Fact]
    public async Task DisableControllersRunsNone()
    {
        Assert.Null(cluster.Host.Controllers);
        await Task.Delay(500);
        Assert.Null(await cluster.Client.Resource<Lease>().TryGetAsync(ControllerManagerHostOptions.LeaseName, ControllerManagerHostOptions.LeaseNamespace));
    }
}
