using Korvet.Api.Coordination.V1;
using Korvet.Api.Core.V1;
using Korvet.Api.Meta.V1;
using Korvet.Client;
using Korvet.Client.Cache;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Korvet.Agent.Simulation;

/// <summary>
/// Simulated nodes (like kwok), as an API client only: registers <see cref="SimulationOptions.Count"/> Nodes, renews
/// one Lease per node in kube-node-lease every <see cref="SimulationOptions.RenewInterval"/>, refreshes each node's
/// Ready heartbeat when it is stale or not True (e.g. after the node lifecycle controller marked it Unknown), and
/// drives the pods bound to its nodes (<see cref="SimulatedPods"/>). One node informer and one pod informer serve all
/// nodes; writes run with bounded concurrency. Start once with <see cref="StartAsync"/>; <see cref="DisposeAsync"/>
/// stops every loop (the nodes stay registered and go NotReady once their Leases expire, like a stopped kubelet).
/// Given a process's shared informer factory, it reads nodes and pods through a scope of it instead of informers of
/// its own, so a server process holds each pod once.
/// </summary>
public sealed class NodeSimulator : IAsyncDisposable
{
    private readonly KubernetesClient _client;
    private readonly SimulationOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly IReadOnlyList<SimulatedNode> _nodes;
    private readonly Dictionary<string, SimulatedNode> _byName;
    private readonly Dictionary<string, Lease> _leases = new(StringComparer.Ordinal);
    private readonly Lock _leaseLock = new();
    private readonly SharedIndexInformer<Node> _nodeInformer;
    private readonly SharedInformerFactory? _scope;
    private readonly SimulatedPods _pods;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _loops = [];

    public NodeSimulator(KubernetesClient client, SimulationOptions options, TimeProvider? time = null, ILoggerFactory? loggerFactory = null,
        SharedInformerFactory? sharedInformers = null)
    {
        options.Validate();
        _client = client;
        _options = options;
        _time = time ?? TimeProvider.System;
        loggerFactory ??= NullLoggerFactory.Instance;
        _logger = loggerFactory.CreateLogger<NodeSimulator>();
        var podBlocks = new AddressBlocks(options.PodCidr, options.Count);
        var nodeAddresses = new AddressBlocks(options.NodeCidr, 1);
        _nodes = Enumerable.Range(0, options.Count).Select(i => new SimulatedNode(options, i, podBlocks, nodeAddresses)).ToList();
        _byName = _nodes.ToDictionary(n => n.Name, StringComparer.Ordinal);
        _scope = sharedInformers?.CreateScope(client);
        _nodeInformer = _scope?.For<Node>() ?? new SharedIndexInformer<Node>(client.Resource<Node>(),
            logger: loggerFactory.CreateLogger("Korvet.Agent.Simulation.Nodes"), time: _time, transform: InformerTransforms.StripManagedFields);
        ILogger podLogger = loggerFactory.CreateLogger<SimulatedPods>();
        SharedIndexInformer<Pod> podInformer = _scope?.For<Pod>() ?? new SharedIndexInformer<Pod>(client.Resource<Pod>(),
            fieldSelector: "spec.nodeName!=", logger: podLogger, time: _time, transform: InformerTransforms.StripManagedFields);
        _pods = new SimulatedPods(client, options, _byName, new PodAddresses(podBlocks), podInformer, runInformer: _scope is null, _time, podLogger);
    }

    public IReadOnlyList<string> NodeNames => _nodes.Select(n => n.Name).ToList();

    /// <summary>Registers every node, takes their Leases, then starts the heartbeat and pod loops. Returns when the
    /// nodes exist and are Ready; the pod informer syncs in the background.</summary>
    public async Task StartAsync(CancellationToken ct)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, _stop.Token);
        await ForEachNodeAsync(n => RegisterAsync(n, linked.Token), linked.Token).ConfigureAwait(false);
        await ForEachNodeAsync(n => RenewLeaseAsync(n, linked.Token), linked.Token).ConfigureAwait(false);
        if (_scope is null)
        {
            _loops.Add(_nodeInformer.RunAsync(_stop.Token));
        }
        else
        {
            await _scope.StartAsync(_stop.Token).ConfigureAwait(false);
        }

        _loops.Add(HeartbeatLoopAsync(_stop.Token));
        _loops.Add(_pods.RunAsync(_stop.Token));
        if (_logger.IsEnabled(LogLevel.Information))
        {
            _logger.LogInformation("{Count} simulated nodes registered ({First} .. {Last})", _nodes.Count, _nodes[0].Name, _nodes[^1].Name);
        }
    }

    private async Task RegisterAsync(SimulatedNode node, CancellationToken ct)
    {
        DateTimeOffset now = _time.GetUtcNow();
        Node wanted = node.Build(now);
        ResourceClient<Node> nodes = _client.Resource<Node>();
        Node current;
        try
        {
            current = await nodes.CreateAsync(wanted, ct).ConfigureAwait(false);
        }
        catch (ApiException e) when (e.IsAlreadyExists)
        {
            // A restart: keep the node, bring labels and podCIDR up to date.
            current = await nodes.GetAsync(node.Name, null, ct).ConfigureAwait(false);
            current.Metadata!.Labels ??= [];
            foreach (KeyValuePair<string, string> label in wanted.Metadata!.Labels!)
            {
                current.Metadata.Labels[label.Key] = label.Value;
            }

            current.Spec ??= new NodeSpec();
            current.Spec.PodCidr ??= wanted.Spec!.PodCidr;
            current.Spec.PodCidrs ??= wanted.Spec!.PodCidrs;
            current = await nodes.UpdateAsync(current, ct).ConfigureAwait(false);
        }

        current.Status = node.Status(current.Status, now);
        await nodes.UpdateStatusAsync(current, ct).ConfigureAwait(false);
    }

    private async Task HeartbeatLoopAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_options.RenewInterval, _time, ct).ConfigureAwait(false);
                await ForEachNodeAsync(async n =>
                {
                    await RenewLeaseAsync(n, ct).ConfigureAwait(false);
                    await ReportStatusAsync(n, ct).ConfigureAwait(false);
                }, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                _logger.LogWarning(e, "simulated node heartbeat failed");
            }
        }
    }

    /// <summary>Updates the node's Lease (creating it when missing); a conflict re-reads it for the next round.</summary>
    private async Task RenewLeaseAsync(SimulatedNode node, CancellationToken ct)
    {
        ResourceClient<Lease> leases = _client.Resource<Lease>();
        Lease? lease;
        lock (_leaseLock)
        {
            _leases.TryGetValue(node.Name, out lease);
        }

        try
        {
            lease ??= await leases.TryGetAsync(node.Name, "kube-node-lease", ct).ConfigureAwait(false);
            var renew = new MicroTime(_time.GetUtcNow());
            if (lease is null)
            {
                Node? owner = _nodeInformer.Store.Get(node.Name) ?? await _client.Resource<Node>().TryGetAsync(node.Name, null, ct).ConfigureAwait(false);
                lease = await leases.CreateAsync(new Lease
                {
                    Metadata = new ObjectMeta
                    {
                        Name = node.Name,
                        Namespace = "kube-node-lease",
                        OwnerReferences = owner?.Metadata?.Uid is string uid
                            ? [new OwnerReference { ApiVersion = "v1", Kind = "Node", Name = node.Name, Uid = uid }]
                            : null,
                    },
                    Spec = new LeaseSpec { HolderIdentity = node.Name, LeaseDurationSeconds = _options.LeaseDurationSeconds, RenewTime = renew },
                }, ct).ConfigureAwait(false);
            }
            else
            {
                lease.Spec ??= new LeaseSpec();
                lease.Spec.HolderIdentity = node.Name;
                lease.Spec.LeaseDurationSeconds = _options.LeaseDurationSeconds;
                lease.Spec.RenewTime = renew;
                lease = await leases.UpdateAsync(lease, ct).ConfigureAwait(false);
            }
        }
        catch (ApiException e) when (e.IsConflict || e.IsNotFound || e.IsAlreadyExists)
        {
            lease = null;
        }

        lock (_leaseLock)
        {
            if (lease is null)
            {
                _leases.Remove(node.Name);
            }
            else
            {
                _leases[node.Name] = lease;
            }
        }
    }

    /// <summary>Writes a fresh status when the cached node is not Ready=True or its heartbeat is older than the report
    /// interval; re-registers a node that was deleted.</summary>
    private async Task ReportStatusAsync(SimulatedNode node, CancellationToken ct)
    {
        if (!_nodeInformer.HasSynced)
        {
            return;
        }

        Node? cached = _nodeInformer.Store.Get(node.Name);
        DateTimeOffset now = _time.GetUtcNow();
        if (cached is null)
        {
            await RegisterAsync(node, ct).ConfigureAwait(false);
            return;
        }

        if (SimulatedNode.IsFresh(cached, now, _options.ReportInterval))
        {
            return;
        }

        Node copy = ObjectCopy.Clone(cached);
        copy.Status = node.Status(cached.Status, now);
        try
        {
            await _client.Resource<Node>().UpdateStatusAsync(copy, ct).ConfigureAwait(false);
        }
        catch (ApiException e) when (e.IsConflict || e.IsNotFound)
        {
            // The informer catches up; the next round retries.
        }
    }

    private Task ForEachNodeAsync(Func<SimulatedNode, Task> action, CancellationToken ct) =>
        Parallel.ForEachAsync(_nodes, new ParallelOptions { MaxDegreeOfParallelism = _options.Workers, CancellationToken = ct },
            async (node, _) => await action(node).ConfigureAwait(false));

    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        foreach (Task loop in _loops)
        {
            try
            {
                await loop.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Stopping.
            }
        }

        if (_scope is not null)
        {
            await _scope.DisposeAsync().ConfigureAwait(false);
        }

        _stop.Dispose();
    }
}
