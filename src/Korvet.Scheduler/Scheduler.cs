using Korvet.Api.Core.V1;
using Korvet.Api.Serialization;
using Korvet.Client;
using Korvet.Client.Cache;
using Korvet.Scheduler.Cache;
using Korvet.Scheduler.Framework;
using Korvet.Scheduler.Plugins;
using Korvet.Scheduler.Queue;
using Microsoft.Extensions.Logging;

namespace Korvet.Scheduler;

/// <summary>
/// kube-scheduler over the API: Node and Pod informers feed the cache (bound pods) and the queue (our pending pods);
/// one loop pops a pod, runs a scheduling cycle against the cache, assumes the pod on the chosen node and binds it
/// asynchronously (so throughput is not bound by API latency); a failed bind forgets the assumption and retries with
/// backoff. Rejections record FailedScheduling and wait in the queue for a relevant cluster event.
/// Informer handlers only touch the cache and the queue (both thread-safe); the cycle itself runs on one task.
/// </summary>
public sealed class Scheduler
{
    private readonly SchedulerOptions _options;
    private readonly SharedInformerFactory _informers;
    private readonly SchedulerCache _cache = new();
    private readonly SchedulingQueue _queue;
    private readonly SchedulingAlgorithm _algorithm;
    private readonly SchedulerReporter _reporter;
    private readonly SemaphoreSlim _bindSlots;
    private readonly ILogger _logger;
    private long _bound;
    private long _failedAttempts;
    private long _cycles;
    private long _cycleTicks;

    public Scheduler(SharedInformerFactory informers, SchedulerOptions? options = null, TimeProvider? time = null)
    {
        _options = options ?? SchedulerOptions.Default;
        _informers = informers;
        time ??= TimeProvider.System;
        KubernetesClient client = informers.Client;
        _logger = client.LoggerFactory.CreateLogger("Korvet.Scheduler");
        _queue = new SchedulingQueue(time, _options.Queue);
        _algorithm = new SchedulingAlgorithm(SchedulerProfile.CreateDefault(new DefaultBinder(client), _options.PercentageOfNodesToScore) with
        {
            SchedulerName = _options.SchedulerName,
        }, parallelism: _options.Parallelism);
        _reporter = new SchedulerReporter(client, _options.SchedulerName, time, _logger);
        _bindSlots = new SemaphoreSlim(_options.MaxConcurrentBinds);

        // Handlers are registered now so a factory shared with other components delivers to us from its first list.
        informers.For<Node>().AddEventHandler(OnNodeAdd, OnNodeUpdate, OnNodeDelete);
        informers.For<Pod>().AddEventHandler(OnPodAdd, OnPodUpdate, OnPodDelete);
    }

    public SchedulerCache Cache => _cache;

    public SchedulingQueue Queue => _queue;

    /// <summary>Pods bound so far by this scheduler.</summary>
    public long BoundCount => Interlocked.Read(ref _bound);

    /// <summary>Scheduling attempts that found no node.</summary>
    public long FailedAttempts => Interlocked.Read(ref _failedAttempts);

    /// <summary>Scheduling cycles run (PreFilter through assume; binding excluded).</summary>
    public long Cycles => Interlocked.Read(ref _cycles);

    /// <summary>Time spent in scheduling cycles in total (to tell the scheduler's own cost from API latency).</summary>
    public TimeSpan CycleTime => System.Diagnostics.Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _cycleTicks));

    /// <summary>Starts the informers (if not yet), waits for their sync, then schedules until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await _informers.StartAsync(cancellationToken);
        await _informers.WaitForCacheSyncAsync(cancellationToken);
        if (_logger.IsEnabled(LogLevel.Information))
        {
            _logger.LogInformation("scheduler {Name} synced: {Nodes} nodes, {Pods} bound pods", _options.SchedulerName, _cache.NodeCount, _cache.PodCount);
        }

        Task flush = _queue.RunFlushLoopAsync(cancellationToken);
        Task reports = _reporter.RunAsync(cancellationToken);
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                QueuedPodInfo? next = await _queue.PopAsync(cancellationToken);
                if (next is null)
                {
                    break;
                }

                await ScheduleOneAsync(next, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            _queue.Close();
            await flush;
            await reports;
        }
    }

    private async Task ScheduleOneAsync(QueuedPodInfo queued, CancellationToken cancellationToken)
    {
        PodInfo pod = queued.Info;
        long cycle = _queue.SchedulingCycle;
        if (pod.Pod.Spec?.NodeName is { Length: > 0 } || pod.IsTerminating || _cache.IsAssumed(pod.Uid))
        {
            _queue.Done(pod.Key);
            return;
        }

        ScheduleResult result;
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        lock (_cache.Gate)
        {
            result = _algorithm.Schedule(pod, _cache.Nodes);
            if (result.Succeeded)
            {
                _cache.AssumePod(pod, result.NodeName!);
            }
        }

        Interlocked.Add(ref _cycleTicks, System.Diagnostics.Stopwatch.GetTimestamp() - started);
        Interlocked.Increment(ref _cycles);

        if (!result.Succeeded)
        {
            Interlocked.Increment(ref _failedAttempts);
            string message = result.FailureMessage;
            if (_logger.IsEnabled(LogLevel.Debug))
            {
                _logger.LogDebug("unable to schedule {Pod}: {Message}", pod.Key, message);
            }

            if (result.Error is not null)
            {
                _queue.AddBackoff(queued);
            }
            else
            {
                _queue.AddUnschedulable(queued, cycle);
            }

            await _reporter.FailedSchedulingAsync(pod, message, cancellationToken);
            return;
        }

        // The pod stays "in flight" in the queue until its binding finished, so a delete meanwhile is noticed.
        await _bindSlots.WaitAsync(cancellationToken);
        _ = Task.Run(() => BindAsync(queued, result.NodeName!, cancellationToken), CancellationToken.None);
    }

    private async Task BindAsync(QueuedPodInfo queued, string nodeName, CancellationToken cancellationToken)
    {
        PodInfo pod = queued.Info;
        try
        {
            Status status = Status.Error("no bind plugin");
            foreach (IBindPlugin binder in _algorithm.Profile.Bind)
            {
                status = await binder.BindAsync(pod, nodeName, cancellationToken);
                if (status.Code != StatusCode.Skip)
                {
                    break;
                }
            }

            if (status.IsSuccess)
            {
                Interlocked.Increment(ref _bound);
                _queue.Done(pod.Key);
                if (_options.RecordScheduledEvents)
                {
                    _reporter.Scheduled(pod, nodeName);
                }

                return;
            }

            if (_logger.IsEnabled(LogLevel.Information))
            {
                _logger.LogInformation("binding {Pod} to {Node} failed: {Status}", pod.Key, nodeName, status.Message);
            }

            _cache.ForgetPod(pod);
            _queue.AddBackoff(queued);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            _cache.ForgetPod(pod);
        }
        finally
        {
            _bindSlots.Release();
        }
    }

    private bool IsOurs(Pod pod) =>
        (string.IsNullOrEmpty(pod.Spec?.SchedulerName) ? SchedulerProfile.DefaultSchedulerName : pod.Spec!.SchedulerName) == _options.SchedulerName
        && pod.Metadata?.DeletionTimestamp is null
        && pod.Status?.Phase is not ("Succeeded" or "Failed");

    private static bool IsAssigned(Pod pod) => !string.IsNullOrEmpty(pod.Spec?.NodeName);

    private void OnPodAdd(Pod pod)
    {
        if (IsAssigned(pod))
        {
            _cache.SetPod(pod);
        }
        else if (IsOurs(pod))
        {
            _queue.Add(pod);
        }
    }

    private void OnPodUpdate(Pod old, Pod pod)
    {
        if (IsAssigned(pod))
        {
            _cache.SetPod(pod);
            if (!IsAssigned(old))
            {
                _queue.Delete(pod);
            }
            else if (!SameLabels(old, pod))
            {
                // Affinity and spread decisions depend on the labels of bound pods.
                _queue.MoveAllToActiveOrBackoff();
            }

            if (pod.Status?.Phase is "Succeeded" or "Failed" && old.Status?.Phase is not ("Succeeded" or "Failed"))
            {
                _queue.MoveAllToActiveOrBackoff();
            }
        }
        else if (!IsOurs(pod))
        {
            _queue.Delete(pod);
        }
        else if (SchedulingInputsChanged(old, pod))
        {
            // Status-only changes (our own PodScheduled condition included) do not retry the pod.
            _queue.Update(pod);
        }
    }

    private void OnPodDelete(Pod pod)
    {
        if (IsAssigned(pod))
        {
            _cache.RemovePod(pod);
            _queue.MoveAllToActiveOrBackoff();
        }
        else
        {
            _queue.Delete(pod);
        }
    }

    private void OnNodeAdd(Node node)
    {
        _cache.SetNode(node);
        _queue.MoveAllToActiveOrBackoff();
    }

    private void OnNodeUpdate(Node old, Node node)
    {
        _cache.SetNode(node);
        if (NodeSchedulingChanged(old, node))
        {
            _queue.MoveAllToActiveOrBackoff();
        }
    }

    private void OnNodeDelete(Node node) => _cache.RemoveNode(node.Metadata?.Name ?? "");

    private static bool SameLabels(Pod a, Pod b) => DictionaryEquals(a.Metadata?.Labels, b.Metadata?.Labels);

    /// <summary>Upstream's isPodUpdated: anything but status, resourceVersion, generation and managedFields.</summary>
    private static bool SchedulingInputsChanged(Pod old, Pod pod) =>
        !SameLabels(old, pod)
        || !DictionaryEquals(old.Metadata?.Annotations, pod.Metadata?.Annotations)
        || !ApiJson.SerializeToUtf8Bytes(old.Spec ?? new PodSpec()).AsSpan().SequenceEqual(ApiJson.SerializeToUtf8Bytes(pod.Spec ?? new PodSpec()));

    /// <summary>Changes that can let a rejected pod fit: allocatable, labels, taints, cordon (heartbeats are not).</summary>
    private static bool NodeSchedulingChanged(Node old, Node node) =>
        old.Spec?.Unschedulable != node.Spec?.Unschedulable
        || !DictionaryEquals(old.Metadata?.Labels, node.Metadata?.Labels)
        || !ApiJson.SerializeToUtf8Bytes(old.Spec?.Taints ?? []).AsSpan().SequenceEqual(ApiJson.SerializeToUtf8Bytes(node.Spec?.Taints ?? []))
        || !DictionaryEquals(
            old.Status?.Allocatable?.ToDictionary(kv => kv.Key, kv => kv.Value.ToString()),
            node.Status?.Allocatable?.ToDictionary(kv => kv.Key, kv => kv.Value.ToString()));

    private static bool DictionaryEquals(IReadOnlyDictionary<string, string>? a, IReadOnlyDictionary<string, string>? b)
    {
        int countA = a?.Count ?? 0;
        if (countA != (b?.Count ?? 0))
        {
            return false;
        }

        if (countA == 0)
        {
            return true;
        }

        foreach ((string key, string value) in a!)
        {
            if (!b!.TryGetValue(key, out string? other) || other != value)
            {
                return false;
            }
        }

        return true;
    }
}
