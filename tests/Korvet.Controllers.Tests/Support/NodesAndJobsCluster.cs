using Korvet.Agent.Simulation;
using Korvet.Client;
using Korvet.Client.Cache;
using Korvet.Controllers.CronJob;
using Korvet.Controllers.Job;
using Korvet.Controllers.NodeLifecycle;
using Korvet.Controllers.TtlAfterFinished;
using Korvet.Server;

namespace Korvet.Controllers.Tests.Support;

/// <summary>
/// A test cluster with short timings for the node lifecycle, job, TTL and cronjob controllers: default toleration
/// seconds 2, node grace period 3 s (checked every 0.3 s), job backoff 0.2 s; two simulated nodes <c>work-0/1</c>
/// (run-to-completion pods run 0.3 s), and the controllers running in a manager of their own (so other controllers
/// of the branch do not interfere). <see cref="Clock"/> is the CronJob controller's clock (it runs in a second manager):
/// real time plus a settable shift, so a test can jump to the next activation without moving the other controllers.
/// </summary>
public sealed class NodesAndJobsCluster : TestCluster
{
    private readonly CancellationTokenSource _stop = new();
    private Task? _manager;
    private Task? _cronManager;
    private NodeSimulator? _simulator;

    public ShiftedTimeProvider Clock { get; } = new();

    public KubernetesClient Client { get; private set; } = null!;

    // The controllers under test run here with test timings; the server's own (default) controller manager would run a
    // second copy of each.
    protected override ServerOptions CreateOptions() => base.CreateOptions() with { DefaultTolerationSeconds = 2, DisableControllers = true };

    public KubernetesClient NewClient() =>
        new(new ClientOptions(Host.BaseAddress, Host.Credentials.CaPem, Host.Credentials.AdminToken));

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Client = NewClient();
        _simulator = new NodeSimulator(Client, new SimulationOptions(2, "work", LeaseRenewInterval: TimeSpan.FromSeconds(1),
            DefaultRunTime: TimeSpan.FromSeconds(0.3)));
        await _simulator.StartAsync(CancellationToken.None);
        var informers = new SharedInformerFactory(Client);
        var options = new ControllerManagerOptions
        {
            NodeMonitorGracePeriod = TimeSpan.FromSeconds(3),
            NodeMonitorPeriod = TimeSpan.FromMilliseconds(300),
            JobBackoffBase = TimeSpan.FromMilliseconds(200),
            JobBackoffMax = TimeSpan.FromSeconds(1),
        };
        var context = new ControllerContext(Client, informers, options);
        var manager = new ControllerManager(context, [new NodeLifecycleController(context), new JobController(context), new TtlAfterFinishedController(context)]);
        _manager = manager.RunAsync(_stop.Token);
        var cronContext = new ControllerContext(Client, new SharedInformerFactory(Client), options, Clock);
        _cronManager = new ControllerManager(cronContext, [new CronJobController(cronContext)]).RunAsync(_stop.Token);
    }

    public override async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        foreach (Task? running in new[] { _manager, _cronManager })
        {
            if (running is not null)
            {
                await running;
            }
        }

        if (_simulator is not null)
        {
            await _simulator.DisposeAsync();
        }

        Client?.Dispose();
        await base.DisposeAsync();
    }

    /// <summary>Polls <paramref name="probe"/> every 100 ms until <paramref name="done"/> holds; fails with the last value.</summary>
    public static async Task<T> EventuallyAsync<T>(Func<Task<T?>> probe, Func<T, bool> done, int seconds = 30)
        where T : class
    {
        DateTime until = DateTime.UtcNow.AddSeconds(seconds);
        T? last = null;
        while (DateTime.UtcNow < until)
        {
            last = await probe();
            if (last is not null && done(last))
            {
                return last;
            }

            await Task.Delay(100);
        }

        Assert.Fail($"condition not reached in {seconds} s; last: {(last is null ? "null" : Api.Serialization.ApiJson.SerializeToObject(last).ToJsonString())}");
        return null!;
    }
}

/// <summary>The system clock shifted by <see cref="Shift"/> (timers still run in real time). Thread-safe.</summary>
public sealed class ShiftedTimeProvider : TimeProvider
{
    private long _shiftTicks;

    public TimeSpan Shift
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _shiftTicks));
        set => Interlocked.Exchange(ref _shiftTicks, value.Ticks);
    }

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + Shift;
}
