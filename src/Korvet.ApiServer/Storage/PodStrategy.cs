using System.Text.Json.Nodes;
using Korvet.ApiServer.Registry;

namespace Korvet.ApiServer.Storage;

/// <summary>
/// Pods: a new pod starts <c>Pending</c> with its QoS class; deletes are graceful for pods bound to a node and not
/// yet terminal (grace = the request's, else spec.terminationGracePeriodSeconds, else 30 s), immediate otherwise —
/// upstream's pod strategy rules. Validation and full defaulting come with the typed API.
/// </summary>
public sealed class PodStrategy : DefaultStrategy
{
    private const long DefaultGraceSeconds = 30;

    /// <summary>Deleting a pod answers with the pod, like upstream.</summary>
    public override bool ReturnDeletedObject => true;

    public override void PrepareForCreate(ResourceDefinition resource, JsonObject obj)
    {
        obj["status"] = new JsonObject { ["phase"] = "Pending", ["qosClass"] = QosClass(obj["spec"] as JsonObject) };
    }

    public override long GracePeriodSeconds(ResourceDefinition resource, JsonObject obj, long? requested)
    {
        string nodeName = (string?)obj["spec"]?["nodeName"] ?? "";
        string phase = (string?)obj["status"]?["phase"] ?? "";
        if (nodeName.Length == 0 || phase is "Succeeded" or "Failed")
        {
            return 0;
        }

        long grace = requested ?? (obj["spec"]?["terminationGracePeriodSeconds"] is JsonValue v && v.TryGetValue(out long g) ? g : DefaultGraceSeconds);
        return Math.Max(0, grace);
    }

    /// <summary>BestEffort without any requests/limits; Guaranteed when every container limits cpu and memory with
    /// requests equal to limits; Burstable otherwise.</summary>
    private static string QosClass(JsonObject? spec)
    {
        var containers = new List<JsonObject>();
        foreach (string list in new[] { "containers", "initContainers" })
        {
            if (spec?[list] is JsonArray array)
            {
                containers.AddRange(array.OfType<JsonObject>());
            }
        }

        bool any = false;
        bool guaranteed = containers.Count > 0;
        foreach (JsonObject c in containers)
        {
            var requests = c["resources"]?["requests"] as JsonObject;
            var limits = c["resources"]?["limits"] as JsonObject;
            any |= requests is { Count: > 0 } || limits is { Count: > 0 };
            foreach (string name in new[] { "cpu", "memory" })
            {
                string? limit = (string?)limits?[name]?.ToString();
                string? request = (string?)requests?[name]?.ToString() ?? limit;
                guaranteed &= limit is not null && request == limit;
            }
        }

        return !any ? "BestEffort" : guaranteed ? "Guaranteed" : "Burstable";
    }
}
