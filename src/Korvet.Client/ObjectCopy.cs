using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Korvet.Api.Serialization;

namespace Korvet.Client;

/// <summary>Deep copies of typed API objects (through the source-generated JSON metadata), for changing an object read
/// from an informer cache without touching the shared cached instance.</summary>
public static class ObjectCopy
{
    public static T Clone<T>(T obj)
        where T : class
    {
        var info = (JsonTypeInfo<T>)ApiJson.TypeInfo(obj.GetType());
        return JsonSerializer.Deserialize(JsonSerializer.SerializeToUtf8Bytes(obj, info), info)!;
    }
}
