using System.Text.Json.Nodes;
using System.Threading.Channels;
using Korvet.Api.Core.V1;
using Korvet.Api.Meta.V1;
using Korvet.Client;
using Korvet.Client.Events;
using Korvet.Scheduler.Framework;
using Microsoft.Extensions.Logging;

namespace Korvet.Scheduler;

/// <summary>
/// Writes what the scheduler decided back to the API server without holding up the scheduling loop: core/v1 Events
/// through the client's <see cref="EventRecorder"/> (<c>Scheduled</c>, Warning <c>FailedScheduling</c>; a repeat
/// of the same message for the same pod bumps the existing event's count) and the pod's
/// PodScheduled=False/Unschedulable condition, patched by a few workers draining a bounded channel. Thread-safe.
/// </summary>
public sealed class SchedulerReporter
{
    private const int Workers = 4;
    private readonly EventRecorder _events;
    private readonly ResourceClient<Pod> _pods;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Channel<Func<CancellationToken, Task>> _work =
        Channel.CreateBounded<Func<CancellationToken, Task>>(new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.Wait });

    public SchedulerReporter(KubernetesClient client, string component, TimeProvider time, ILogger logger)
    {
        _events = new EventRecorder(client, component, time: time);
        _pods = client.Resource<Pod>();
        _time = time;
        _logger = logger;
    }

    /// <summary>"Successfully assigned ns/pod to node".</summary>
    public void Scheduled(PodInfo pod, string nodeName) =>
        _events.Normal(pod.Pod, "Scheduled", $"Successfully assigned {pod.Namespace}/{pod.Name} to {nodeName}");

    /// <summary>A Warning FailedScheduling event and, when it changed, the PodScheduled=False condition.</summary>
    public async ValueTask FailedSchedulingAsync(PodInfo pod, string message, CancellationToken cancellationToken)
    {
        _events.Warning(pod.Pod, "FailedScheduling", message);
        PodCondition? current = pod.Pod.Status?.Conditions?.FirstOrDefault(c => c.Type == "PodScheduled");
        if (current is null || current.Status != "False" || current.Reason != "Unschedulable" || current.Message != message)
        {
            await _work.Writer.WriteAsync(ct => UnschedulableConditionAsync(pod, message, ct), cancellationToken);
        }
    }

    /// <summary>Drains the work until cancelled.</summary>
    public Task RunAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(Enumerable.Range(0, Workers).Select(_ => Task.Run(() => WorkAsync(cancellationToken), CancellationToken.None)));

    private async Task WorkAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (Func<CancellationToken, Task> item in _work.Reader.ReadAllAsync(cancellationToken))
            {
                try
                {
                    await item(cancellationToken);
                }
                catch (Exception e) when (e is ApiException or HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
                {
                    _logger.LogDebug(e, "scheduler report failed");
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private async Task UnschedulableConditionAsync(PodInfo pod, string message, CancellationToken ct)
    {
        var condition = new JsonObject
        {
            ["type"] = "PodScheduled", ["status"] = "False", ["reason"] = "Unschedulable", ["message"] = message,
            ["lastProbeTime"] = null, ["lastTransitionTime"] = new Time(_time.GetUtcNow()).ToString(),
        };
        var patch = new JsonObject { ["status"] = new JsonObject { ["conditions"] = new JsonArray(condition) } };
        try
        {
            await _pods.PatchAsync(pod.Name, pod.Namespace, PatchType.StrategicMerge, patch.ToJsonString(), "status", ct: ct);
        }
        catch (ApiException e) when (e.IsNotFound)
        {
        }
    }
}
