using System.Text.Json.Nodes;
using Korvet.ApiServer.Errors;
using Korvet.ApiServer.Registry;

namespace Korvet.ApiServer.Storage;

/// <summary>
/// Namespaces: DNS-1123 label names, <c>status.phase: Active</c> and the <c>kubernetes</c> finalizer on create; a
/// main-resource update keeps spec.finalizers and status (only the <c>finalize</c> and <c>status</c> subresources
/// change them). The first delete only marks the namespace (deletionTimestamp, phase Terminating); it goes away on a
/// delete once spec.finalizers is empty — the namespace controller empties it through <c>finalize</c> after removing the
/// content (upstream's namespace REST). The system namespaces cannot be deleted.
/// </summary>
public sealed class NamespaceStrategy : DefaultStrategy
{
    private static readonly HashSet<string> Immortal = ["default", "kube-system", "kube-public"];

    public override NameRule NameRule => NameRule.Dns1123Label;

    public override void PrepareForCreate(ResourceDefinition resource, JsonObject obj)
    {
        var spec = obj["spec"] as JsonObject ?? new JsonObject();
        obj["spec"] = spec;
        if (spec["finalizers"] is not JsonArray { Count: > 0 })
        {
            spec["finalizers"] = new JsonArray("kubernetes");
        }

        obj["status"] = new JsonObject { ["phase"] = "Active" };
    }

    public override void PrepareForUpdate(ResourceDefinition resource, JsonObject obj, JsonObject old)
    {
        var spec = obj["spec"] as JsonObject ?? new JsonObject();
        obj["spec"] = spec;
        spec.Remove("finalizers");
        if (old["spec"]?["finalizers"] is JsonArray finalizers)
        {
            spec["finalizers"] = finalizers.DeepClone();
        }

        obj.Remove("status");
        if (old["status"] is JsonNode status)
        {
            obj["status"] = status.DeepClone();
        }
    }

    public override bool HoldForTermination(JsonObject obj)
    {
        string name = (string?)obj["metadata"]?["name"] ?? "";
        if (Immortal.Contains(name))
        {
            throw new StatusException(403, "Forbidden", $"namespaces \"{name}\" is forbidden: this namespace may not be deleted",
                new StatusDetails(name, null, "namespaces"));
        }

        if (obj["metadata"]?["deletionTimestamp"] is null)
        {
            var status = obj["status"] as JsonObject ?? new JsonObject();
            obj["status"] = status;
            status["phase"] = "Terminating";
            return true;
        }

        return obj["spec"]?["finalizers"] is JsonArray { Count: > 0 };
    }
}
