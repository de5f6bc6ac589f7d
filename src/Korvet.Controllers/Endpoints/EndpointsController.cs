using Korvet.Api.Core.V1;
using Korvet.Api.Meta.V1;
using Korvet.Api.Serialization;
using Korvet.Client;
using Korvet.Client.Cache;
using Korvet.Client.Queue;
using Microsoft.Extensions.Logging;
using CoreEndpoints = Korvet.Api.Core.V1.Endpoints;

namespace Korvet.Controllers.Endpoints;

/// <summary>
/// Upstream's endpoints controller: the Endpoints object of every Service with a selector follows the selected pods
/// (<see cref="EndpointsBuilder"/>); a deleted Service's Endpoints are deleted. Services without a selector (and
/// ExternalName ones) are never touched — their Endpoints belong to someone else (e.g. the <c>kubernetes</c> service).
/// Keys are <c>namespace/name</c> of services; writes are skipped when nothing would change.
/// </summary>
public sealed class EndpointsController : IController
{
    private readonly ControllerContext _context;
    private readonly ILogger _logger;
    private readonly SharedIndexInformer<Service> _services;
    private readonly SharedIndexInformer<Pod> _pods;
    private readonly SharedIndexInformer<CoreEndpoints> _endpoints;
    private readonly WorkQueue<string> _queue;

    public EndpointsController(ControllerContext context)
    {
        _context = context;
        _logger = context.LoggerFactory.CreateLogger<EndpointsController>();
        _queue = new WorkQueue<string>(time: context.Time);
        _services = context.Informers.For<Service>();
        _pods = context.Informers.For<Pod>();
        _endpoints = context.Informers.For<CoreEndpoints>();
        _services.AddEventHandler(onAdd: s => _queue.Add(ObjectKey.Of(s)), onUpdate: (_, s) => _queue.Add(ObjectKey.Of(s)),
            onDelete: s => _queue.Add(ObjectKey.Of(s)));
        ServiceSelection.EnqueueServicesOfPods(_pods, _services.Store, _queue);
        _endpoints.AddEventHandler(onUpdate: (_, e) => RepairIfManaged(e), onDelete: RepairIfManaged);
    }

    public string Name => "endpoints-controller";

    public Task RunAsync(CancellationToken ct) =>
        QueueWorkers.RunAsync(_queue, Math.Max(1, _context.Options.ConcurrentSyncs), SyncAsync, _logger, ct);

    private void RepairIfManaged(CoreEndpoints endpoints)
    {
        string key = ObjectKey.Of(endpoints);
        if (_services.Store.Get(key)?.Spec?.Selector is not null)
        {
            _queue.Add(key);
        }
    }

    private async Task SyncAsync(string key, CancellationToken ct)
    {
        (string? ns, string name) = ObjectKey.Split(key);
        ResourceClient<CoreEndpoints> client = _context.Client.Resource<CoreEndpoints>();
        Service? service = _services.Store.Get(key);
        if (service is null)
        {
            if (_endpoints.Store.Get(key) is not null)
            {
                try
                {
                    await client.DeleteAsync(name, ns, null, ct).ConfigureAwait(false);
                }
                catch (ApiException e) when (e.IsNotFound)
                {
                }
            }

            return;
        }

        if (service.Spec?.Selector is null || service.Spec.Type == "ExternalName")
        {
            return;
        }

        List<EndpointSubset> subsets = EndpointsBuilder.Subsets(service, ServiceSelection.PodsFor(service, _pods.Store));
        Dictionary<string, string> labels = EndpointsBuilder.Labels(service);
        CoreEndpoints? current = _endpoints.Store.Get(key);
        var desired = new CoreEndpoints
        {
            Kind = "Endpoints",
            ApiVersion = "v1",
            Metadata = new ObjectMeta
            {
                Name = name,
                Namespace = ns,
                Labels = labels.Count == 0 ? null : labels,
                Annotations = current?.Metadata?.Annotations,
                ResourceVersion = current?.Metadata?.ResourceVersion,
            },
            Subsets = subsets.Count == 0 ? null : subsets,
        };
        if (current is not null && Same(current, desired))
        {
            return;
        }

        if (current is null)
        {
            await client.CreateAsync(desired, ct).ConfigureAwait(false);
        }
        else
        {
            await client.UpdateAsync(desired, ct).ConfigureAwait(false);
        }
    }

    private static bool Same(CoreEndpoints current, CoreEndpoints desired)
    {
        var a = new CoreEndpoints { Subsets = current.Subsets is { Count: > 0 } s ? s : null };
        var b = new CoreEndpoints { Subsets = desired.Subsets };
        return ApiJson.SerializeToUtf8Bytes(a).AsSpan().SequenceEqual(ApiJson.SerializeToUtf8Bytes(b))
            && LabelsEqual(current.Metadata?.Labels, desired.Metadata?.Labels);
    }

    internal static bool LabelsEqual(Dictionary<string, string>? a, Dictionary<string, string>? b) =>
        (a?.Count ?? 0) == (b?.Count ?? 0) && (a ?? []).All(p => b is not null && b.TryGetValue(p.Key, out string? v) && v == p.Value);
}
