using Korvet.Api.Meta.V1;
using Korvet.Client;
using Korvet.Client.Cache;
using Korvet.Client.Queue;
using Microsoft.Extensions.Logging;
using CoreNamespace = Korvet.Api.Core.V1.Namespace;
using CoreServiceAccount = Korvet.Api.Core.V1.ServiceAccount;

namespace Korvet.Controllers.ServiceAccount;

/// <summary>
/// Upstream's serviceaccounts-controller: every active namespace has a <c>default</c> ServiceAccount; it is created
/// when a namespace appears and again when it is deleted. Namespaces being deleted are left alone. Keys are namespace
/// names; the sync reads the cache, then confirms absence with a live read before creating.
/// </summary>
public sealed class ServiceAccountController : IController
{
    public const string DefaultName = "default";

    private readonly ControllerContext _context;
    private readonly ILogger _logger;
    private readonly SharedIndexInformer<CoreNamespace> _namespaces;
    private readonly SharedIndexInformer<CoreServiceAccount> _accounts;
    private readonly WorkQueue<string> _queue;

    public ServiceAccountController(ControllerContext context)
    {
        _context = context;
        _logger = context.LoggerFactory.CreateLogger<ServiceAccountController>();
        _queue = new WorkQueue<string>(time: context.Time);
        _namespaces = context.Informers.For<CoreNamespace>();
        _accounts = context.Informers.For<CoreServiceAccount>();
        _namespaces.AddEventHandler(onAdd: ns => Enqueue(ns.Metadata?.Name), onUpdate: (_, ns) => Enqueue(ns.Metadata?.Name));
        _accounts.AddEventHandler(onDelete: sa =>
        {
            if (sa.Metadata?.Name == DefaultName)
            {
                Enqueue(sa.Metadata.Namespace);
            }
        });
    }

    public string Name => "serviceaccount-controller";

    public Task RunAsync(CancellationToken ct) =>
        QueueWorkers.RunAsync(_queue, Math.Max(1, _context.Options.ConcurrentSyncs), SyncAsync, _logger, ct);

    private void Enqueue(string? ns)
    {
        if (!string.IsNullOrEmpty(ns))
        {
            _queue.Add(ns);
        }
    }

    private async Task SyncAsync(string ns, CancellationToken ct)
    {
        CoreNamespace? cached = _namespaces.Store.Get(null, ns);
        if (cached is null || cached.Metadata?.DeletionTimestamp is not null || cached.Status?.Phase == "Terminating")
        {
            return;
        }

        if (_accounts.Store.Get(ns, DefaultName) is not null)
        {
            return;
        }

        ResourceClient<CoreServiceAccount> accounts = _context.Client.Resource<CoreServiceAccount>();
        if (await accounts.TryGetAsync(DefaultName, ns, ct).ConfigureAwait(false) is not null)
        {
            return;
        }

        try
        {
            await accounts.CreateAsync(new CoreServiceAccount { Metadata = new ObjectMeta { Name = DefaultName, Namespace = ns } }, ct)
                .ConfigureAwait(false);
        }
        catch (ApiException e) when (e.IsAlreadyExists || (int)e.StatusCode is 403 or 404)
        {
            // Created meanwhile, or the namespace is terminating / gone.
        }
    }
}
