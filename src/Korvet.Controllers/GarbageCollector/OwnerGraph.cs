using Korvet.Api.Meta.V1;

namespace Korvet.Controllers.GarbageCollector;

/// <summary>Who an object is: enough to find it again (apiVersion, kind, namespace, name) and to tell it apart (uid).</summary>
public sealed record GcIdentity(string ApiVersion, string Kind, string Namespace, string Name, string Uid)
{
    public override string ToString() => $"{Kind} {Namespace}/{Name} ({Uid})";
}

/// <summary>What the graph knows of one object's deletion state, from its metadata.</summary>
public enum DeletionState
{
    Live,
    /// <summary>deletionTimestamp set, no garbage-collector finalizer to act on.</summary>
    BeingDeleted,
    /// <summary>deletionTimestamp and the <c>foregroundDeletion</c> finalizer: its dependents go first.</summary>
    DeletingDependents,
    /// <summary>deletionTimestamp and the <c>orphan</c> finalizer: its dependents lose their reference to it.</summary>
    Orphaning,
}

/// <summary>A read-only copy of one node, safe to use outside the graph's lock.</summary>
public sealed record GcNodeView(GcIdentity Identity, bool Virtual, DeletionState State, IReadOnlyList<OwnerReference> Owners,
    IReadOnlyList<GcDependentView> Dependents);

/// <summary>A dependent of a node and whether its reference to that node blocks the node's foreground deletion.</summary>
public sealed record GcDependentView(GcIdentity Identity, DeletionState State, bool BlocksOwner);

/// <summary>Which queue an object goes to after a graph change.</summary>
public sealed record GcWork(IReadOnlyCollection<string> AttemptToDelete, IReadOnlyCollection<string> AttemptToOrphan);

/// <summary>
/// The owner/dependent graph of every object with owner references and of every owner named by one (upstream's
/// GraphBuilder uidToNode). Nodes are keyed by uid; owners seen only through references are "virtual" until observed.
/// Each change returns the uids whose garbage-collection state may have changed. Not thread-safe: the collector calls it
/// under one lock.
/// </summary>
public sealed class OwnerGraph
{
    private readonly Dictionary<string, Node> _nodes = new(StringComparer.Ordinal);

    public int Count => _nodes.Count;

    /// <summary>An object was added or updated (from any resource's watch).</summary>
    public GcWork Observe(GcIdentity identity, ObjectMeta meta)
    {
        var attemptToDelete = new HashSet<string>(StringComparer.Ordinal);
        var attemptToOrphan = new HashSet<string>(StringComparer.Ordinal);
        DeletionState state = StateOf(meta);
        List<OwnerReference> owners = meta.OwnerReferences?.Where(o => o.Uid.Length > 0).ToList() ?? [];
        if (!_nodes.TryGetValue(identity.Uid, out Node? node))
        {
            if (owners.Count == 0 && state is DeletionState.Live or DeletionState.BeingDeleted)
            {
                // Neither a dependent nor an owner anyone waits on: not worth a node (most objects).
                return new GcWork([], []);
            }

            node = new Node(identity) { Virtual = false };
            _nodes[identity.Uid] = node;
            LinkOwners(node, owners, identity.Namespace, attemptToDelete);

            // A new dependent may already be garbage (its owner gone): check it once.
            if (owners.Count > 0)
            {
                attemptToDelete.Add(identity.Uid);
            }
        }
        else
        {
            if (node.Virtual)
            {
                // The referenced owner exists after all; its dependents are re-checked with the real identity.
                node.Virtual = false;
                attemptToDelete.Add(identity.Uid);
            }

            node.Identity = identity;
            var added = owners.Where(o => node.Owners.All(p => p.Uid != o.Uid)).ToList();
            var removed = node.Owners.Where(p => owners.All(o => o.Uid != p.Uid)).ToList();
            foreach (OwnerReference gone in removed)
            {
                if (_nodes.TryGetValue(gone.Uid, out Node? owner))
                {
                    owner.Dependents.Remove(node);
                    attemptToDelete.Add(owner.Identity.Uid);
                    RemoveIfUnneeded(owner);
                }
            }

            LinkOwners(node, added, identity.Namespace, attemptToDelete);
            foreach (OwnerReference changed in owners.Where(o => node.Owners.Any(p => p.Uid == o.Uid && p.BlockOwnerDeletion != o.BlockOwnerDeletion)))
            {
                // blockOwnerDeletion was dropped or set: a foreground owner re-evaluates what it waits for.
                attemptToDelete.Add(changed.Uid);
            }

            if (added.Count > 0)
            {
                attemptToDelete.Add(identity.Uid);
            }
        }

        node.Owners = owners;
        DeletionState before = node.State;
        node.State = state;
        if (state == DeletionState.DeletingDependents && (before != state || node.Dependents.Count == 0))
        {
            attemptToDelete.Add(identity.Uid);
            foreach (Node dependent in node.Dependents)
            {
                attemptToDelete.Add(dependent.Identity.Uid);
            }
        }
        else if (state == DeletionState.Orphaning)
        {
            attemptToOrphan.Add(identity.Uid);
        }

        RemoveIfUnneeded(node);
        return new GcWork(attemptToDelete, attemptToOrphan);
    }

    /// <summary>An object was deleted (or found absent): its dependents and waiting owners are re-checked.</summary>
    public GcWork Remove(string uid)
    {
        var attemptToDelete = new HashSet<string>(StringComparer.Ordinal);
        if (!_nodes.TryGetValue(uid, out Node? node))
        {
            return new GcWork([], []);
        }

        foreach (Node dependent in node.Dependents)
        {
            attemptToDelete.Add(dependent.Identity.Uid);
        }

        foreach (OwnerReference ownerRef in node.Owners)
        {
            if (_nodes.TryGetValue(ownerRef.Uid, out Node? owner))
            {
                owner.Dependents.Remove(node);
                if (owner.State == DeletionState.DeletingDependents || owner.Virtual)
                {
                    attemptToDelete.Add(owner.Identity.Uid);
                }

                RemoveIfUnneeded(owner);
            }
        }

        if (node.Dependents.Count > 0)
        {
            // Dependents still reference this uid: keep it as a virtual owner so they can be found from it.
            node.Virtual = true;
            node.Owners = [];
            node.State = DeletionState.Live;
        }
        else
        {
            _nodes.Remove(uid);
        }

        return new GcWork(attemptToDelete, []);
    }

    /// <summary>A copy of the node, or null when the graph does not know the uid.</summary>
    public GcNodeView? Get(string uid)
    {
        if (!_nodes.TryGetValue(uid, out Node? node))
        {
            return null;
        }

        var dependents = node.Dependents.Select(d => new GcDependentView(d.Identity, d.State,
            d.Owners.Any(o => o.Uid == uid && o.BlockOwnerDeletion == true))).ToList();
        return new GcNodeView(node.Identity, node.Virtual, node.State, [.. node.Owners], dependents);
    }

    /// <summary>Upstream's state from metadata: deletionTimestamp plus the garbage-collector finalizers.</summary>
    public static DeletionState StateOf(ObjectMeta meta)
    {
        if (meta.DeletionTimestamp is null)
        {
            return DeletionState.Live;
        }

        List<string> finalizers = meta.Finalizers ?? [];
        return finalizers.Contains("foregroundDeletion") ? DeletionState.DeletingDependents
            : finalizers.Contains("orphan") ? DeletionState.Orphaning
            : DeletionState.BeingDeleted;
    }

    private void LinkOwners(Node node, IEnumerable<OwnerReference> owners, string dependentNamespace, HashSet<string> attemptToDelete)
    {
        foreach (OwnerReference ownerRef in owners)
        {
            if (!_nodes.TryGetValue(ownerRef.Uid, out Node? owner))
            {
                // Namespaced dependents can only have owners in their namespace or cluster-scoped ones; the
                // collector resolves which when it looks the owner up.
                owner = new Node(new GcIdentity(ownerRef.ApiVersion, ownerRef.Kind, dependentNamespace, ownerRef.Name, ownerRef.Uid)) { Virtual = true };
                _nodes[ownerRef.Uid] = owner;
                attemptToDelete.Add(ownerRef.Uid);
            }

            owner.Dependents.Add(node);
            if (owner.State == DeletionState.DeletingDependents)
            {
                attemptToDelete.Add(ownerRef.Uid);
            }
        }
    }

    private void RemoveIfUnneeded(Node node)
    {
        if (node.Dependents.Count == 0 && node.Owners.Count == 0 && node.State is DeletionState.Live or DeletionState.BeingDeleted)
        {
            _nodes.Remove(node.Identity.Uid);
        }
    }

    private sealed class Node(GcIdentity identity)
    {
        public GcIdentity Identity { get; set; } = identity;

        public bool Virtual { get; set; }

        public DeletionState State { get; set; }

        public List<OwnerReference> Owners { get; set; } = [];

        public HashSet<Node> Dependents { get; } = [];
    }
}
