using System.Text.Json.Nodes;
using Korvet.ApiServer.Errors;
using Korvet.ApiServer.Storage;
using Korvet.ApiServer.Tests.Support;
using static Korvet.ApiServer.Tests.Support.StoreFixture;

namespace Korvet.ApiServer.Tests.Unit;

public sealed class GenericStoreTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task CreateFillsSystemFieldsAndStoresWithoutResourceVersion()
    {
        await using StoreFixture f = await CreateAsync();
        WriteResult result = await f.Store.CreateAsync(f.ConfigMaps, "default", Obj("""{"metadata":{"name":"a"},"data":{"k":"v"}}"""), Write, None);
        Assert.Equal(201, result.StatusCode);
        JsonObject obj = Parse(result.Body);
        Assert.Equal("ConfigMap", (string?)obj["kind"]);
        Assert.Equal("v1", (string?)obj["apiVersion"]);
        JsonObject meta = obj["metadata"]!.AsObject();
        Assert.Equal("default", (string?)meta["namespace"]);
        Assert.True(Guid.TryParse((string?)meta["uid"], out _));
        Assert.NotNull(meta["creationTimestamp"]);
        Assert.Null(meta["generation"]);
        Assert.Equal("test-manager", (string?)meta["managedFields"]![0]!["manager"]);

        var stored = await f.Backend.GetAsync("/registry/core/configmaps/default/a");
        Assert.NotNull(stored);
        Assert.Equal(stored.ModRevision.ToString(), (string?)meta["resourceVersion"]);
        Assert.DoesNotContain("resourceVersion", Text(stored.Value), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GenerateNameAddsFiveCharactersFromUpstreamAlphabet()
    {
        await using StoreFixture f = await CreateAsync();
        WriteResult result = await f.Store.CreateAsync(f.ConfigMaps, "default", Obj("""{"metadata":{"generateName":"web-"}}"""), Write, None);
        string name = (string)Parse(result.Body)["metadata"]!["name"]!;
        Assert.Matches("^web-[bcdfghjklmnpqrstvwxz2456789]{5}$", name);
    }

    [Fact]
    public async Task CreateErrorsCarryUpstreamMessages()
    {
        await using StoreFixture f = await CreateAsync();
        var invalid = await Assert.ThrowsAsync<StatusException>(() =>
            f.Store.CreateAsync(f.ConfigMaps, "default", Obj("""{"metadata":{"name":"Bad_Name"}}"""), Write, None));
        Assert.Equal((422, "Invalid"), (invalid.Code, invalid.Reason));
        Assert.StartsWith("ConfigMap \"Bad_Name\" is invalid: metadata.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain", invalid.Message);
        Assert.Equal("metadata.name", invalid.Details!.Causes![0].Field);

        var noNs = await Assert.ThrowsAsync<StatusException>(() =>
            f.Store.CreateAsync(f.ConfigMaps, "nope", Obj("""{"metadata":{"name":"a"}}"""), Write, None));
        Assert.Equal((404, "namespaces \"nope\" not found"), (noNs.Code, noNs.Message));

        var mismatch = await Assert.ThrowsAsync<StatusException>(() =>
            f.Store.CreateAsync(f.ConfigMaps, "default", Obj("""{"metadata":{"name":"a","namespace":"other"}}"""), Write, None));
        Assert.Equal(400, mismatch.Code);

        await f.Store.CreateAsync(f.ConfigMaps, "default", Obj("""{"metadata":{"name":"a"}}"""), Write, None);
        var exists = await Assert.ThrowsAsync<StatusException>(() =>
            f.Store.CreateAsync(f.ConfigMaps, "default", Obj("""{"metadata":{"name":"a"}}"""), Write, None));
        Assert.Equal((409, "AlreadyExists", "configmaps \"a\" already exists"), (exists.Code, exists.Reason, exists.Message));

        var wrongKind = await Assert.ThrowsAsync<StatusException>(() =>
            f.Store.CreateAsync(f.ConfigMaps, "default", Obj("""{"kind":"Secret","metadata":{"name":"b"}}"""), Write, None));
        Assert.Equal(400, wrongKind.Code);
    }

    [Fact]
    public async Task UpdateWithStaleResourceVersionConflicts()
    {
        await using StoreFixture f = await CreateAsync();
        JsonObject created = Parse((await f.Store.CreateAsync(f.ConfigMaps, "default", Obj("""{"metadata":{"name":"a"},"data":{"k":"1"}}"""), Write, None)).Body);
        string rv = (string)created["metadata"]!["resourceVersion"]!;
        JsonObject first = (JsonObject)created.DeepClone();
        first["data"]!["k"] = "2";
        JsonObject updated = Parse((await f.Store.UpdateAsync(f.ConfigMaps, "default", "a", "", first, Write, None)).Body);
        Assert.NotEqual(rv, (string?)updated["metadata"]!["resourceVersion"]);

        JsonObject stale = (JsonObject)created.DeepClone();
        stale["data"]!["k"] = "3";
        var conflict = await Assert.ThrowsAsync<StatusException>(() => f.Store.UpdateAsync(f.ConfigMaps, "default", "a", "", stale, Write, None));
        Assert.Equal((409, "Conflict"), (conflict.Code, conflict.Reason));
        Assert.Equal("Operation cannot be fulfilled on configmaps \"a\": the object has been modified; please apply your changes to the latest version and try again", conflict.Message);

        JsonObject unconditional = Obj("""{"metadata":{"name":"a"},"data":{"k":"4"}}""");
        JsonObject after = Parse((await f.Store.UpdateAsync(f.ConfigMaps, "default", "a", "", unconditional, Write, None)).Body);
        Assert.Equal("4", (string?)after["data"]!["k"]);
        Assert.Equal((string?)created["metadata"]!["uid"], (string?)after["metadata"]!["uid"]);
    }

    [Fact]
    public async Task AnUpdateWithoutManagedFieldsKeepsTheLiveEntriesAndOneEmptyEntryClearsThem()
    {
        await using StoreFixture f = await CreateAsync();
        await f.Store.CreateAsync(f.ConfigMaps, "default", Obj("""{"metadata":{"name":"a"},"data":{"k":"1"}}"""), Write, None);

        // A client that caches objects without managedFields (as controllers do) writes one field.
        JsonObject updated = Parse((await f.Store.UpdateAsync(f.ConfigMaps, "default", "a", "",
            Obj("""{"metadata":{"name":"a"},"data":{"k":"1","j":"2"}}"""), Write with { FieldManager = "controller" }, None)).Body);
        JsonArray entries = updated["metadata"]!["managedFields"]!.AsArray();
        Assert.Equal(["test-manager", "controller"], entries.Select(e => (string)e!["manager"]!));
        Assert.Contains("f:j", entries[1]!["fieldsV1"]!["f:data"]!.AsObject().Select(p => p.Key));
        Assert.DoesNotContain("f:j", entries[0]!["fieldsV1"]!["f:data"]!.AsObject().Select(p => p.Key));

        JsonObject emptyList = (JsonObject)updated.DeepClone();
        emptyList["metadata"]!["managedFields"] = new JsonArray();
        emptyList["data"]!["k"] = "3";
        JsonObject afterEmpty = Parse((await f.Store.UpdateAsync(f.ConfigMaps, "default", "a", "", emptyList, Write with { FieldManager = "controller" }, None)).Body);
        Assert.Equal(2, afterEmpty["metadata"]!["managedFields"]!.AsArray().Count);

        JsonObject reset = (JsonObject)afterEmpty.DeepClone();
        reset["metadata"]!["managedFields"] = new JsonArray(new JsonObject());
        JsonObject afterReset = Parse((await f.Store.UpdateAsync(f.ConfigMaps, "default", "a", "", reset, Write, None)).Body);
        Assert.Null(afterReset["metadata"]!["managedFields"]);
        Assert.NotEqual((string?)afterEmpty["metadata"]!["resourceVersion"], (string?)afterReset["metadata"]!["resourceVersion"]);
    }

    [Fact]
    public async Task GenerationBumpsOnSpecChangeOnlyAndStatusGoesThroughSubresource()
    {
        await using StoreFixture f = await CreateAsync();
        const string deployment = """{"metadata":{"name":"d"},"spec":{"replicas":1,"selector":{"matchLabels":{"app":"d"}},"template":{"metadata":{"labels":{"app":"d"}},"spec":{"containers":[{"name":"c","image":"nginx"}]}}},"status":{"replicas":9}}""";
        JsonObject created = Parse((await f.Store.CreateAsync(f.Deployments, "default", Obj(deployment), Write, None)).Body);
        Assert.Equal(1, (long)created["metadata"]!["generation"]!);
        Assert.Equal("{}", created["status"]!.ToJsonString());

        JsonObject labelled = (JsonObject)created.DeepClone();
        labelled["metadata"]!["labels"] = new JsonObject { ["a"] = "b" };
        JsonObject afterLabel = Parse((await f.Store.UpdateAsync(f.Deployments, "default", "d", "", labelled, Write, None)).Body);
        Assert.Equal(1, (long)afterLabel["metadata"]!["generation"]!);

        JsonObject scaled = (JsonObject)afterLabel.DeepClone();
        scaled["spec"]!["replicas"] = 3;
        scaled["status"] = new JsonObject { ["replicas"] = 5 };
        JsonObject afterScale = Parse((await f.Store.UpdateAsync(f.Deployments, "default", "d", "", scaled, Write, None)).Body);
        Assert.Equal(2, (long)afterScale["metadata"]!["generation"]!);
        Assert.Equal("{}", afterScale["status"]!.ToJsonString());

        JsonObject status = (JsonObject)afterScale.DeepClone();
        status["status"] = new JsonObject { ["replicas"] = 3 };
        status["spec"]!["replicas"] = 100;
        JsonObject afterStatus = Parse((await f.Store.UpdateAsync(f.Deployments, "default", "d", "status", status, Write, None)).Body);
        Assert.Equal(3, (long)afterStatus["status"]!["replicas"]!);
        Assert.Equal(3, (long)afterStatus["spec"]!["replicas"]!);
        Assert.Equal(2, (long)afterStatus["metadata"]!["generation"]!);
        Assert.Contains(afterStatus["metadata"]!["managedFields"]!.AsArray(), e => (string?)e!["subresource"] == "status");
    }

    [Fact]
    public async Task FinalizersKeepObjectUntilRemoved()
    {
        await using StoreFixture f = await CreateAsync();
        await f.Store.CreateAsync(f.ConfigMaps, "default", Obj("""{"metadata":{"name":"a","finalizers":["example.com/hold"]}}"""), Write, None);
        JsonObject marked = Parse((await f.Store.DeleteAsync(f.ConfigMaps, "default", "a", new DeleteRequest(), None)).Body);
        Assert.NotNull(marked["metadata"]!["deletionTimestamp"]);
        Assert.Equal(0, (long)marked["metadata"]!["deletionGracePeriodSeconds"]!);
        StoredObject still = await f.Store.GetAsync(f.ConfigMaps, "default", "a", "", None);
        Assert.Contains("deletionTimestamp", Text(still.Json), StringComparison.Ordinal);

        JsonObject release = (JsonObject)marked.DeepClone();
        release["metadata"]!.AsObject().Remove("finalizers");
        await f.Store.UpdateAsync(f.ConfigMaps, "default", "a", "", release, Write, None);
        var gone = await Assert.ThrowsAsync<StatusException>(() => f.Store.GetAsync(f.ConfigMaps, "default", "a", "", None));
        Assert.Equal(404, gone.Code);
    }

    [Fact]
    public async Task DeleteReturnsSuccessStatusAndChecksPreconditions()
    {
        await using StoreFixture f = await CreateAsync();
        await f.Store.CreateAsync(f.ConfigMaps, "default", Obj("""{"metadata":{"name":"a"}}"""), Write, None);
        var conflict = await Assert.ThrowsAsync<StatusException>(() =>
            f.Store.DeleteAsync(f.ConfigMaps, "default", "a", new DeleteRequest(PreconditionUid: "other"), None));
        Assert.Equal(409, conflict.Code);
        Assert.Contains("Precondition failed: UID in precondition: other", conflict.Message, StringComparison.Ordinal);

        WriteResult dry = await f.Store.DeleteAsync(f.ConfigMaps, "default", "a", new DeleteRequest(DryRun: true), None);
        Assert.Equal(200, dry.StatusCode);
        await f.Store.GetAsync(f.ConfigMaps, "default", "a", "", None);

        WriteResult deleted = await f.Store.DeleteAsync(f.ConfigMaps, "default", "a", new DeleteRequest(), None);
        JsonObject status = Parse(deleted.Body);
        Assert.Equal(("Status", "Success", "configmaps", "a"),
            ((string?)status["kind"], (string?)status["status"], (string?)status["details"]!["kind"], (string?)status["details"]!["name"]));
    }

    [Fact]
    public async Task DryRunCreatePersistsNothing()
    {
        await using StoreFixture f = await CreateAsync();
        long before = await f.Backend.CurrentRevisionAsync();
        WriteResult result = await f.Store.CreateAsync(f.ConfigMaps, "default", Obj("""{"metadata":{"name":"a"}}"""), Write with { DryRun = true }, None);
        Assert.Equal(201, result.StatusCode);
        Assert.Equal(before, await f.Backend.CurrentRevisionAsync());
    }

    [Fact]
    public async Task ListPagesWithContinueAndRemainingCount()
    {
        await using StoreFixture f = await CreateAsync();
        for (int i = 0; i < 5; i++)
        {
            await f.Store.CreateAsync(f.ConfigMaps, "default", Obj($$$$"""{"metadata":{"name":"c{{{{i}}}}","labels":{"n":"{{{{i % 2}}}}"}}}"""), Write, None);
        }

        ListPage first = await f.Store.ListAsync(f.ConfigMaps, "default", new ListRequest(ListFilter.Everything, Limit: 2), None);
        Assert.Equal(["c0", "c1"], first.Items.Select(i => i.Name));
        Assert.Equal(3, first.RemainingItemCount);
        await f.Store.CreateAsync(f.ConfigMaps, "default", Obj("""{"metadata":{"name":"c9"}}"""), Write, None);
        ListPage second = await f.Store.ListAsync(f.ConfigMaps, "default", new ListRequest(ListFilter.Everything, Limit: 2, Continue: first.Continue), None);
        Assert.Equal(["c2", "c3"], second.Items.Select(i => i.Name));
        Assert.Equal(first.ResourceVersion, second.ResourceVersion);
        ListPage last = await f.Store.ListAsync(f.ConfigMaps, "default", new ListRequest(ListFilter.Everything, Limit: 2, Continue: second.Continue), None);
        Assert.Equal(["c4"], last.Items.Select(i => i.Name));
        Assert.Equal("", last.Continue);

        ListFilter odd = new SelectorParser().Parse(f.ConfigMaps, "n=1", null);
        ListPage filtered = await f.Store.ListAsync(f.ConfigMaps, "", new ListRequest(odd), None);
        Assert.Equal(["c1", "c3"], filtered.Items.Select(i => i.Name));

        ListPage cached = await f.Store.ListAsync(f.ConfigMaps, "default", new ListRequest(ListFilter.Everything, ResourceVersion: "0"), None);
        Assert.Equal(6, cached.Items.Count);
    }

    [Fact]
    public async Task PatchesApplyThroughThePatchLibraryAndNoOpsAreNotWritten()
    {
        await using StoreFixture f = await CreateAsync();
        JsonObject created = Parse((await f.Store.CreateAsync(f.ConfigMaps, "default", Obj("""{"metadata":{"name":"a"},"data":{"x":"1","y":"2"}}"""), Write, None)).Body);
        byte[] patch = System.Text.Encoding.UTF8.GetBytes("""{"data":{"x":null,"z":"3"}}""");
        JsonObject patched = Parse((await f.Store.PatchAsync(f.ConfigMaps, "default", "a", "", "application/merge-patch+json", patch, Write with { FieldManager = "patcher" }, None)).Body);
        Assert.Equal("""{"y":"2","z":"3"}""", patched["data"]!.ToJsonString());
        Assert.Contains(patched["metadata"]!["managedFields"]!.AsArray(), e => (string?)e!["manager"] == "patcher");

        JsonObject again = Parse((await f.Store.PatchAsync(f.ConfigMaps, "default", "a", "", "application/merge-patch+json", patch, Write, None)).Body);
        Assert.Equal((string?)patched["metadata"]!["resourceVersion"], (string?)again["metadata"]!["resourceVersion"]);
        _ = created;

        var unsupported = await Assert.ThrowsAsync<StatusException>(() =>
            f.Store.PatchAsync(f.ConfigMaps, "default", "a", "", "application/cbor-patch", patch, Write, None));
        Assert.Equal(415, unsupported.Code);

        byte[] jsonPatch = System.Text.Encoding.UTF8.GetBytes("""[{"op":"add","path":"/data/w","value":"4"}]""");
        JsonObject afterJsonPatch = Parse((await f.Store.PatchAsync(f.ConfigMaps, "default", "a", "", "application/json-patch+json", jsonPatch, Write, None)).Body);
        Assert.Equal("4", (string?)afterJsonPatch["data"]!["w"]);
        byte[] badPointer = System.Text.Encoding.UTF8.GetBytes("""[{"op":"remove","path":"/nope/x"}]""");
        var invalid = await Assert.ThrowsAsync<StatusException>(() =>
            f.Store.PatchAsync(f.ConfigMaps, "default", "a", "", "application/json-patch+json", badPointer, Write, None));
        Assert.Equal(422, invalid.Code);
    }

    [Fact]
    public async Task BoundPodsAreDeletedGracefullyUnboundOnesAtOnce()
    {
        await using StoreFixture f = await CreateAsync();
        var pods = f.Registry.Find("", "v1", "pods")!;
        JsonObject created = Parse((await f.Store.CreateAsync(pods, "default",
            Obj("""{"metadata":{"name":"bound"},"spec":{"nodeName":"n1","terminationGracePeriodSeconds":20,"containers":[{"name":"c","image":"i"}]}}"""), Write, None)).Body);
        Assert.Equal(("Pending", "BestEffort"), ((string?)created["status"]!["phase"], (string?)created["status"]!["qosClass"]));

        JsonObject terminating = Parse((await f.Store.DeleteAsync(pods, "default", "bound", new DeleteRequest(), None)).Body);
        Assert.Equal(20, (long)terminating["metadata"]!["deletionGracePeriodSeconds"]!);
        Assert.NotNull(terminating["metadata"]!["deletionTimestamp"]);
        await f.Store.GetAsync(pods, "default", "bound", "", None);

        JsonObject deleted = Parse((await f.Store.DeleteAsync(pods, "default", "bound", new DeleteRequest(GracePeriodSeconds: 0), None)).Body);
        Assert.Equal("Pod", (string?)deleted["kind"]);
        Assert.Equal(404, (await Assert.ThrowsAsync<StatusException>(() => f.Store.GetAsync(pods, "default", "bound", "", None))).Code);

        await f.Store.CreateAsync(pods, "default", Obj("""{"metadata":{"name":"loose"},"spec":{"containers":[{"name":"c","image":"i","resources":{"limits":{"cpu":"1","memory":"1Gi"}}}]}}"""), Write, None);
        JsonObject gone = Parse((await f.Store.DeleteAsync(pods, "default", "loose", new DeleteRequest(), None)).Body);
        Assert.Equal(("Pod", "Guaranteed"), ((string?)gone["kind"], (string?)gone["status"]!["qosClass"]));
        Assert.Equal(404, (await Assert.ThrowsAsync<StatusException>(() => f.Store.GetAsync(pods, "default", "loose", "", None))).Code);
    }

    [Fact]
    public async Task StrategicMergePatchMergesContainersByName()
    {
        await using StoreFixture f = await CreateAsync();
        await f.Store.CreateAsync(f.Deployments, "default", Obj("""
            {"metadata":{"name":"d"},"spec":{"selector":{"matchLabels":{"a":"b"}},"template":{"metadata":{"labels":{"a":"b"}},"spec":{"containers":[{"name":"one","image":"x:1"},{"name":"two","image":"y:1"}]}}}}
            """), Write, None);
        byte[] patch = System.Text.Encoding.UTF8.GetBytes("""{"spec":{"template":{"spec":{"containers":[{"name":"two","image":"y:2"}]}}}}""");
        JsonObject patched = Parse((await f.Store.PatchAsync(f.Deployments, "default", "d", "", "application/strategic-merge-patch+json", patch, Write, None)).Body);
        JsonArray containers = patched["spec"]!["template"]!["spec"]!["containers"]!.AsArray();
        Assert.Equal(["one:x:1", "two:y:2"], containers.Select(c => $"{c!["name"]}:{c["image"]}"));
        Assert.Equal(2, (long)patched["metadata"]!["generation"]!);
    }

    [Fact]
    public async Task NamespaceGetsPhaseAndLabelNameRule()
    {
        await using StoreFixture f = await CreateAsync();
        JsonObject ns = Parse((await f.Store.CreateAsync(f.Namespaces, "", Obj("""{"metadata":{"name":"team-a"}}"""), Write, None)).Body);
        Assert.Equal("Active", (string?)ns["status"]!["phase"]);
        Assert.Null(ns["metadata"]!["namespace"]);
        var bad = await Assert.ThrowsAsync<StatusException>(() => f.Store.CreateAsync(f.Namespaces, "", Obj("""{"metadata":{"name":"a.b"}}"""), Write, None));
        Assert.Contains("RFC 1123 label", bad.Message, StringComparison.Ordinal);
    }
}
