namespace Korvet.Controllers;

/// <summary>Settings of kube-controller-manager that controllers read. Immutable; add a property per setting.</summary>
/// <param name="ConcurrentSyncs">Workers per controller (upstream's --concurrent-*-syncs, default 5).</param>
public sealed record ControllerManagerOptions(int ConcurrentSyncs = 5);
