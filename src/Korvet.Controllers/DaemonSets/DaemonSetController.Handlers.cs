using Korvet.Api.Apps.V1;
using Korvet.Api.Core.V1;
using Korvet.Api.Meta.V1;
using Korvet.Client.Cache;
using Korvet.Controllers.ReplicaSets;

namespace Korvet.Controllers.DaemonSets;

/// <summary>Informer handlers: they run on the informers' dispatch loops, only enqueue keys and lower expectations.</summary>
public sealed partial class DaemonSetController
{
    private void Enqueue(DaemonSet ds) => _queue.Add(PodState.Key(ds.Metadata));

    private void EnqueueAll()
    {
        foreach (DaemonSet ds in _sets.Store.List())
        {
            Enqueue(ds);
        }
    }

    private void DeleteSet(DaemonSet ds)
    {
        string key = PodState.Key(ds.Metadata);
        Expectations.Delete(key);
        _queue.Add(key);
    }

    /// <summary>Only changes that can change eligibility (labels, taints, unschedulable) re-sync every set.</summary>
    private void UpdateNode(Node old, Node cur)
    {
        bool labels = !Same(old.Metadata?.Labels, cur.Metadata?.Labels);
        bool taints = !SameTaints(old.Spec?.Taints, cur.Spec?.Taints);
        if (labels || taints || old.Spec?.Unschedulable != cur.Spec?.Unschedulable)
        {
            EnqueueAll();
        }
    }

    private void AddPod(Pod pod)
    {
        if (pod.Metadata?.DeletionTimestamp is not null)
        {
            DeletePod(pod);
            return;
        }

        if (PodState.ControllerOf(pod.Metadata) is OwnerReference owner)
        {
            if (Resolve(pod.Metadata?.Namespace, owner) is DaemonSet ds)
            {
                string key = PodState.Key(ds.Metadata);
                Expectations.CreationObserved(key);
                _queue.Add(key);
            }

            return;
        }

        EnqueueMatching(pod);
    }

    private void UpdatePod(Pod old, Pod cur)
    {
        if (old.Metadata?.ResourceVersion == cur.Metadata?.ResourceVersion)
        {
            return;
        }

        if (cur.Metadata?.DeletionTimestamp is not null)
        {
            DeletePod(cur);
            return;
        }

        OwnerReference? curOwner = PodState.ControllerOf(cur.Metadata);
        OwnerReference? oldOwner = PodState.ControllerOf(old.Metadata);
        if (oldOwner is not null && oldOwner.Uid != curOwner?.Uid && Resolve(old.Metadata?.Namespace, oldOwner) is DaemonSet previous)
        {
            Enqueue(previous);
        }

        if (curOwner is null)
        {
            EnqueueMatching(cur);
            return;
        }

        if (Resolve(cur.Metadata?.Namespace, curOwner) is DaemonSet ds)
        {
            Enqueue(ds);
            int minReady = ds.Spec?.MinReadySeconds ?? 0;
            if (minReady > 0 && !PodState.IsReady(old) && PodState.IsReady(cur))
            {
                _queue.AddAfter(PodState.Key(ds.Metadata), TimeSpan.FromSeconds(minReady));
            }
        }
    }

    private void DeletePod(Pod pod)
    {
        if (PodState.ControllerOf(pod.Metadata) is not OwnerReference owner || Resolve(pod.Metadata?.Namespace, owner) is not DaemonSet ds)
        {
            return;
        }

        string key = PodState.Key(ds.Metadata);
        Expectations.DeletionObserved(key, PodState.Key(pod.Metadata));
        _queue.Add(key);
    }

    private DaemonSet? Resolve(string? ns, OwnerReference owner)
    {
        if (owner.Kind != "DaemonSet")
        {
            return null;
        }

        DaemonSet? ds = _sets.Store.Get(ns, owner.Name);
        return ds?.Metadata?.Uid == owner.Uid ? ds : null;
    }

    private void EnqueueMatching(Pod pod)
    {
        IReadOnlyDictionary<string, string> labels = pod.Metadata?.Labels ?? new Dictionary<string, string>();
        if (labels.Count == 0)
        {
            return;
        }

        foreach (DaemonSet ds in _sets.Store.ByIndex(Store<DaemonSet>.NamespaceIndex, pod.Metadata?.Namespace ?? ""))
        {
            if (ReplicaSetAdapter.Selector(ds.Spec?.Selector) is { IsNothing: false } selector && selector.Matches(labels))
            {
                Enqueue(ds);
            }
        }
    }

    private static bool Same(Dictionary<string, string>? a, Dictionary<string, string>? b) =>
        (a?.Count ?? 0) == (b?.Count ?? 0) && (a is null || a.All(kv => b!.TryGetValue(kv.Key, out string? v) && v == kv.Value));

    private static bool SameTaints(List<Taint>? a, List<Taint>? b) =>
        (a?.Count ?? 0) == (b?.Count ?? 0) &&
        (a is null || a.All(t => b!.Any(u => u.Key == t.Key && u.Value == t.Value && u.Effect == t.Effect)));
}
