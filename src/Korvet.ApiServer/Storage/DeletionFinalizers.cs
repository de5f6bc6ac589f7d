namespace Korvet.ApiServer.Storage;

/// <summary>What a delete without a propagation policy does to dependents (upstream's rest.GarbageCollectionPolicy).</summary>
public enum GarbageCollectionPolicy
{
    /// <summary>Dependents are deleted by the garbage collector (background unless asked otherwise).</summary>
    DeleteDependents,

    /// <summary>Dependents keep existing and lose their owner reference (core/v1 ReplicationController, batch/v1 Job).</summary>
    OrphanDependents,

    /// <summary>Propagation policies are ignored: no orphan/foregroundDeletion finalizers are ever added (Events).</summary>
    Unsupported,
}

/// <summary>
/// The garbage-collection finalizers a delete leaves on an object (upstream's deletionFinalizersForGarbageCollection,
/// shouldOrphanDependents and shouldDeleteDependents): an explicit policy wins, then an existing finalizer, then the
/// kind's default. Pure; the store calls it only before deletion has started (options cannot change them afterwards).
/// </summary>
public static class DeletionFinalizers
{
    public const string Orphan = "orphan";
    public const string Foreground = "foregroundDeletion";

    /// <summary>
    /// The finalizers after a delete with <paramref name="policy"/> ("Orphan", "Background", "Foreground" or null) of an
    /// object carrying <paramref name="current"/>. Returns <paramref name="current"/> itself when nothing changes as a set.
    /// </summary>
    public static IReadOnlyList<string> ForDelete(IReadOnlyList<string> current, string? policy, GarbageCollectionPolicy kindDefault)
    {
        if (kindDefault == GarbageCollectionPolicy.Unsupported)
        {
            return current;
        }

        bool orphan = policy switch
        {
            "Orphan" => true,
            "Background" or "Foreground" => false,
            _ => current.Contains(Orphan) || (!current.Contains(Foreground) && kindDefault == GarbageCollectionPolicy.OrphanDependents),
        };
        bool foreground = policy switch
        {
            "Foreground" => true,
            "Background" or "Orphan" => false,
            _ => current.Contains(Foreground),
        };

        // Upstream validation forbids both; an existing orphan finalizer wins over an existing foreground one.
        foreground &= !orphan;
        var next = current.Where(f => f is not (Orphan or Foreground)).ToList();
        if (orphan)
        {
            next.Add(Orphan);
        }

        if (foreground)
        {
            next.Add(Foreground);
        }

        return next.ToHashSet().SetEquals(current) ? current : next;
    }
}
