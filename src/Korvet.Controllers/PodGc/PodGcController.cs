using Korvet.Api.Core.V1;
using Korvet.Api.Meta.V1;
using Korvet.Client;
using Korvet.Client.Cache;
using Korvet.Client.Queue;
using Microsoft.Extensions.Logging;

namespace Korvet.Controllers.PodGc;

/// <summary>
/// Upstream's pod garbage collector, run every <see cref="PodGcOptions.EffectivePeriod"/> (one queue key, re-added after
/// each pass): force-deletes (grace 0) terminated pods beyond the threshold (oldest first), pods bound to nodes that
/// have been absent from the cache for the quarantine and are confirmed absent by a live read (marked Failed with a
/// DisruptionTarget condition first, like upstream), and terminating pods that were never scheduled.
/// </summary>
public sealed class PodGcController : IController
{
    private const string Key = "pod-gc";

    private readonly ControllerContext _context;
    private readonly PodGcOptions _options;
    private readonly ILogger _logger;
    private readonly SharedIndexInformer<Pod> _pods;
    private readonly SharedIndexInformer<Node> _nodes;
    private readonly WorkQueue<string> _queue;

    /// <summary>Nodes found missing, with when they were first missed (touched only by the single worker).</summary>
    private readonly Dictionary<string, DateTimeOffset> _quarantine = new(StringComparer.Ordinal);

    public PodGcController(ControllerContext context, PodGcOptions? options = null)
    {
        _context = context;
        _options = options ?? context.Options.PodGc;
        _logger = context.LoggerFactory.CreateLogger<PodGcController>();
        _queue = new WorkQueue<string>(time: context.Time);
        _pods = context.Informers.For<Pod>();
        _nodes = context.Informers.For<Node>();
    }

    public string Name => "pod-garbage-collector";

    public Task RunAsync(CancellationToken ct)
    {
        _queue.Add(Key);
        return QueueWorkers.RunAsync(_queue, 1, SyncAsync, _logger, ct);
    }

    private async Task SyncAsync(string key, CancellationToken ct)
    {
        try
        {
            await CollectAsync(ct).ConfigureAwait(false);
        }
        finally
        {
            _queue.AddAfter(Key, _options.EffectivePeriod);
        }
    }

    private async Task CollectAsync(CancellationToken ct)
    {
        List<Pod> pods = _pods.Store.List();
        foreach (Pod pod in PodGcPlanner.TerminatedOverThreshold(pods, _options.TerminatedPodThreshold))
        {
            await ForceDeleteAsync(pod, ct).ConfigureAwait(false);
        }

        var known = new HashSet<string>(_nodes.Store.List().Select(n => n.Metadata?.Name ?? ""), StringComparer.Ordinal);
        DateTimeOffset now = _context.Time.GetUtcNow();
        List<Pod> orphans = PodGcPlanner.OnMissingNodes(pods, known);
        var missing = orphans.Select(p => p.Spec!.NodeName!).ToHashSet(StringComparer.Ordinal);
        foreach (string gone in _quarantine.Keys.Where(n => !missing.Contains(n)).ToList())
        {
            _quarantine.Remove(gone);
        }

        foreach (IGrouping<string, Pod> group in orphans.GroupBy(p => p.Spec!.NodeName!))
        {
            if (!_quarantine.TryGetValue(group.Key, out DateTimeOffset since))
            {
                _quarantine[group.Key] = now;
                continue;
            }

            if (now - since < _options.EffectiveQuarantine
                || await _context.Client.Resource<Node>().TryGetAsync(group.Key, null, ct).ConfigureAwait(false) is not null)
            {
                continue;
            }

            foreach (Pod pod in group)
            {
                await MarkFailedAsync(pod, $"PodGC: node {group.Key} no longer exists", ct).ConfigureAwait(false);
                await ForceDeleteAsync(pod, ct).ConfigureAwait(false);
            }
        }

        foreach (Pod pod in PodGcPlanner.UnscheduledTerminating(pods))
        {
            await ForceDeleteAsync(pod, ct).ConfigureAwait(false);
        }
    }

    private async Task MarkFailedAsync(Pod pod, string message, CancellationToken ct)
    {
        if (PodGcPlanner.IsTerminated(pod))
        {
            return;
        }

        var condition = new System.Text.Json.Nodes.JsonObject
        {
            ["type"] = "DisruptionTarget",
            ["status"] = "True",
            ["reason"] = "DeletionByPodGC",
            ["message"] = message,
            ["lastTransitionTime"] = new Time(_context.Time.GetUtcNow()).ToString(),
        };
        string patch = new System.Text.Json.Nodes.JsonObject
        {
            ["status"] = new System.Text.Json.Nodes.JsonObject { ["phase"] = "Failed", ["conditions"] = new System.Text.Json.Nodes.JsonArray(condition) },
        }.ToJsonString();
        try
        {
            await _context.Client.Resource<Pod>().PatchAsync(pod.Metadata!.Name!, pod.Metadata.Namespace, PatchType.StrategicMerge, patch,
                "status", ct: ct).ConfigureAwait(false);
        }
        catch (ApiException e) when (e.IsNotFound)
        {
        }
    }

    private async Task ForceDeleteAsync(Pod pod, CancellationToken ct)
    {
        if (_logger.IsEnabled(LogLevel.Information))
        {
            _logger.LogInformation("garbage collecting pod {Namespace}/{Name}", pod.Metadata?.Namespace, pod.Metadata?.Name);
        }

        try
        {
            await _context.Client.Resource<Pod>().DeleteAsync(pod.Metadata!.Name!, pod.Metadata.Namespace,
                new DeleteOptions { GracePeriodSeconds = 0, Preconditions = new Korvet.Api.Meta.V1.Preconditions { Uid = pod.Metadata.Uid } }, ct).ConfigureAwait(false);
        }
        catch (ApiException e) when (e.IsNotFound || e.IsConflict)
        {
            // Gone, or replaced by a new pod of the same name.
        }
    }
}
