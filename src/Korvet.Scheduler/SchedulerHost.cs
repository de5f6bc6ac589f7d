using Korvet.Client;
using Korvet.Client.Cache;
using Korvet.Client.LeaderElection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Korvet.Scheduler;

/// <summary>
/// The scheduler as a component (<c>korvet scheduler</c>, or in-process in <c>korvet server</c>): its own client over
/// HTTPS and, per term of leadership on Lease kube-system/kube-scheduler, a fresh informer factory and
/// <see cref="Scheduler"/> (after losing the lease it campaigns again). Without leader election it schedules at once.
/// Start once; dispose to stop and wait (the lease is released so another scheduler takes over at once).
/// </summary>
public sealed class SchedulerHost : IAsyncDisposable
{
    private readonly KubernetesClient _client;
    private readonly SchedulerOptions _options;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _run;
    private readonly ILogger _logger;
    private readonly SharedInformerFactory? _sharedInformers;
    private volatile Scheduler? _current;

    private SchedulerHost(KubernetesClient client, SchedulerOptions options, TimeProvider time, ILogger logger, SharedInformerFactory? sharedInformers)
    {
        _client = client;
        _sharedInformers = sharedInformers;
        _options = options;
        _time = time;
        _logger = logger;
        Identity = $"{Environment.MachineName}_{Guid.NewGuid():N}";
        if (options.LeaderElect)
        {
            TimeSpan lease = options.LeaseDuration ?? TimeSpan.FromSeconds(15);
            Elector = new LeaderElector(client, new LeaderElectionOptions(options.LeaseNamespace, options.LeaseName, Identity,
                lease, lease * 2 / 3, lease * 2 / 15, ReleaseOnCancel: true), time);
        }

        _run = Task.Run(() => RunAsync(_stop.Token), CancellationToken.None);
    }

    public string Identity { get; }

    /// <summary>The elector when leader election is on.</summary>
    public LeaderElector? Elector { get; }

    /// <summary>The scheduler of the current (or last) term; null before the first election is won.</summary>
    public Scheduler? Current => _current;

    /// <summary>Completes when the host stops (disposal) — or faults if it crashed.</summary>
    public Task Completion => _run;

    /// <param name="sharedInformers">The process's shared informer factory, if its components share one; each term
    /// then uses a scope of it.</param>
    public static SchedulerHost Start(ClientOptions clientOptions, SchedulerOptions? options = null, ILoggerFactory? loggerFactory = null,
        TimeProvider? time = null, SharedInformerFactory? sharedInformers = null)
    {
        loggerFactory ??= NullLoggerFactory.Instance;
        var client = new KubernetesClient(clientOptions with { UserAgent = "kube-scheduler" }, loggerFactory);
        return new SchedulerHost(client, options ?? SchedulerOptions.Default, time ?? TimeProvider.System, loggerFactory.CreateLogger<SchedulerHost>(), sharedInformers);
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (Elector is null)
            {
                await RunTermAsync(cancellationToken);
                return;
            }

            while (!cancellationToken.IsCancellationRequested)
            {
                await Elector.RunAsync(RunTermAsync, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            _logger.LogError(e, "scheduler stopped");
            throw;
        }
    }

    private async Task RunTermAsync(CancellationToken cancellationToken)
    {
        await using SharedInformerFactory informers = _sharedInformers?.CreateScope(_client) ?? new SharedInformerFactory(_client, _time);
        var scheduler = new Scheduler(informers, _options, _time);
        _current = scheduler;
        if (_logger.IsEnabled(LogLevel.Information))
        {
            _logger.LogInformation("scheduler {Identity} is scheduling", Identity);
        }

        await scheduler.RunAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }

        await _stop.CancelAsync();
        try
        {
            await _run;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Already logged by the loop.
        }

        _client.Dispose();
        _stop.Dispose();
    }
}
