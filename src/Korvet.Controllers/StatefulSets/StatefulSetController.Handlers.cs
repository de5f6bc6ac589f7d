using Korvet.Api;
using Korvet.Api.Apps.V1;
using Korvet.Api.Core.V1;
using Korvet.Api.Meta.V1;
using Korvet.Client.Cache;
using Korvet.Controllers.ReplicaSets;

namespace Korvet.Controllers.StatefulSets;

/// <summary>Informer handlers: they run on the informers' dispatch loops, only enqueue keys, never call the API.</summary>
public sealed partial class StatefulSetController
{
    private void Enqueue(IKubernetesObject obj) => _queue.Add(PodState.Key(obj.Metadata));

    private void AddPod(Pod pod)
    {
        if (PodState.ControllerOf(pod.Metadata) is OwnerReference owner)
        {
            if (Resolve(pod.Metadata?.Namespace, owner) is StatefulSet set)
            {
                Enqueue(set);
            }

            return;
        }

        foreach (StatefulSet set in MatchingSets(pod.Metadata))
        {
            Enqueue(set);
        }
    }

    private void UpdatePod(Pod old, Pod cur)
    {
        if (old.Metadata?.ResourceVersion == cur.Metadata?.ResourceVersion)
        {
            return;
        }

        OwnerReference? curOwner = PodState.ControllerOf(cur.Metadata);
        OwnerReference? oldOwner = PodState.ControllerOf(old.Metadata);
        if (curOwner?.Uid != oldOwner?.Uid && oldOwner is not null && Resolve(old.Metadata?.Namespace, oldOwner) is StatefulSet previous)
        {
            Enqueue(previous);
        }

        if (curOwner is not null)
        {
            if (Resolve(cur.Metadata?.Namespace, curOwner) is StatefulSet set)
            {
                Enqueue(set);
                int minReady = set.Spec?.MinReadySeconds ?? 0;
                if (minReady > 0 && !PodState.IsReady(old) && PodState.IsReady(cur))
                {
                    // Re-check availability once the pod has been ready for minReadySeconds.
                    _queue.AddAfter(PodState.Key(set.Metadata), TimeSpan.FromSeconds(minReady));
                }
            }

            return;
        }

        foreach (StatefulSet set in MatchingSets(cur.Metadata))
        {
            Enqueue(set);
        }
    }

    private void DeletePod(Pod pod)
    {
        if (PodState.ControllerOf(pod.Metadata) is OwnerReference owner && Resolve(pod.Metadata?.Namespace, owner) is StatefulSet set)
        {
            Enqueue(set);
        }
    }

    private void AddRevision(ControllerRevision revision)
    {
        if (PodState.ControllerOf(revision.Metadata) is OwnerReference owner)
        {
            if (Resolve(revision.Metadata?.Namespace, owner) is StatefulSet set)
            {
                Enqueue(set);
            }

            return;
        }

        foreach (StatefulSet set in MatchingSets(revision.Metadata))
        {
            Enqueue(set);
        }
    }

    /// <summary>The cached StatefulSet a controller reference points to (same uid), or null.</summary>
    private StatefulSet? Resolve(string? ns, OwnerReference owner)
    {
        if (owner.Kind != "StatefulSet")
        {
            return null;
        }

        StatefulSet? set = _sets.Store.Get(ns, owner.Name);
        return set?.Metadata?.Uid == owner.Uid ? set : null;
    }

    /// <summary>Sets of the namespace whose selector matches the (orphan) object's labels.</summary>
    private IEnumerable<StatefulSet> MatchingSets(ObjectMeta? meta)
    {
        IReadOnlyDictionary<string, string> labels = meta?.Labels ?? new Dictionary<string, string>();
        if (labels.Count == 0)
        {
            return [];
        }

        return _sets.Store.ByIndex(Store<StatefulSet>.NamespaceIndex, meta?.Namespace ?? "")
            .Where(s => ReplicaSetAdapter.Selector(s.Spec?.Selector) is { IsNothing: false } selector && selector.Matches(labels));
    }
}
