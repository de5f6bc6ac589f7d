using System.Collections.Concurrent;
using Korvet.Api.Core.V1;
using Korvet.Api.Meta.V1;
using Korvet.Client;

namespace Korvet.Controllers.Tests.StatefulSets;

/// <summary>One observed pod change, in watch (resourceVersion) order.</summary>
public sealed record PodChange(WatchEventType Type, string Name, string Uid, bool Ready, bool Deleting, string Image);

/// <summary>
/// Watches pods matching a selector from the moment it starts and keeps every change in order, so tests can assert on
/// the order the controller acted in (a pod created only after its predecessor became ready; deletions highest first).
/// </summary>
public sealed class PodRecorder : IAsyncDisposable
{
    private readonly ConcurrentQueue<PodChange> _changes = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private PodRecorder(KubernetesClient client, string ns, string selector, string resourceVersion)
    {
        _loop = Task.Run(async () =>
        {
            try
            {
                await foreach (WatchEvent<Pod> e in client.Resource<Pod>().WatchAsync(ns,
                    new ListOptions { LabelSelector = selector, ResourceVersion = resourceVersion, TimeoutSeconds = 600 }, _stop.Token))
                {
                    if (e.Type == WatchEventType.Bookmark)
                    {
                        continue;
                    }

                    Pod p = e.Object;
                    _changes.Enqueue(new PodChange(e.Type, p.Metadata?.Name ?? "", p.Metadata?.Uid ?? "",
                        p.Status?.Conditions?.Any(c => c is { Type: "Ready", Status: "True" }) == true && p.Status?.Phase == "Running",
                        p.Metadata?.DeletionTimestamp is not null, p.Spec?.Containers?.FirstOrDefault()?.Image ?? ""));
                }
            }
            catch (OperationCanceledException)
            {
                // stopped
            }
        });
    }

    public IReadOnlyList<PodChange> Changes => [.. _changes];

    /// <summary>Starts recording from the current state (existing pods are not replayed).</summary>
    public static async Task<PodRecorder> StartAsync(KubernetesClient client, string ns, string selector)
    {
        ResourceList<Pod> list = await client.Resource<Pod>().ListAsync(ns, new ListOptions { LabelSelector = selector });
        return new PodRecorder(client, ns, selector, list.ResourceVersion);
    }

    /// <summary>Names in the order their deletion was first seen (deletionTimestamp set, or DELETED).</summary>
    public List<string> DeletionOrder() => [.. Changes.Where(c => c.Deleting || c.Type == WatchEventType.Deleted).Select(c => c.Name).Distinct()];

    /// <summary>Names in the order they were created (first ADDED per uid).</summary>
    public List<string> CreationOrder() => [.. Changes.Where(c => c.Type == WatchEventType.Added).Select(c => c.Name)];

    /// <summary>Index of the first change where <paramref name="name"/> was Running and Ready, or -1.</summary>
    public int FirstReady(string name) => Changes.ToList().FindIndex(c => c.Name == name && c.Ready && !c.Deleting);

    /// <summary>Index of the first ADDED of <paramref name="name"/> after <paramref name="from"/>, or -1.</summary>
    public int FirstAdded(string name, int from = 0)
    {
        List<PodChange> all = [.. Changes];
        for (int i = from; i < all.Count; i++)
        {
            if (all[i].Name == name && all[i].Type == WatchEventType.Added)
            {
                return i;
            }
        }

        return -1;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _loop;
        }
        catch (Exception e) when (e is HttpRequestException or IOException or ApiException)
        {
            // The watch ended with the test.
        }

        _stop.Dispose();
    }
}
