using Korvet.Api.Coordination.V1;
using Korvet.Client.LeaderElection;

namespace Korvet.Client.Tests;

public sealed class LeaderElectorTests(ClientCluster cluster) : IClassFixture<ClientCluster>
{
    private static LeaderElectionOptions Options(string lease, string identity) =>
        new("kube-system", lease, identity, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1.5), TimeSpan.FromMilliseconds(200));

    [Fact]
    public async Task OneOfTwoWinsAndTheOtherTakesOverAfterTheLeaseExpires()
    {
        var a = new LeaderElector(cluster.Client, Options("election", "a"));
        var b = new LeaderElector(cluster.Client, Options("election", "b"));
        using var stopA = new CancellationTokenSource();
        using var stopB = new CancellationTokenSource();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var leaders = new System.Collections.Concurrent.ConcurrentQueue<string>();
        int concurrentLeaders = 0;
        bool overlap = false;
        Func<CancellationToken, Task> Lead(string who) => async token =>
        {
            leaders.Enqueue(who);
            overlap |= Interlocked.Increment(ref concurrentLeaders) > 1;
            try
            {
                await Task.Delay(Timeout.Infinite, token);
            }
            finally
            {
                Interlocked.Decrement(ref concurrentLeaders);
            }
        };

        Task runA = a.RunAsync(Lead("a"), stopA.Token);
        await Wait.UntilAsync(() => a.IsLeader, "a to lead");
        Task runB = b.RunAsync(Lead("b"), stopB.Token);
        await Task.Delay(1000);
        Assert.False(b.IsLeader);

        Lease lease = await cluster.Client.Resource<Lease>().GetAsync("election", "kube-system");
        Assert.Equal("a", lease.Spec!.HolderIdentity);
        Assert.Equal(2, lease.Spec.LeaseDurationSeconds);
        Assert.Equal(0, lease.Spec.LeaseTransitions);
        Assert.NotNull(lease.Spec.AcquireTime);

        await stopA.CancelAsync();
        await runA;
        Assert.False(a.IsLeader);
        // The lease runs out leaseDuration after a's last renewal (not after the stop: under load a renewal may be
        // well over a retry period old by then), and b may only take over after that.
        DateTimeOffset lastRenew = (await cluster.Client.Resource<Lease>().GetAsync("election", "kube-system")).Spec!.RenewTime!.Value;
        await Wait.UntilAsync(() => b.IsLeader, "b to take over", seconds: 20);
        TimeSpan afterRenew = DateTimeOffset.UtcNow - lastRenew;
        Assert.True(afterRenew >= TimeSpan.FromSeconds(1.9), $"b took over {afterRenew.TotalMilliseconds} ms after a's last renewal, before the 2 s lease expired");

        lease = await cluster.Client.Resource<Lease>().GetAsync("election", "kube-system");
        Assert.Equal("b", lease.Spec!.HolderIdentity);
        Assert.Equal(1, lease.Spec.LeaseTransitions);
        Assert.Equal(["a", "b"], leaders);
        Assert.False(overlap);
        await stopB.CancelAsync();
        await runB;
    }

    [Fact]
    public async Task ALeaderThatLosesTheLeaseHasItsTokenCancelled()
    {
        var a = new LeaderElector(cluster.Client, Options("stolen", "a"));
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var lost = new TaskCompletionSource();
        Task run = a.RunAsync(async token =>
        {
            await Task.Delay(Timeout.Infinite, token).ContinueWith(_ => lost.TrySetResult(), TaskScheduler.Default);
        }, stop.Token);
        await Wait.UntilAsync(() => a.IsLeader, "a to lead");

        // Someone else overwrites the lease (as a candidate that judged it expired would). a renews every 200 ms, so
        // the thief's write can lose that race: like a real candidate it reads again and retries.
        var leases = cluster.Client.Resource<Lease>();
        for (int attempt = 0; ; attempt++)
        {
            Lease lease = await leases.GetAsync("stolen", "kube-system");
            lease.Spec!.HolderIdentity = "thief";
            try
            {
                await leases.UpdateAsync(lease);
                break;
            }
            catch (ApiException e) when (e.IsConflict && attempt < 20)
            {
            }
        }

        await lost.Task.WaitAsync(TimeSpan.FromSeconds(20));
        await run.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.False(a.IsLeader);
    }
}
