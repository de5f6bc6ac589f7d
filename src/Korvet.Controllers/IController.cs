namespace Korvet.Controllers;

/// <summary>
/// One controller of the controller manager. Contract: the constructor gets its informers from
/// <see cref="ControllerContext.Informers"/> and registers its event handlers (which only enqueue keys), so that the
/// manager can start all informers once every controller is constructed; <see cref="RunAsync"/> then runs the workers
/// until the token fires (the caches have synced before it is called).
/// </summary>
public interface IController
{
    string Name { get; }

    Task RunAsync(CancellationToken ct);
}
