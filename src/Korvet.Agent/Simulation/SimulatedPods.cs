using System.Text.Json.Nodes;
using Korvet.Api.Core.V1;
using Korvet.Api.Meta.V1;
using Korvet.Client;
using Korvet.Client.Cache;
using Korvet.Client.Queue;
using Microsoft.Extensions.Logging;

namespace Korvet.Agent.Simulation;

/// <summary>
/// The "kubelet" of the simulated nodes: one pod informer (its own, field selector <c>spec.nodeName!=</c>, or a view
/// of the process's shared one; either way filtered to these nodes) feeds a work queue; <see cref="SimulationOptions.Workers"/> workers sync one pod each (never one pod twice
/// at once). A sync is idempotent: Pending (or Running but not Ready) → Running with an IP; run-to-completion pods →
/// Succeeded/Failed once their run time passed (the queue's delayed add wakes them); a pod with deletionTimestamp is
/// deleted with gracePeriodSeconds=0, as a kubelet does once its containers stopped.
/// </summary>
internal sealed class SimulatedPods
{
    private readonly KubernetesClient _client;
    private readonly SimulationOptions _options;
    private readonly IReadOnlyDictionary<string, SimulatedNode> _nodes;
    private readonly PodAddresses _addresses;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SharedIndexInformer<Pod> _informer;
    private readonly bool _runInformer;
    private readonly WorkQueue<string> _queue;

    /// <param name="runInformer">False when <paramref name="informer"/> is a view whose informer runs elsewhere.</param>
    public SimulatedPods(KubernetesClient client, SimulationOptions options, IReadOnlyDictionary<string, SimulatedNode> nodes,
        PodAddresses addresses, SharedIndexInformer<Pod> informer, bool runInformer, TimeProvider time, ILogger logger)
    {
        _client = client;
        _options = options;
        _nodes = nodes;
        _addresses = addresses;
        _time = time;
        _logger = logger;
        _queue = new WorkQueue<string>(time: time);
        _informer = informer;
        _runInformer = runInformer;
        _informer.AddEventHandler(Enqueue, (_, pod) => Enqueue(pod), Enqueue);
    }

    private void Enqueue(Pod pod)
    {
        if (pod.Spec?.NodeName is string node && _nodes.ContainsKey(node))
        {
            _queue.Add(ObjectKey.Of(pod));
        }
    }

    public async Task RunAsync(CancellationToken ct)
    {
        Task informer = _runInformer ? _informer.RunAsync(ct) : Task.CompletedTask;
        var workers = Enumerable.Range(0, _options.Workers).Select(_ => WorkerAsync(ct)).ToList();
        try
        {
            await Task.WhenAll(workers.Append(informer)).ConfigureAwait(false);
        }
        finally
        {
            _queue.ShutDown();
        }
    }

    private async Task WorkerAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            string key;
            try
            {
                (key, bool shutdown) = await _queue.GetAsync(ct).ConfigureAwait(false);
                if (shutdown)
                {
                    return;
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }

            try
            {
                await SyncAsync(key, ct).ConfigureAwait(false);
                _queue.Forget(key);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                if (e is not ApiException { IsConflict: true } && _logger.IsEnabled(LogLevel.Debug))
                {
                    _logger.LogDebug(e, "simulated pod {Key}: sync failed, retrying", key);
                }

                _queue.AddRateLimited(key);
            }
            finally
            {
                _queue.Done(key);
            }
        }
    }

    private async Task SyncAsync(string key, CancellationToken ct)
    {
        Pod? pod = _informer.Store.Get(key);
        if (pod is null || pod.Spec?.NodeName is not string nodeName || !_nodes.TryGetValue(nodeName, out SimulatedNode? node))
        {
            _addresses.Release(key);
            return;
        }

        (string? ns, string name) = ObjectKey.Split(key);
        if (pod.Metadata?.DeletionTimestamp is not null)
        {
            _addresses.Release(key);
            if (pod.Metadata.Finalizers is { Count: > 0 } && pod.Metadata.DeletionGracePeriodSeconds == 0)
            {
                return; // Already deleted with grace 0; waiting for another controller's finalizer.
            }

            try
            {
                await _client.Resource<Pod>().DeleteAsync(name, ns, new DeleteOptions
                {
                    GracePeriodSeconds = 0,
                    Preconditions = new Api.Meta.V1.Preconditions { Uid = pod.Metadata.Uid },
                }, ct).ConfigureAwait(false);
            }
            catch (ApiException e) when (e.IsNotFound || e.IsConflict)
            {
                // Gone already, or replaced by a pod of the same name (uid precondition).
            }

            return;
        }

        if (SimulatedPodStatus.IsTerminal(pod.Status))
        {
            _addresses.Release(key);
            return;
        }

        DateTimeOffset now = _time.GetUtcNow();
        string? ip = _addresses.Assign(key, node.Index, pod.Status?.PodIP);
        if (ip is null)
        {
            _logger.LogWarning("simulated node {Node} has no free pod IP for {Pod}", nodeName, key);
            _queue.AddAfter(key, TimeSpan.FromSeconds(5));
            return;
        }

        DateTimeOffset started = StartedAt(pod) ?? now;
        int restarts = pod.Status?.ContainerStatuses?.Select(c => c.RestartCount).DefaultIfEmpty().Max() ?? 0;
        TimeSpan? runTime = SimulatedPodStatus.RunTime(pod, _options.RunTime);
        if (runTime is TimeSpan run && SimulatedPodStatus.IsRunningAndReady(pod.Status))
        {
            DateTimeOffset due = started + run;
            if (now < due)
            {
                _queue.AddAfter(key, due - now);
                return;
            }

            int exitCode = SimulatedPodStatus.ExitCode(pod);
            if (exitCode != 0 && pod.Spec?.RestartPolicy == "OnFailure")
            {
                // The kubelet restarts the container in place; the pod stays Running.
                await WriteStatusAsync(pod, SimulatedPodStatus.Running(pod, node.InternalIp, ip, now, now, restarts + 1), ct).ConfigureAwait(false);
                return;
            }

            await WriteStatusAsync(pod, SimulatedPodStatus.Finished(pod, node.InternalIp, ip, exitCode, started, now), ct).ConfigureAwait(false);
            _addresses.Release(key);
            return;
        }

        if (!SimulatedPodStatus.IsRunningAndReady(pod.Status) || pod.Status?.PodIP != ip)
        {
            await WriteStatusAsync(pod, SimulatedPodStatus.Running(pod, node.InternalIp, ip, started, now, restarts), ct).ConfigureAwait(false);
        }

        if (runTime is TimeSpan wait)
        {
            _queue.AddAfter(key, (started + wait - now) > TimeSpan.Zero ? started + wait - now : TimeSpan.Zero);
        }
    }

    private static DateTimeOffset? StartedAt(Pod pod) =>
        pod.Status?.ContainerStatuses?.Select(c => c.State?.Running?.StartedAt?.Value).FirstOrDefault(t => t is not null);

    /// <summary>A merge patch of the whole status (lists replaced).</summary>
    private async Task WriteStatusAsync(Pod pod, PodStatus status, CancellationToken ct)
    {
        var patch = new JsonObject
        {
            ["status"] = Api.Serialization.ApiJson.SerializeToObject(status),
        };
        try
        {
            await _client.Resource<Pod>().PatchAsync(pod.Metadata!.Name!, pod.Metadata.Namespace, PatchType.Merge, patch.ToJsonString(), "status", ct: ct)
                .ConfigureAwait(false);
        }
        catch (ApiException e) when (e.IsNotFound)
        {
            // Deleted meanwhile.
        }
    }
}
