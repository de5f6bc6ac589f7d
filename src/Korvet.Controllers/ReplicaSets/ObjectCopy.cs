using Korvet.Api.Serialization;

namespace Korvet.Controllers.ReplicaSets;

/// <summary>Deep copies of API objects (informer caches hand out shared instances that must not be mutated).</summary>
public static class ObjectCopy
{
    public static T Clone<T>(T obj)
        where T : class => ApiJson.Deserialize<T>(ApiJson.SerializeToUtf8Bytes(obj));
}
