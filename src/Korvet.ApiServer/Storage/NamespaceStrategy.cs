using System.Text.Json.Nodes;
using Korvet.ApiServer.Registry;

namespace Korvet.ApiServer.Storage;

/// <summary>
/// Namespaces: DNS-1123 label names, <c>status.phase: Active</c> and the <c>kubernetes</c> finalizer on create, and the
/// stored status kept on main-resource updates. The terminating lifecycle (namespace controller) comes later, so a
/// delete removes the namespace at once.
/// </summary>
public sealed class NamespaceStrategy : DefaultStrategy
{
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
}
