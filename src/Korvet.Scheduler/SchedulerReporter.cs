using System.Globalization;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Korvet.Api.Core.V1;
using Korvet.Api.Meta.V1;
using Korvet.Client;
using Korvet.Scheduler.Framework;
using Microsoft.Extensions.Logging;

namespace Korvet.Scheduler;

/// <summary>
/// Writes what the scheduler decided back to the API server without holding up the scheduling loop: core/v1 Events
/// (<c>Scheduled</c>, Warning <c>FailedScheduling</c>; a repeat of the same message for the same pod bumps the
/// existing event's count) and the pod's PodScheduled=False/Unschedulable condition. Work goes through a bounded
/// channel drained by a few workers; when it is full, events are dropped (like upstream's event broadcaster) but
/// condition updates wait. Thread-safe.
/// </summary>
public sealed class SchedulerReporter
{
    private const int Workers = 4;
    private const int MaxRemembered = 20_000;

    private readonly ResourceClient<Event> _events;
    private readonly ResourceClient<Pod> _pods;
    private readonly string _component;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Channel<Func<CancellationToken, Task>> _work =
        Channel.CreateBounded<Func<CancellationToken, Task>>(new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.Wait });
    private readonly Lock _lock = new();
    private readonly Dictionary<(string Uid, string Reason, string Message), (string Name, int Count)> _recent = [];

    public SchedulerReporter(KubernetesClient client, string component, TimeProvider time, ILogger logger)
    {
        _events = client.Resource<Event>();
        _pods = client.Resource<Pod>();
        _component = component;
        _time = time;
        _logger = logger;
    }

    /// <summary>"Successfully assigned ns/pod to node".</summary>
    public void Scheduled(PodInfo pod, string nodeName) =>
        _work.Writer.TryWrite(ct => EventAsync(pod, "Normal", "Scheduled", $"Successfully assigned {pod.Namespace}/{pod.Name} to {nodeName}", ct));

    /// <summary>A Warning FailedScheduling event and, when it changed, the PodScheduled=False condition.</summary>
    public async ValueTask FailedSchedulingAsync(PodInfo pod, string message, CancellationToken cancellationToken)
    {
        _work.Writer.TryWrite(ct => EventAsync(pod, "Warning", "FailedScheduling", message, ct));
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

    private async Task EventAsync(PodInfo pod, string type, string reason, string message, CancellationToken ct)
    {
        DateTimeOffset now = _time.GetUtcNow();
        var key = (pod.Uid, reason, message);
        (string Name, int Count) seen;
        lock (_lock)
        {
            if (_recent.Count > MaxRemembered)
            {
                _recent.Clear();
            }

            seen = _recent.TryGetValue(key, out var previous) ? (previous.Name, previous.Count + 1) : ("", 1);
            if (seen.Count > 1)
            {
                _recent[key] = seen;
            }
        }

        if (seen.Count > 1)
        {
            string bump = new JsonObject { ["count"] = seen.Count, ["lastTimestamp"] = new Time(now).ToString() }.ToJsonString();
            try
            {
                await _events.PatchAsync(seen.Name, pod.Namespace, PatchType.Merge, bump, ct: ct);
                return;
            }
            catch (ApiException e) when (e.IsNotFound)
            {
                // The event expired or was deleted: write a new one.
            }
        }

        string name = pod.Name + "." + now.ToUnixTimeMilliseconds().ToString("x", CultureInfo.InvariantCulture)
            + Random.Shared.Next(0x1000).ToString("x3", CultureInfo.InvariantCulture);
        var ev = new Event
        {
            Kind = "Event",
            ApiVersion = "v1",
            Metadata = new ObjectMeta { Name = name, Namespace = pod.Namespace },
            InvolvedObject = new ObjectReference
            {
                Kind = "Pod", ApiVersion = "v1", Namespace = pod.Namespace, Name = pod.Name, Uid = pod.Pod.Metadata?.Uid,
                ResourceVersion = pod.Pod.Metadata?.ResourceVersion,
            },
            Reason = reason,
            Message = message,
            Type = type,
            Source = new EventSource { Component = _component },
            FirstTimestamp = new Time(now),
            LastTimestamp = new Time(now),
            Count = seen.Count,
            Action = reason == "Scheduled" ? "Binding" : "Scheduling",
            ReportingController = _component,
            ReportingInstance = _component,
        };
        await _events.CreateAsync(ev, ct);
        lock (_lock)
        {
            _recent[key] = (name, seen.Count);
        }
    }
}
