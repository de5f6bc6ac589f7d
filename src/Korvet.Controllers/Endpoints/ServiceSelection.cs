using Korvet.Api.Core.V1;
using Korvet.Client.Cache;
using Korvet.Client.Queue;

namespace Korvet.Controllers.Endpoints;

/// <summary>Which pods a service selects and which services select a pod (map selectors, as Services use). Pure over caches.</summary>
public static class ServiceSelection
{
    /// <summary>True when every selector entry is among the labels (a null selector selects nothing here: callers skip it).</summary>
    public static bool Selects(Dictionary<string, string>? selector, Dictionary<string, string>? labels) =>
        selector is not null && selector.All(p => labels is not null && labels.TryGetValue(p.Key, out string? v) && v == p.Value);

    /// <summary>The pods of the service's namespace its selector matches.</summary>
    public static List<Pod> PodsFor(Service service, Store<Pod> pods) =>
        pods.ByIndex(Store<Pod>.NamespaceIndex, service.Metadata?.Namespace ?? "")
            .Where(p => Selects(service.Spec?.Selector, p.Metadata?.Labels))
            .ToList();

    /// <summary>Keys (<c>ns/name</c>) of the services in the pod's namespace whose selector matches the pod.</summary>
    public static IEnumerable<string> ServiceKeysFor(Pod pod, Store<Service> services) =>
        services.ByIndex(Store<Service>.NamespaceIndex, pod.Metadata?.Namespace ?? "")
            .Where(s => Selects(s.Spec?.Selector, pod.Metadata?.Labels))
            .Select(s => ObjectKey.Of(s));

    /// <summary>
    /// Registers the pod handler both endpoints controllers use: a pod's add, update (old and new labels) or delete
    /// enqueues the key of every Service whose selector matches it.
    /// </summary>
    public static void EnqueueServicesOfPods(SharedIndexInformer<Pod> pods, Store<Service> services, WorkQueue<string> queue)
    {
        void Changed(Pod pod)
        {
            foreach (string key in ServiceKeysFor(pod, services))
            {
                queue.Add(key);
            }
        }

        pods.AddEventHandler(onAdd: Changed, onUpdate: (old, pod) =>
        {
            Changed(old);
            Changed(pod);
        }, onDelete: Changed);
    }
}
