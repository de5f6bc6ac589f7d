using Korvet.Client;
using Korvet.Client.Cache;
using Korvet.Client.LeaderElection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Korvet.Controllers;

/// <summary>Options of a running controller manager (in <c>korvet server</c> or <c>korvet controller-manager</c>). Immutable.</summary>
/// <param name="Client">How to reach the API server.</param>
/// <param name="LeaderElect">Run only while holding Lease kube-system/kube-controller-manager.</param>
/// <param name="Identity">Leader election identity (default: host name + random suffix).</param>
/// <param name="Manager">Settings passed to controllers.</param>
/// <param name="LeaseDuration">Lease duration (default 15 s; renew deadline 2/3 of it, retry 2/15 of it).</param>
public sealed record ControllerManagerHostOptions(
    ClientOptions Client,
    bool LeaderElect = true,
    string? Identity = null,
    ControllerManagerOptions? Manager = null,
    TimeSpan? LeaseDuration = null)
{
    public const string LeaseNamespace = "kube-system";
    public const string LeaseName = "kube-controller-manager";
}

/// <summary>
/// Runs <see cref="ControllerManager.CreateDefault"/> in the background over its own client: under leader election
/// (a fresh informer factory and controller set per term of leadership; after losing the lease it campaigns again),
/// or directly. Dispose stops everything and waits for it. In a process whose components share one informer factory
/// (<c>korvet server</c>), each term uses a scope of it instead of informers of its own.
/// </summary>
public sealed class ControllerManagerHost : IAsyncDisposable
{
    private readonly ControllerManagerHostOptions _options;
    private readonly KubernetesClient _client;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _run;
    private readonly SharedInformerFactory? _sharedInformers;

    private ControllerManagerHost(ControllerManagerHostOptions options, ILoggerFactory? loggerFactory, SharedInformerFactory? sharedInformers)
    {
        _options = options;
        _sharedInformers = sharedInformers;
        _loggers = loggerFactory ?? NullLoggerFactory.Instance;
        _logger = _loggers.CreateLogger<ControllerManagerHost>();
        _client = new KubernetesClient(options.Client with { UserAgent = "kube-controller-manager" }, _loggers);
        Identity = options.Identity ?? $"{Environment.MachineName}_{Guid.NewGuid():N}";
        if (options.LeaderElect)
        {
            TimeSpan lease = options.LeaseDuration ?? TimeSpan.FromSeconds(15);
            Elector = new LeaderElector(_client, new LeaderElectionOptions(ControllerManagerHostOptions.LeaseNamespace,
                ControllerManagerHostOptions.LeaseName, Identity, lease, lease * 2 / 3, lease * 2 / 15, ReleaseOnCancel: true));
        }

        _run = Task.Run(() => RunAsync(_stop.Token));
    }

    public string Identity { get; }

    /// <summary>The elector when leader election is on.</summary>
    public LeaderElector? Elector { get; }

    /// <param name="sharedInformers">The process's shared informer factory, if its components share one.</param>
    public static ControllerManagerHost Start(ControllerManagerHostOptions options, ILoggerFactory? loggerFactory = null,
        SharedInformerFactory? sharedInformers = null) => new(options, loggerFactory, sharedInformers);

    /// <summary>Completes when the host stops (disposal) — or faults if it crashed.</summary>
    public Task Completion => _run;

    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _run.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // stopped
        }

        _client.Dispose();
        _stop.Dispose();
    }

    private async Task RunAsync(CancellationToken ct)
    {
        if (Elector is null)
        {
            await RunTermAsync(ct).ConfigureAwait(false);
            return;
        }

        while (!ct.IsCancellationRequested)
        {
            try
            {
                await Elector.RunAsync(RunTermAsync, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private async Task RunTermAsync(CancellationToken ct)
    {
        await using SharedInformerFactory informers = _sharedInformers?.CreateScope(_client) ?? new SharedInformerFactory(_client);
        var context = new ControllerContext(_client, informers, _options.Manager, TimeProvider.System, _loggers, Environment.MachineName);
        var manager = new ControllerManager(context, ControllerManager.CreateDefault(context));
        if (_logger.IsEnabled(LogLevel.Information))
        {
            _logger.LogInformation("controller manager {Identity} running {Count} controllers", Identity, manager.Controllers.Count);
        }

        await manager.RunAsync(ct).ConfigureAwait(false);
        if (!ct.IsCancellationRequested)
        {
            // Controllers returned on their own (none registered, or all done): hold on until told to stop.
            await Task.Delay(Timeout.Infinite, ct).ConfigureAwait(false);
        }
    }
}
