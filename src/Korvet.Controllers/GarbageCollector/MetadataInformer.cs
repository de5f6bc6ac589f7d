using Korvet.Api.Meta.V1;
using Korvet.Client;
using Microsoft.Extensions.Logging;

namespace Korvet.Controllers.GarbageCollector;

/// <summary>
/// List + watch of one resource's metadata for the garbage collector: every object is reported to
/// <c>onUpsert</c>, every deletion (watched, or found missing by a relist) to <c>onDelete</c> by uid. Resumes watches
/// from the last resourceVersion, relists on 410 and after errors (backoff 1 s → 30 s). A resource the server does not
/// serve (404/405 on the first list) counts as synced and is not retried. Callbacks run on this informer's loop only.
/// </summary>
internal sealed class MetadataInformer(MetadataClient client, Action<PartialObjectMetadata> onUpsert, Action<string> onDelete, ILogger logger)
{
    private readonly TaskCompletionSource _synced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly HashSet<string> _known = new(StringComparer.Ordinal);

    public Task Synced => _synced.Task;

    public async Task RunAsync(CancellationToken ct)
    {
        TimeSpan backoff = TimeSpan.FromSeconds(1);
        while (!ct.IsCancellationRequested)
        {
            try
            {
                string rv = await RelistAsync(ct).ConfigureAwait(false);
                _synced.TrySetResult();
                backoff = TimeSpan.FromSeconds(1);
                while (!ct.IsCancellationRequested)
                {
                    var options = new ListOptions { ResourceVersion = rv, AllowWatchBookmarks = true, TimeoutSeconds = 300 };
                    await foreach (WatchEvent<PartialObjectMetadata> e in client.WatchAsync(null, options, ct).ConfigureAwait(false))
                    {
                        rv = e.Object.Metadata?.ResourceVersion is { Length: > 0 } next ? next : rv;
                        string uid = e.Object.Metadata?.Uid ?? "";
                        switch (e.Type)
                        {
                            case WatchEventType.Added or WatchEventType.Modified when uid.Length > 0:
                                _known.Add(uid);
                                onUpsert(e.Object);
                                break;
                            case WatchEventType.Deleted when uid.Length > 0:
                                _known.Remove(uid);
                                onDelete(uid);
                                break;
                        }
                    }
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (ApiException e) when (e.IsGone)
            {
                // Too old: relist at once.
            }
            catch (ApiException e) when (!_synced.Task.IsCompleted && (int)e.StatusCode is 404 or 405)
            {
                _synced.TrySetResult();
                return;
            }
            catch (Exception e)
            {
                if (logger.IsEnabled(LogLevel.Warning))
                {
                    logger.LogWarning(e, "metadata watch of {Resource} failed; relisting", client.Kind.Plural);
                }

                await Task.Delay(backoff, ct).ConfigureAwait(false);
                backoff = TimeSpan.FromSeconds(Math.Min(30, backoff.TotalSeconds * 2));
            }
        }
    }

    private async Task<string> RelistAsync(CancellationToken ct)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        string? next = null;
        string rv;
        do
        {
            ResourceList<PartialObjectMetadata> page = await client.ListAsync(null, new ListOptions { Limit = 500, Continue = next }, ct).ConfigureAwait(false);
            foreach (PartialObjectMetadata item in page.Items)
            {
                if (item.Metadata?.Uid is { Length: > 0 } uid)
                {
                    seen.Add(uid);
                    onUpsert(item);
                }
            }

            rv = page.ResourceVersion;
            next = page.Continue;
        }
        while (next is not null);

        foreach (string gone in _known.Where(u => !seen.Contains(u)).ToList())
        {
            onDelete(gone);
        }

        _known.Clear();
        _known.UnionWith(seen);
        return rv;
    }
}
