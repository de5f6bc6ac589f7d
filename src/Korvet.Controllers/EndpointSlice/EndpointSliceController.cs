using Korvet.Api.Core.V1;
using Korvet.Api.Meta.V1;
using Korvet.Api.Serialization;
using Korvet.Client;
using Korvet.Client.Cache;
using Korvet.Client.Queue;
using Korvet.Controllers.Endpoints;
using Microsoft.Extensions.Logging;
using Slice = Korvet.Api.Discovery.V1.EndpointSlice;

namespace Korvet.Controllers.EndpointSlice;

/// <summary>
/// Upstream's endpointslice controller (IPv4): the slices of every Service with a selector follow its pods
/// (<see cref="EndpointSliceBuilder"/>). Slices are labelled with the service name and this manager, owned by the
/// Service (so the garbage collector removes them with it). The existing slices are read live (label selector), not
/// from the cache, so a slice created a moment ago is never created twice. Services without a selector are left alone.
/// </summary>
public sealed class EndpointSliceController : IController
{
    private readonly ControllerContext _context;
    private readonly ILogger _logger;
    private readonly SharedIndexInformer<Service> _services;
    private readonly SharedIndexInformer<Pod> _pods;
    private readonly SharedIndexInformer<Slice> _slices;
    private readonly WorkQueue<string> _queue;

    public EndpointSliceController(ControllerContext context)
    {
        _context = context;
        _logger = context.LoggerFactory.CreateLogger<EndpointSliceController>();
        _queue = new WorkQueue<string>(time: context.Time);
        _services = context.Informers.For<Service>();
        _pods = context.Informers.For<Pod>();
        _slices = context.Informers.For<Slice>();
        _services.AddEventHandler(onAdd: s => _queue.Add(ObjectKey.Of(s)), onUpdate: (_, s) => _queue.Add(ObjectKey.Of(s)));
        ServiceSelection.EnqueueServicesOfPods(_pods, _services.Store, _queue);
        _slices.AddEventHandler(onUpdate: (_, s) => SliceChanged(s), onDelete: SliceChanged);
    }

    public string Name => "endpointslice-controller";

    public Task RunAsync(CancellationToken ct) =>
        QueueWorkers.RunAsync(_queue, Math.Max(1, _context.Options.ConcurrentSyncs), SyncAsync, _logger, ct);

    private void SliceChanged(Slice slice)
    {
        Dictionary<string, string>? labels = slice.Metadata?.Labels;
        if (labels is not null && labels.GetValueOrDefault(EndpointSliceBuilder.ManagedByLabel) == EndpointSliceBuilder.ControllerName
            && labels.TryGetValue(EndpointSliceBuilder.ServiceNameLabel, out string? service))
        {
            _queue.Add(ObjectKey.Of(slice.Metadata!.Namespace, service));
        }
    }

    private async Task SyncAsync(string key, CancellationToken ct)
    {
        Service? service = _services.Store.Get(key);
        if (service?.Spec?.Selector is null || service.Spec.Type == "ExternalName")
        {
            return; // Deleted services' slices go with them through their owner reference.
        }

        string ns = service.Metadata!.Namespace!;
        string name = service.Metadata.Name!;
        ResourceClient<Slice> client = _context.Client.Resource<Slice>();
        string selector = $"{EndpointSliceBuilder.ServiceNameLabel}={name},{EndpointSliceBuilder.ManagedByLabel}={EndpointSliceBuilder.ControllerName}";
        List<Slice> existing = (await client.ListAsync(ns, new ListOptions { LabelSelector = selector }, ct).ConfigureAwait(false)).Items;

        // Slices of an earlier service of the same name are not ours to keep.
        var stale = existing.Where(s => s.Metadata?.OwnerReferences?.Any(o => o.Uid == service.Metadata.Uid) != true).ToList();
        var unused = existing.Except(stale).ToList();
        Dictionary<string, string> labels = EndpointSliceBuilder.Labels(service);
        foreach (DesiredSlice want in EndpointSliceBuilder.Build(service, ServiceSelection.PodsFor(service, _pods.Store)))
        {
            Slice? match = unused.FirstOrDefault(s => EndpointSliceBuilder.PortsKey(s.Ports) == want.PortsKey);
            if (match is null)
            {
                await client.CreateAsync(NewSlice(service, labels, want), ct).ConfigureAwait(false);
                continue;
            }

            unused.Remove(match);
            if (!Same(match, labels, want))
            {
                match.Endpoints = want.Endpoints;
                match.Ports = want.Ports;
                match.Metadata!.Labels = labels;
                await client.UpdateAsync(match, ct).ConfigureAwait(false);
            }
        }

        foreach (Slice extra in unused.Concat(stale))
        {
            try
            {
                await client.DeleteAsync(extra.Metadata!.Name!, ns, null, ct).ConfigureAwait(false);
            }
            catch (ApiException e) when (e.IsNotFound)
            {
            }
        }
    }

    private static Slice NewSlice(Service service, Dictionary<string, string> labels, DesiredSlice want)
    {
        string prefix = service.Metadata!.Name!;
        if (prefix.Length > 57)
        {
            prefix = prefix[..57];
        }

        return new Slice
        {
            Kind = "EndpointSlice",
            ApiVersion = "discovery.k8s.io/v1",
            Metadata = new ObjectMeta
            {
                GenerateName = prefix + "-",
                Namespace = service.Metadata.Namespace,
                Labels = labels,
                OwnerReferences =
                [
                    new OwnerReference
                    {
                        ApiVersion = "v1", Kind = "Service", Name = service.Metadata.Name!, Uid = service.Metadata.Uid ?? "",
                        Controller = true, BlockOwnerDeletion = true,
                    },
                ],
            },
            AddressType = "IPv4",
            Endpoints = want.Endpoints,
            Ports = want.Ports,
        };
    }

    private static bool Same(Slice current, Dictionary<string, string> labels, DesiredSlice want)
    {
        var a = new Slice { AddressType = "IPv4", Endpoints = current.Endpoints ?? [], Ports = current.Ports ?? [] };
        var b = new Slice { AddressType = "IPv4", Endpoints = want.Endpoints, Ports = want.Ports };
        return ApiJson.SerializeToUtf8Bytes(a).AsSpan().SequenceEqual(ApiJson.SerializeToUtf8Bytes(b))
            && EndpointsController.LabelsEqual(current.Metadata?.Labels, labels);
    }
}
