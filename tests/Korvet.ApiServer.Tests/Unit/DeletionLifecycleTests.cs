using System.Text.Json.Nodes;
using Korvet.ApiServer.Errors;
using Korvet.ApiServer.Registry;
using Korvet.ApiServer.Storage;
using Korvet.ApiServer.Tests.Support;
using static Korvet.ApiServer.Tests.Support.StoreFixture;

namespace Korvet.ApiServer.Tests.Unit;

/// <summary>Propagation-policy finalizers per kind, namespace termination and the finalize subresource.</summary>
public sealed class DeletionLifecycleTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Theory]
    [InlineData("", null, "DeleteDependents", "")]
    [InlineData("", "Foreground", "DeleteDependents", "foregroundDeletion")]
    [InlineData("", "Orphan", "DeleteDependents", "orphan")]
    [InlineData("", null, "OrphanDependents", "orphan")]
    [InlineData("", "Background", "OrphanDependents", "")]
    [InlineData("orphan", "Background", "DeleteDependents", "")]
    [InlineData("orphan", "Foreground", "DeleteDependents", "foregroundDeletion")]
    [InlineData("foregroundDeletion", null, "OrphanDependents", "foregroundDeletion")]
    [InlineData("x.io/keep", "Orphan", "DeleteDependents", "x.io/keep,orphan")]
    [InlineData("", "Foreground", "Unsupported", "")]
    [InlineData("orphan", "Background", "Unsupported", "orphan")]
    public void FinalizersFollowPolicyThenExistingThenKindDefault(string current, string? policy, string kindDefault, string expected)
    {
        string[] existing = current.Split(',', StringSplitOptions.RemoveEmptyEntries);
        IReadOnlyList<string> result = DeletionFinalizers.ForDelete(existing, policy, Enum.Parse<GarbageCollectionPolicy>(kindDefault));
        Assert.Equal(expected, string.Join(",", result));
    }

    [Fact]
    public async Task KindDefaultsMatchUpstream()
    {
        await using StoreFixture f = await CreateAsync();
        var table = StrategyTable.Create(f.Registry);
        GarbageCollectionPolicy Of(string group, string plural) =>
            table.For(f.Registry.All.First(r => r.Group == group && r.Plural == plural)).DefaultGarbageCollectionPolicy;
        Assert.Equal(GarbageCollectionPolicy.OrphanDependents, Of("", "replicationcontrollers"));
        Assert.Equal(GarbageCollectionPolicy.OrphanDependents, Of("batch", "jobs"));
        Assert.Equal(GarbageCollectionPolicy.DeleteDependents, Of("apps", "deployments"));
        Assert.Equal(GarbageCollectionPolicy.DeleteDependents, Of("batch", "cronjobs"));
        Assert.Equal(GarbageCollectionPolicy.DeleteDependents, Of("", "configmaps"));
        Assert.Equal(GarbageCollectionPolicy.Unsupported, Of("", "events"));
        Assert.Equal(GarbageCollectionPolicy.Unsupported, Of("events.k8s.io", "events"));
    }

    [Fact]
    public async Task ForegroundDeleteMarksAndBackgroundDeletesAtOnce()
    {
        await using StoreFixture f = await CreateAsync();
        await f.Store.CreateAsync(f.ConfigMaps, "default", Obj("""{"metadata":{"name":"fg"}}"""), Write, None);
        JsonObject marked = Parse((await f.Store.DeleteAsync(f.ConfigMaps, "default", "fg", new DeleteRequest(PropagationPolicy: "Foreground"), None)).Body);
        Assert.Equal("foregroundDeletion", (string?)marked["metadata"]!["finalizers"]![0]);
        Assert.NotNull(marked["metadata"]!["deletionTimestamp"]);

        // Options cannot change the finalizers once deletion has started.
        JsonObject again = Parse((await f.Store.DeleteAsync(f.ConfigMaps, "default", "fg", new DeleteRequest(PropagationPolicy: "Orphan"), None)).Body);
        Assert.Equal("foregroundDeletion", (string?)again["metadata"]!["finalizers"]![0]);
        Assert.Equal((string?)marked["metadata"]!["resourceVersion"], (string?)again["metadata"]!["resourceVersion"]);

        await f.Store.CreateAsync(f.ConfigMaps, "default", Obj("""{"metadata":{"name":"bg","finalizers":["orphan"]}}"""), Write, None);
        await f.Store.DeleteAsync(f.ConfigMaps, "default", "bg", new DeleteRequest(PropagationPolicy: "Background"), None);
        var gone = await Assert.ThrowsAsync<StatusException>(() => f.Store.GetAsync(f.ConfigMaps, "default", "bg", "", None));
        Assert.Equal(404, gone.Code);
    }

    [Fact]
    public async Task ReplicationControllerWithoutPolicyOrphansLikeUpstreamV1()
    {
        await using StoreFixture f = await CreateAsync();
        ResourceDefinition rcs = f.Registry.Find("", "v1", "replicationcontrollers")!;
        await f.Store.CreateAsync(rcs, "default", Obj("""
            {"metadata":{"name":"rc"},"spec":{"replicas":1,"selector":{"a":"b"},
             "template":{"metadata":{"labels":{"a":"b"}},"spec":{"containers":[{"name":"c","image":"nginx"}]}}}}
            """), Write, None);
        JsonObject marked = Parse((await f.Store.DeleteAsync(rcs, "default", "rc", new DeleteRequest(), None)).Body);
        Assert.Equal("orphan", (string?)marked["metadata"]!["finalizers"]![0]);
    }

    [Fact]
    public async Task NamespaceDeleteTerminatesThenFinalizeAndDeleteRemoveIt()
    {
        await using StoreFixture f = await CreateAsync();
        await f.Store.CreateAsync(f.Namespaces, "", Obj("""{"metadata":{"name":"team"}}"""), Write, None);
        await f.Store.CreateAsync(f.ConfigMaps, "team", Obj("""{"metadata":{"name":"before"}}"""), Write, None);

        JsonObject terminating = Parse((await f.Store.DeleteAsync(f.Namespaces, "", "team", new DeleteRequest(PropagationPolicy: "Background"), None)).Body);
        Assert.Equal("Terminating", (string?)terminating["status"]!["phase"]);
        Assert.NotNull(terminating["metadata"]!["deletionTimestamp"]);
        Assert.Equal("kubernetes", (string?)terminating["spec"]!["finalizers"]![0]);

        var refused = await Assert.ThrowsAsync<StatusException>(() =>
            f.Store.CreateAsync(f.ConfigMaps, "team", Obj("""{"metadata":{"name":"after"}}"""), Write, None));
        Assert.Equal(403, refused.Code);
        Assert.Equal("configmaps \"after\" is forbidden: unable to create new content in namespace team because it is being terminated", refused.Message);
        Assert.Equal("NamespaceTerminating", refused.Details!.Causes![0].Reason);

        // A second delete while spec.finalizers remain keeps it; status updates and main updates keep the finalizer.
        await f.Store.DeleteAsync(f.Namespaces, "", "team", new DeleteRequest(), None);
        JsonObject withCondition = (JsonObject)terminating.DeepClone();
        withCondition["status"]!["conditions"] = JsonNode.Parse("""[{"type":"NamespaceContentRemaining","status":"True"}]""");
        await f.Store.UpdateAsync(f.Namespaces, "", "team", "status", withCondition, Write, None);
        JsonObject noFinalizers = (JsonObject)terminating.DeepClone();
        noFinalizers["spec"] = new JsonObject { ["finalizers"] = new JsonArray() };
        noFinalizers["metadata"]!.AsObject().Remove("resourceVersion");
        JsonObject kept = Parse((await f.Store.UpdateAsync(f.Namespaces, "", "team", "", noFinalizers, Write, None)).Body);
        Assert.Equal("kubernetes", (string?)kept["spec"]!["finalizers"]![0]);
        Assert.Equal("NamespaceContentRemaining", (string?)kept["status"]!["conditions"]![0]!["type"]);

        JsonObject finalized = Parse((await f.Store.UpdateAsync(f.Namespaces, "", "team", "finalize", noFinalizers, Write, None)).Body);
        Assert.Empty(finalized["spec"]!["finalizers"]!.AsArray());
        Assert.Equal("Terminating", (string?)finalized["status"]!["phase"]);
        await f.Store.GetAsync(f.Namespaces, "", "team", "", None);

        await f.Store.DeleteAsync(f.Namespaces, "", "team", new DeleteRequest(), None);
        var gone = await Assert.ThrowsAsync<StatusException>(() => f.Store.GetAsync(f.Namespaces, "", "team", "", None));
        Assert.Equal(404, gone.Code);
    }

    [Fact]
    public async Task SystemNamespacesCannotBeDeleted()
    {
        await using StoreFixture f = await CreateAsync();
        var refused = await Assert.ThrowsAsync<StatusException>(() => f.Store.DeleteAsync(f.Namespaces, "", "default", new DeleteRequest(), None));
        Assert.Equal((403, "namespaces \"default\" is forbidden: this namespace may not be deleted"), (refused.Code, refused.Message));
    }

    [Fact]
    public async Task FinalizeSubresourceAndOrphanDependentsFalseOverHttp()
    {
        await using TestApiServer server = await TestApiServer.StartAsync();
        HttpClient client = server.Client;
        (await client.PostAsync("/api/v1/namespaces", Json("""{"metadata":{"name":"fin"}}"""))).EnsureSuccessStatusCode();
        HttpResponseMessage deleted = await client.DeleteAsync("/api/v1/namespaces/fin");
        Assert.Equal(System.Net.HttpStatusCode.OK, deleted.StatusCode);
        HttpResponseMessage finalized = await client.PutAsync("/api/v1/namespaces/fin/finalize",
            Json("""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"fin"},"spec":{"finalizers":[]}}"""));
        string body = await finalized.Content.ReadAsStringAsync();
        Assert.True(finalized.IsSuccessStatusCode, body);
        Assert.Empty(JsonNode.Parse(body)!["spec"]!["finalizers"]!.AsArray());
        (await client.DeleteAsync("/api/v1/namespaces/fin")).EnsureSuccessStatusCode();
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await client.GetAsync("/api/v1/namespaces/fin")).StatusCode);

        (await client.PostAsync("/api/v1/namespaces/default/replicationcontrollers", Json("""
            {"metadata":{"name":"rc"},"spec":{"replicas":1,"selector":{"a":"b"},
             "template":{"metadata":{"labels":{"a":"b"}},"spec":{"containers":[{"name":"c","image":"nginx"}]}}}}
            """))).EnsureSuccessStatusCode();
        (await client.DeleteAsync("/api/v1/namespaces/default/replicationcontrollers/rc?orphanDependents=false")).EnsureSuccessStatusCode();
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await client.GetAsync("/api/v1/namespaces/default/replicationcontrollers/rc")).StatusCode);
    }

    private static StringContent Json(string json) => new(json, System.Text.Encoding.UTF8, "application/json");
}
