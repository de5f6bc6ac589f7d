using Korvet.Client;
using Korvet.Client.Cache;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Korvet.Scheduler;

/// <summary>
/// The scheduler as a component (<c>korvet scheduler</c>, or in-process in <c>korvet server</c>): its own client and
/// informer factory over HTTPS, the scheduling loop on a background task. Start once; dispose to stop (the loop,
/// informers and client are shut down in order).
/// </summary>
public sealed class SchedulerHost : IAsyncDisposable
{
    private readonly KubernetesClient _client;
    private readonly SharedInformerFactory _informers;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _run;
    private readonly ILogger _logger;

    private SchedulerHost(KubernetesClient client, SharedInformerFactory informers, Scheduler scheduler, ILogger logger)
    {
        _client = client;
        _informers = informers;
        Scheduler = scheduler;
        _logger = logger;
        _run = Task.Run(() => RunAsync(_stop.Token), CancellationToken.None);
    }

    public Scheduler Scheduler { get; }

    /// <summary>Completes when the loop stops (disposal, or a fatal error — logged).</summary>
    public Task Completion => _run;

    public static SchedulerHost Start(ClientOptions clientOptions, SchedulerOptions? options = null, ILoggerFactory? loggerFactory = null,
        TimeProvider? time = null)
    {
        loggerFactory ??= NullLoggerFactory.Instance;
        var client = new KubernetesClient(clientOptions with { UserAgent = "korvet-scheduler" }, loggerFactory);
        var informers = new SharedInformerFactory(client, time);
        var scheduler = new Scheduler(informers, options, time);
        return new SchedulerHost(client, informers, scheduler, loggerFactory.CreateLogger<SchedulerHost>());
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Scheduler.RunAsync(cancellationToken);
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

        await _informers.DisposeAsync();
        _client.Dispose();
        _stop.Dispose();
    }
}
