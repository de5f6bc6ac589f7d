using System.Text;
using System.Text.Json.Nodes;
using Korvet.ApiServer.Errors;
using Korvet.ApiServer.Patching;
using Korvet.ApiServer.Registry;

namespace Korvet.ApiServer.Tests.Unit;

public sealed class ServerSideApplyTests
{
    private static readonly ResourceDefinition Deployments = ResourceRegistry.CreateBuiltin().Find("apps", "v1", "deployments")!;
    private static readonly DateTimeOffset Now = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    private static JsonObject Config(string image, string extraEnv = "") => ServerSideApply.ParseConfiguration(Encoding.UTF8.GetBytes($"""
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          replicas: 2
          template:
            spec:
              containers:
              - name: main
                image: {image}
                env:
                - name: A
                  value: "1"
        {extraEnv}
        """), Deployments, "web");

    [Fact]
    public void ApplyMergesByKeyRecordsOwnershipAndConflictsWithOtherManagers()
    {
        var ssa = new ServerSideApply(Korvet.Api.Generated.ApiSchemas.Kubernetes);
        JsonObject config = Config("nginx:1");
        JsonArray created = ssa.ManagedFieldsForCreate(config, Deployments, "alice", Now);
        JsonObject entry = created.Single()!.AsObject();
        Assert.Equal("Apply", (string?)entry["operation"]);
        Assert.NotNull(entry["fieldsV1"]!["f:spec"]!["f:template"]!["f:spec"]!["f:containers"]!["k:{\"name\":\"main\"}"]!["f:image"]);

        // The live object: alice's config plus a sidecar and replicas changed by "scaler" (an Update manager).
        var live = (JsonObject)config.DeepClone();
        live["spec"]!["replicas"] = 5;
        live["spec"]!["template"]!["spec"]!["containers"]!.AsArray().Add(new JsonObject { ["name"] = "side", ["image"] = "busybox" });
        live["metadata"]!["managedFields"] = new JsonArray(
            created[0]!.DeepClone(),
            new JsonObject
            {
                ["manager"] = "scaler", ["operation"] = "Update", ["apiVersion"] = "apps/v1", ["time"] = "2026-01-01T00:00:00Z",
                ["fieldsType"] = "FieldsV1", ["fieldsV1"] = new JsonObject { ["f:spec"] = new JsonObject { ["f:replicas"] = new JsonObject() } },
            });

        StatusException conflict = Assert.Throws<StatusException>(() => ssa.Apply(live, Config("nginx:2"), Deployments, "alice", force: false, Now));
        Assert.Equal(409, conflict.Code);
        Assert.Equal("Apply failed with 1 conflict: conflict with \"scaler\" using apps/v1: .spec.replicas", conflict.Message);

        (JsonObject merged, JsonArray managed) = ssa.Apply(live, Config("nginx:2"), Deployments, "alice", force: true, Now);
        Assert.Equal(2, (int)merged["spec"]!["replicas"]!);
        JsonArray containers = merged["spec"]!["template"]!["spec"]!["containers"]!.AsArray();
        Assert.Equal(["nginx:2", "busybox"], containers.Select(c => (string?)c!["image"]));
        Assert.Equal(["alice"], managed.Select(e => (string?)e!["manager"]));
    }

    [Fact]
    public void FieldsDroppedFromTheConfigurationAreRemovedWhenUnowned()
    {
        var ssa = new ServerSideApply(Korvet.Api.Generated.ApiSchemas.Kubernetes);
        JsonObject first = Config("nginx:1", "      - name: side\n        image: busybox");
        var live = (JsonObject)first.DeepClone();
        live["metadata"]!["managedFields"] = ssa.ManagedFieldsForCreate(first, Deployments, "alice", Now);

        (JsonObject merged, _) = ssa.Apply(live, Config("nginx:1"), Deployments, "alice", force: false, Now);
        Assert.Equal(["main"], merged["spec"]!["template"]!["spec"]!["containers"]!.AsArray().Select(c => (string?)c!["name"]));
    }
}
