using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Korvet.ApiServer.Tests.Support;

namespace Korvet.ApiServer.Tests.Http;

/// <summary>pods/binding and the legacy namespaced bindings resource (upstream's BindingREST rules).</summary>
public sealed class BindingTests
{
    private const string Pods = "/api/v1/namespaces/default/pods";

    private static StringContent JsonBody(string json) => new(json, Encoding.UTF8, "application/json");

    private static async Task<JsonObject> ReadAsync(HttpResponseMessage response) =>
        (JsonObject)JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

    private static string Binding(string pod, string node, string extraMeta = "") =>
        "{\"apiVersion\":\"v1\",\"kind\":\"Binding\",\"metadata\":{\"name\":\"" + pod + "\"" + extraMeta
        + "},\"target\":{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"name\":\"" + node + "\"}}";

    private static async Task CreatePodAsync(TestApiServer server, string name)
    {
        HttpResponseMessage created = await server.Client.PostAsync(Pods,
            JsonBody("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"" + name + "\"},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"nginx\"}]}}"));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
    }

    [Fact]
    public async Task BindingSetsNodeNameAndScheduledConditionThenConflicts()
    {
        await using TestApiServer server = await TestApiServer.StartAsync();
        await CreatePodAsync(server, "p");

        HttpResponseMessage bound = await server.Client.PostAsync(Pods + "/p/binding",
            JsonBody(Binding("p", "node-1", ",\"annotations\":{\"a\":\"b\"}")));
        Assert.Equal(HttpStatusCode.Created, bound.StatusCode);
        JsonObject status = await ReadAsync(bound);
        Assert.Equal(("Status", "Success", 201), ((string?)status["kind"], (string?)status["status"], (int)status["code"]!));

        JsonObject pod = (JsonObject)JsonNode.Parse(await server.Client.GetStringAsync(Pods + "/p"))!;
        Assert.Equal("node-1", (string?)pod["spec"]!["nodeName"]);
        Assert.Equal("b", (string?)pod["metadata"]!["annotations"]!["a"]);
        JsonNode condition = pod["status"]!["conditions"]!.AsArray().Single(c => (string?)c!["type"] == "PodScheduled")!;
        Assert.Equal("True", (string?)condition["status"]);
        Assert.NotNull((string?)condition["lastTransitionTime"]);
        Assert.Equal("Pending", (string?)pod["status"]!["phase"]);

        HttpResponseMessage again = await server.Client.PostAsync(Pods + "/p/binding", JsonBody(Binding("p", "node-2")));
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        JsonObject conflict = await ReadAsync(again);
        Assert.Equal("Operation cannot be fulfilled on pods/binding \"p\": pod p is already assigned to node \"node-1\"",
            (string?)conflict["message"]);
        Assert.Equal("Conflict", (string?)conflict["reason"]);
        JsonObject unchanged = (JsonObject)JsonNode.Parse(await server.Client.GetStringAsync(Pods + "/p"))!;
        Assert.Equal("node-1", (string?)unchanged["spec"]!["nodeName"]);
    }

    [Fact]
    public async Task LegacyBindingsResourceBindsByBodyName()
    {
        await using TestApiServer server = await TestApiServer.StartAsync();
        await CreatePodAsync(server, "q");
        HttpResponseMessage bound = await server.Client.PostAsync("/api/v1/namespaces/default/bindings", JsonBody(Binding("q", "node-9")));
        Assert.Equal(HttpStatusCode.Created, bound.StatusCode);
        JsonObject pod = (JsonObject)JsonNode.Parse(await server.Client.GetStringAsync(Pods + "/q"))!;
        Assert.Equal("node-9", (string?)pod["spec"]!["nodeName"]);

        // Nothing is stored under bindings itself.
        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await server.Client.GetAsync("/api/v1/namespaces/default/bindings/q")).StatusCode);
    }

    [Fact]
    public async Task BadBindingsAreRejectedAndWriteNothing()
    {
        await using TestApiServer server = await TestApiServer.StartAsync();
        await CreatePodAsync(server, "r");

        HttpResponseMessage mismatch = await server.Client.PostAsync(Pods + "/r/binding", JsonBody(Binding("other", "n")));
        Assert.Equal(HttpStatusCode.BadRequest, mismatch.StatusCode);
        Assert.Equal("name in URL does not match name in Binding object", (string?)(await ReadAsync(mismatch))["message"]);

        HttpResponseMessage noTarget = await server.Client.PostAsync(Pods + "/r/binding",
            JsonBody("""{"apiVersion":"v1","kind":"Binding","metadata":{"name":"r"},"target":{"kind":"Pod","name":""}}"""));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, noTarget.StatusCode);
        Assert.Equal("Binding \"r\" is invalid: [target.kind: Unsupported value: \"Pod\": supported values: \"Node\", \"<empty>\", target.name: Required value]",
            (string?)(await ReadAsync(noTarget))["message"]);

        HttpResponseMessage wrongUid = await server.Client.PostAsync(Pods + "/r/binding", JsonBody(Binding("r", "n", ",\"uid\":\"nope\"")));
        Assert.Equal(HttpStatusCode.Conflict, wrongUid.StatusCode);

        HttpResponseMessage dryRun = await server.Client.PostAsync(Pods + "/r/binding?dryRun=All", JsonBody(Binding("r", "n")));
        Assert.Equal(HttpStatusCode.Created, dryRun.StatusCode);

        HttpResponseMessage missing = await server.Client.PostAsync(Pods + "/ghost/binding", JsonBody(Binding("ghost", "n")));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("pods \"ghost\" not found", (string?)(await ReadAsync(missing))["message"]);

        JsonObject pod = (JsonObject)JsonNode.Parse(await server.Client.GetStringAsync(Pods + "/r"))!;
        Assert.Null(pod["spec"]!["nodeName"]);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await server.Client.GetAsync(Pods + "/r/binding")).StatusCode);
    }
}
