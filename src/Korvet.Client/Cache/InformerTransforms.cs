using Korvet.Api;

namespace Korvet.Client.Cache;

/// <summary>Transforms for <see cref="SharedIndexInformer{T}"/> (client-go's informer transform funcs).</summary>
public static class InformerTransforms
{
    /// <summary>
    /// Drops <c>metadata.managedFields</c> (upstream's TransformStripManagedFields, used by kube-controller-manager and
    /// kube-scheduler): they are the bulk of most objects and no controller reads them; the API server keeps the live
    /// entries when an update leaves them out. Mutates and returns the freshly decoded object.
    /// </summary>
    public static T StripManagedFields<T>(T obj)
        where T : class, IKubernetesObject
    {
        if (obj.Metadata is { ManagedFields: not null } meta)
        {
            meta.ManagedFields = null;
        }

        return obj;
    }
}
