using Korvet.Api.Meta.V1;
using Korvet.Client;
using Korvet.Client.Cache;
using Korvet.Client.Queue;
using Korvet.Controllers.Job;
using Microsoft.Extensions.Logging;

namespace Korvet.Controllers.TtlAfterFinished;

/// <summary>
/// Upstream's ttl-after-finished controller: a finished Job with <c>spec.ttlSecondsAfterFinished</c> is deleted (with
/// background propagation, so the garbage collector removes its pods) that many seconds after its Complete/Failed
/// condition's transition time; earlier syncs requeue the key for the expiry on the controller's clock.
/// </summary>
public sealed class TtlAfterFinishedController : IController
{
    private readonly ControllerContext _context;
    private readonly SharedIndexInformer<Api.Batch.V1.Job> _jobs;
    private readonly WorkQueue<string> _queue;
    private readonly ILogger _logger;

    public TtlAfterFinishedController(ControllerContext context)
    {
        _context = context;
        _jobs = context.Informers.For<Api.Batch.V1.Job>();
        _queue = new WorkQueue<string>(time: context.Time);
        _logger = context.LoggerFactory.CreateLogger<TtlAfterFinishedController>();
        _jobs.AddEventHandler(Enqueue, (_, j) => Enqueue(j));
    }

    public string Name => "ttl-after-finished-controller";

    private void Enqueue(Api.Batch.V1.Job job)
    {
        if (job.Spec?.TtlSecondsAfterFinished is not null && job.Metadata?.DeletionTimestamp is null && JobPlanner.IsFinished(job))
        {
            _queue.Add(ObjectKey.Of(job));
        }
    }

    public Task RunAsync(CancellationToken ct) => QueueWorkers.RunAsync(_queue, _context.Options.ConcurrentSyncs, SyncAsync, _logger, ct);

    private async Task SyncAsync(string key, CancellationToken ct)
    {
        Api.Batch.V1.Job? job = _jobs.Store.Get(key);
        if (job?.Spec?.TtlSecondsAfterFinished is not int ttl || job.Metadata?.DeletionTimestamp is not null ||
            JobPlanner.FinishedTime(job) is not DateTimeOffset finished)
        {
            return;
        }

        DateTimeOffset expires = finished.AddSeconds(ttl);
        DateTimeOffset now = _context.Time.GetUtcNow();
        if (now < expires)
        {
            _queue.AddAfter(key, expires - now);
            return;
        }

        try
        {
            await _context.Client.Resource<Api.Batch.V1.Job>().DeleteAsync(job.Metadata!.Name!, job.Metadata.Namespace, new DeleteOptions
            {
                PropagationPolicy = "Background",
                Preconditions = new Preconditions { Uid = job.Metadata.Uid, ResourceVersion = job.Metadata.ResourceVersion },
            }, ct).ConfigureAwait(false);
        }
        catch (ApiException e) when (e.IsNotFound)
        {
            // Gone already.
        }
    }
}
