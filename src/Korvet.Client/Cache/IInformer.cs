namespace Korvet.Client.Cache;

/// <summary>What <see cref="SharedInformerFactory"/> needs of an informer of any type.</summary>
public interface IInformer
{
    bool HasSynced { get; }

    Task RunAsync(CancellationToken ct);

    Task WaitForCacheSyncAsync(CancellationToken ct);

    /// <summary>Removes the handlers registered through this informer (a view's; see <see cref="SharedIndexInformer{T}.CreateView"/>).</summary>
    void Detach();
}
