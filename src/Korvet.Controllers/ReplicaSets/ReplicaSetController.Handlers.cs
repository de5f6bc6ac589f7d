using Korvet.Api.Core.V1;
using Korvet.Api.Meta.V1;
using Korvet.Client.Cache;

namespace Korvet.Controllers.ReplicaSets;

/// <summary>
/// Informer handlers: they run on the informers' dispatch loops, only enqueue keys and lower expectations, and never
/// call the API.
/// </summary>
public sealed partial class ReplicaSetController<T>
{
    private void AddOwner(T obj) => _queue.Add(PodState.Key(obj.Metadata));

    private void UpdateOwner(T old, T cur)
    {
        if (old.Metadata?.Uid != cur.Metadata?.Uid)
        {
            DeleteOwner(old);
        }

        _queue.Add(PodState.Key(cur.Metadata));
    }

    private void DeleteOwner(T obj)
    {
        string key = PodState.Key(obj.Metadata);
        Expectations.Delete(key);
        _queue.Add(key);
    }

    private void AddPod(Pod pod)
    {
        if (pod.Metadata?.DeletionTimestamp is not null)
        {
            // Seen for the first time already terminating (e.g. after a restart): count it as the deletion it is.
            DeletePod(pod);
            return;
        }

        if (PodState.ControllerOf(pod.Metadata) is OwnerReference owner)
        {
            if (Resolve(pod.Metadata?.Namespace, owner) is T set)
            {
                string key = PodState.Key(set.Metadata);
                Expectations.CreationObserved(key);
                _queue.Add(key);
            }

            return;
        }

        foreach (T set in MatchingOwners(pod))
        {
            _queue.Add(PodState.Key(set.Metadata));
        }
    }

    private void UpdatePod(Pod old, Pod cur)
    {
        if (old.Metadata?.ResourceVersion == cur.Metadata?.ResourceVersion)
        {
            return;
        }

        bool labelsChanged = !SameLabels(old.Metadata?.Labels, cur.Metadata?.Labels);
        if (cur.Metadata?.DeletionTimestamp is not null)
        {
            // Graceful deletion started: the controller may replace the pod now instead of waiting for it to vanish.
            DeletePod(cur);
            if (labelsChanged)
            {
                DeletePod(old);
            }

            return;
        }

        OwnerReference? curOwner = PodState.ControllerOf(cur.Metadata);
        OwnerReference? oldOwner = PodState.ControllerOf(old.Metadata);
        bool ownerChanged = curOwner?.Uid != oldOwner?.Uid;
        if (ownerChanged && oldOwner is not null && Resolve(old.Metadata?.Namespace, oldOwner) is T previous)
        {
            _queue.Add(PodState.Key(previous.Metadata));
        }

        if (curOwner is not null)
        {
            if (Resolve(cur.Metadata?.Namespace, curOwner) is T set)
            {
                string key = PodState.Key(set.Metadata);
                _queue.Add(key);
                int minReady = _adapter.View(set).MinReadySeconds;
                if (minReady > 0 && !PodState.IsReady(old) && PodState.IsReady(cur))
                {
                    // Re-check availability once the pod has been ready for minReadySeconds.
                    _queue.AddAfter(key, TimeSpan.FromSeconds(minReady));
                }
            }

            return;
        }

        if (labelsChanged || ownerChanged)
        {
            foreach (T set in MatchingOwners(cur))
            {
                _queue.Add(PodState.Key(set.Metadata));
            }
        }
    }

    private void DeletePod(Pod pod)
    {
        if (PodState.ControllerOf(pod.Metadata) is not OwnerReference owner || Resolve(pod.Metadata?.Namespace, owner) is not T set)
        {
            return;
        }

        string key = PodState.Key(set.Metadata);
        Expectations.DeletionObserved(key, PodState.Key(pod.Metadata));
        _queue.Add(key);
    }

    /// <summary>The cached owner a controller reference points to, when it is of this controller's kind and uid.</summary>
    private T? Resolve(string? ns, OwnerReference owner)
    {
        if (owner.Kind != _adapter.Kind)
        {
            return null;
        }

        T? set = _informer.Store.Get(ns, owner.Name);
        return set?.Metadata?.Uid == owner.Uid ? set : null;
    }

    /// <summary>Sets of the pod's namespace whose selector matches the (orphan) pod's labels.</summary>
    private IEnumerable<T> MatchingOwners(Pod pod)
    {
        IReadOnlyDictionary<string, string> labels = pod.Metadata?.Labels ?? new Dictionary<string, string>();
        if (labels.Count == 0)
        {
            return [];
        }

        return _informer.Store.ByIndex(Store<T>.NamespaceIndex, pod.Metadata?.Namespace ?? "")
            .Where(s => _adapter.View(s).Selector is { IsNothing: false } selector && selector.Matches(labels));
    }

    private static bool SameLabels(Dictionary<string, string>? a, Dictionary<string, string>? b)
    {
        if ((a?.Count ?? 0) != (b?.Count ?? 0))
        {
            return false;
        }

        return a is null || a.All(kv => b!.TryGetValue(kv.Key, out string? v) && v == kv.Value);
    }
}
