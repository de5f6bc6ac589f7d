using Korvet.Controllers.ReplicaSets;
using Microsoft.Extensions.Logging;

namespace Korvet.Controllers;

/// <summary>
/// Runs a set of controllers as kube-controller-manager does: every controller is constructed first (registering its
/// informer handlers), then the shared informers start, the manager waits for their caches to sync, and runs every
/// controller until the token fires. A controller that fails is logged; the others keep running.
/// </summary>
public sealed class ControllerManager(ControllerContext context, IReadOnlyList<IController> controllers)
{
    private readonly ILogger _logger = context.LoggerFactory.CreateLogger<ControllerManager>();

    public IReadOnlyList<IController> Controllers => controllers;

    /// <summary>THE list of built-in controllers; each controller adds its one line here.</summary>
    public static IReadOnlyList<IController> CreateDefault(ControllerContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return
        [
            new GarbageCollector.GarbageCollectorController(context),
            new Namespace.NamespaceController(context),
            new ServiceAccount.ServiceAccountController(context),
            new Endpoints.EndpointsController(context),
            new EndpointSlice.EndpointSliceController(context),
            new PodGc.PodGcController(context),
            new NodeLifecycle.NodeLifecycleController(context),
            new Job.JobController(context),
            new TtlAfterFinished.TtlAfterFinishedController(context),
            new CronJob.CronJobController(context),
            new ReplicaSetController<Korvet.Api.Apps.V1.ReplicaSet>(context, new ReplicaSetAdapter()),
            new ReplicaSetController<Korvet.Api.Core.V1.ReplicationController>(context, new ReplicationControllerAdapter()),
            new Deployments.DeploymentController(context),
            new DaemonSets.DaemonSetController(context),
            new StatefulSets.StatefulSetController(context),
            new Disruption.DisruptionController(context),
        ];
    }

    /// <summary>Starts informers, waits for sync, runs all controllers; returns when <paramref name="ct"/> fires.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        await context.Informers.StartAsync(ct).ConfigureAwait(false);
        try
        {
            await context.Informers.WaitForCacheSyncAsync(ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return;
        }

        if (_logger.IsEnabled(LogLevel.Information))
        {
            _logger.LogInformation("caches synced; starting {Count} controllers", controllers.Count);
        }

        await Task.WhenAll(controllers.Select(c => RunOneAsync(c, ct))).ConfigureAwait(false);
    }

    private async Task RunOneAsync(IController controller, CancellationToken ct)
    {
        try
        {
            await Task.Run(() => controller.RunAsync(ct), CancellationToken.None).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // stopping
        }
        catch (Exception e)
        {
            if (_logger.IsEnabled(LogLevel.Error))
            {
                _logger.LogError(e, "controller {Name} failed", controller.Name);
            }
        }
    }
}
