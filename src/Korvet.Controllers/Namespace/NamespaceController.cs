using Korvet.Api.Discovery;
using Korvet.Api.Meta.V1;
using Korvet.Client;
using Korvet.Client.Cache;
using Korvet.Client.Queue;
using Microsoft.Extensions.Logging;
using CoreNamespace = Korvet.Api.Core.V1.Namespace;

namespace Korvet.Controllers.Namespace;

/// <summary>
/// The namespace controller (upstream's pkg/controller/namespace): for a namespace with a deletionTimestamp it keeps
/// phase Terminating, deletes every namespaced resource in it (deletecollection per resource, Background), records the
/// deletion conditions, and once nothing is left removes the <c>kubernetes</c> finalizer through the <c>finalize</c>
/// subresource and deletes the namespace (uid precondition). While content remains (pods terminating gracefully,
/// finalizers pending) the namespace is re-checked with backoff. Idempotent; reads live state before each write.
/// </summary>
public sealed class NamespaceController : IController
{
    public const string KubernetesFinalizer = "kubernetes";

    private readonly ControllerContext _context;
    private readonly ILogger _logger;
    private readonly SharedIndexInformer<CoreNamespace> _namespaces;
    private readonly WorkQueue<string> _queue;
    private readonly MetadataClient _namespaceClient;
    private readonly IReadOnlyList<MetadataClient> _contents;

    public NamespaceController(ControllerContext context)
    {
        _context = context;
        _logger = context.LoggerFactory.CreateLogger<NamespaceController>();
        _queue = new WorkQueue<string>(time: context.Time);
        _namespaceClient = new MetadataClient(context.Client, BuiltinKinds.Get<CoreNamespace>());
        _contents = ContentKinds().Select(k => new MetadataClient(context.Client, k)).ToList();
        _namespaces = context.Informers.For<CoreNamespace>();
        _namespaces.AddEventHandler(onAdd: Enqueue, onUpdate: (_, ns) => Enqueue(ns));
    }

    public string Name => "namespace-controller";

    /// <summary>Namespaced built-in resources that hold content (not request-only kinds), one version per resource.</summary>
    public static IReadOnlyList<BuiltinKind> ContentKinds()
    {
        var seen = new HashSet<(string, string)>();
        return BuiltinKinds.All
            .Where(k => k.Namespaced && k.Plural is not ("bindings" or "localsubjectaccessreviews") && seen.Add((k.Group, k.Plural)))
            .ToList();
    }

    public Task RunAsync(CancellationToken ct) =>
        QueueWorkers.RunAsync(_queue, Math.Max(1, _context.Options.ConcurrentSyncs), SyncAsync, _logger, ct);

    private void Enqueue(CoreNamespace ns)
    {
        if (ns.Metadata?.DeletionTimestamp is not null && ns.Metadata.Name is { } name)
        {
            _queue.Add(name);
        }
    }

    private async Task SyncAsync(string name, CancellationToken ct)
    {
        ResourceClient<CoreNamespace> namespaces = _context.Client.Resource<CoreNamespace>();
        CoreNamespace? ns = await namespaces.TryGetAsync(name, null, ct).ConfigureAwait(false);
        if (ns?.Metadata?.DeletionTimestamp is null)
        {
            return;
        }

        if (ns.Spec?.Finalizers is not { Count: > 0 })
        {
            await DeleteNamespaceAsync(ns, ct).ConfigureAwait(false);
            return;
        }

        if (!ns.Spec.Finalizers.Contains(KubernetesFinalizer))
        {
            return; // Another party's finalizer remains; this controller's part is done.
        }

        ContentStatus content = await DeleteContentAsync(name, ct).ConfigureAwait(false);
        ns = await UpdateStatusAsync(namespaces, ns, content, ct).ConfigureAwait(false);
        if (!content.Empty)
        {
            if (_logger.IsEnabled(LogLevel.Debug))
            {
                _logger.LogDebug("namespace {Namespace}: content remains ({Count} resources)", name, content.Remaining.Count);
            }

            _queue.AddAfter(name, TimeSpan.FromSeconds(Math.Min(15, 1 + _queue.NumRequeues(name))));
            return;
        }

        ns.Spec!.Finalizers = ns.Spec.Finalizers!.Where(f => f != KubernetesFinalizer).ToList();
        ns.Kind = "Namespace";
        ns.ApiVersion = "v1";
        await _namespaceClient.UpdateSubresourceAsync(name, null, "finalize", ns, ct).ConfigureAwait(false);
        if (ns.Spec.Finalizers.Count == 0)
        {
            await DeleteNamespaceAsync(ns, ct).ConfigureAwait(false);
        }
    }

    private async Task<ContentStatus> DeleteContentAsync(string ns, CancellationToken ct)
    {
        var remaining = new Dictionary<string, int>(StringComparer.Ordinal);
        var finalizers = new Dictionary<string, int>(StringComparer.Ordinal);
        var failures = new List<string>();
        var background = new DeleteOptions { PropagationPolicy = "Background" };
        foreach (MetadataClient client in _contents)
        {
            string resource = $"{client.Kind.Plural}.{client.Kind.Group}";
            try
            {
                ResourceList<PartialObjectMetadata> present = await client.ListAsync(ns, null, ct).ConfigureAwait(false);
                if (present.Items.Count == 0)
                {
                    continue;
                }

                try
                {
                    await client.DeleteCollectionAsync(ns, null, background, ct).ConfigureAwait(false);
                }
                catch (ApiException e) when ((int)e.StatusCode is 404 or 405)
                {
                    // No deletecollection: delete one by one.
                    foreach (PartialObjectMetadata item in present.Items.Where(i => i.Metadata?.DeletionTimestamp is null))
                    {
                        await DeleteIgnoringNotFoundAsync(client, item, background, ct).ConfigureAwait(false);
                    }
                }

                ResourceList<PartialObjectMetadata> left = await client.ListAsync(ns, null, ct).ConfigureAwait(false);
                if (left.Items.Count > 0)
                {
                    remaining[resource] = left.Items.Count;
                    foreach (string finalizer in left.Items.SelectMany(i => i.Metadata?.Finalizers ?? []))
                    {
                        finalizers[finalizer] = finalizers.GetValueOrDefault(finalizer) + 1;
                    }
                }
            }
            catch (ApiException e) when ((int)e.StatusCode is 404 or 405)
            {
                // Not served by this server: nothing of it can exist.
            }
            catch (ApiException e)
            {
                failures.Add($"{resource}: {e.Message}");
            }
        }

        return new ContentStatus(remaining, finalizers, failures);
    }

    private static async Task DeleteIgnoringNotFoundAsync(MetadataClient client, PartialObjectMetadata item, DeleteOptions options, CancellationToken ct)
    {
        try
        {
            await client.DeleteAsync(item.Metadata!.Name!, item.Metadata.Namespace, options, ct).ConfigureAwait(false);
        }
        catch (ApiException e) when (e.IsNotFound)
        {
        }
    }

    private async Task<CoreNamespace> UpdateStatusAsync(ResourceClient<CoreNamespace> namespaces, CoreNamespace ns, ContentStatus content,
        CancellationToken ct)
    {
        ns.Status ??= new Api.Core.V1.NamespaceStatus();
        List<Api.Core.V1.NamespaceCondition>? merged = NamespaceConditions.Merge(ns.Status.Conditions,
            NamespaceConditions.For(content, _context.Time.GetUtcNow()));
        if (merged is null && ns.Status.Phase == "Terminating")
        {
            return ns;
        }

        ns.Status.Phase = "Terminating";
        ns.Status.Conditions = merged ?? ns.Status.Conditions;
        return await namespaces.UpdateStatusAsync(ns, ct).ConfigureAwait(false);
    }

    private async Task DeleteNamespaceAsync(CoreNamespace ns, CancellationToken ct)
    {
        try
        {
            await _context.Client.Resource<CoreNamespace>().DeleteAsync(ns.Metadata!.Name!, null,
                new DeleteOptions { Preconditions = new Preconditions { Uid = ns.Metadata.Uid } }, ct).ConfigureAwait(false);
        }
        catch (ApiException e) when (e.IsNotFound)
        {
        }
    }
}
