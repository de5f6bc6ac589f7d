using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Korvet.Api.Generated;
using Korvet.Api.Protobuf;
using Korvet.ApiServer.Tests.Support;

namespace Korvet.ApiServer.Tests.Http;

/// <summary>pods/eviction with upstream's EvictionREST rules and PodDisruptionBudget accounting.</summary>
public sealed class EvictionTests
{
    private const string Pods = "/api/v1/namespaces/default/pods";
    private const string Budgets = "/apis/policy/v1/namespaces/default/poddisruptionbudgets";
    private static readonly ProtobufCodec Protobuf = new(ApiSchemas.Kubernetes);

    private static StringContent JsonBody(string json) => new(json, Encoding.UTF8, "application/json");

    private static StringContent MergePatch(string json) => new(json, Encoding.UTF8, "application/merge-patch+json");

    private static string Eviction(string name, string deleteOptions = "", string apiVersion = "policy/v1") =>
        "{\"apiVersion\":\"" + apiVersion + "\",\"kind\":\"Eviction\",\"metadata\":{\"name\":\"" + name + "\",\"namespace\":\"default\"}"
        + (deleteOptions.Length > 0 ? ",\"deleteOptions\":" + deleteOptions : "") + "}";

    private static async Task<JsonObject> ReadAsync(HttpResponseMessage response) =>
        (JsonObject)JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

    private static Task<HttpResponseMessage> EvictAsync(TestApiServer server, string pod, string? body = null, string query = "") =>
        server.Client.PostAsync(Pods + "/" + pod + "/eviction" + query, JsonBody(body ?? Eviction(pod)));

    /// <summary>A pod labelled app=web in <paramref name="phase"/>, Ready or not.</summary>
    private static async Task CreatePodAsync(TestApiServer server, string name, string phase = "Running", bool ready = true)
    {
        using HttpResponseMessage created = await server.Client.PostAsync(Pods, JsonBody(
            "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"" + name + "\",\"labels\":{\"app\":\"web\"}},"
            + "\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"nginx\"}]}}"));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        using HttpResponseMessage patched = await server.Client.PatchAsync(Pods + "/" + name + "/status", MergePatch(
            "{\"status\":{\"phase\":\"" + phase + "\",\"conditions\":[{\"type\":\"Ready\",\"status\":\"" + (ready ? "True" : "False") + "\"}]}}"));
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
    }

    /// <summary>A budget over app=web whose status the disruption controller would have written.</summary>
    private static async Task CreateBudgetAsync(TestApiServer server, string name, int allowed, int current = 3, int desired = 2,
        long observedGeneration = 1, string selector = "{\"matchLabels\":{\"app\":\"web\"}}", string extraSpec = "")
    {
        using HttpResponseMessage created = await server.Client.PostAsync(Budgets, JsonBody(
            "{\"apiVersion\":\"policy/v1\",\"kind\":\"PodDisruptionBudget\",\"metadata\":{\"name\":\"" + name + "\"},"
            + "\"spec\":{\"minAvailable\":" + desired + ",\"selector\":" + selector + extraSpec + "}}"));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        using HttpResponseMessage patched = await server.Client.PatchAsync(Budgets + "/" + name + "/status", MergePatch(
            "{\"status\":{\"observedGeneration\":" + observedGeneration + ",\"disruptionsAllowed\":" + allowed + ",\"currentHealthy\":" + current
            + ",\"desiredHealthy\":" + desired + ",\"expectedPods\":" + current + "}}"));
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
    }

    private static async Task<HttpStatusCode> PodStatusAsync(TestApiServer server, string name)
    {
        using HttpResponseMessage response = await server.Client.GetAsync(Pods + "/" + name);
        return response.StatusCode;
    }

    private static async Task<JsonObject> BudgetAsync(TestApiServer server, string name) =>
        (JsonObject)JsonNode.Parse(await server.Client.GetStringAsync(Budgets + "/" + name))!;

    [Fact]
    public async Task WithoutABudgetTheEvictionDeletesThePod()
    {
        await using TestApiServer server = await TestApiServer.StartAsync();
        await CreatePodAsync(server, "p");
        using HttpResponseMessage evicted = await EvictAsync(server, "p");
        Assert.Equal(HttpStatusCode.Created, evicted.StatusCode);
        JsonObject status = await ReadAsync(evicted);
        Assert.Equal(("Status", "Success"), ((string?)status["kind"], (string?)status["status"]));
        Assert.Equal(HttpStatusCode.NotFound, await PodStatusAsync(server, "p"));

        using HttpResponseMessage missing = await EvictAsync(server, "p");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("pods \"p\" not found", (string?)(await ReadAsync(missing))["message"]);
    }

    [Fact]
    public async Task AnExhaustedBudgetRefusesWith429AndKeepsThePod()
    {
        await using TestApiServer server = await TestApiServer.StartAsync();
        await CreatePodAsync(server, "p");
        await CreateBudgetAsync(server, "web", allowed: 0, current: 2, desired: 2);
        using HttpResponseMessage refused = await EvictAsync(server, "p");
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        JsonObject status = await ReadAsync(refused);
        Assert.Equal("TooManyRequests", (string?)status["reason"]);
        Assert.Equal("Cannot evict pod as it would violate the pod's disruption budget.", (string?)status["message"]);
        JsonNode cause = status["details"]!["causes"]![0]!;
        Assert.Equal("DisruptionBudget", (string?)cause["reason"]);
        Assert.Equal("The disruption budget web needs 2 healthy pods and has 2 currently", (string?)cause["message"]);
        Assert.Equal(HttpStatusCode.OK, await PodStatusAsync(server, "p"));
    }

    [Fact]
    public async Task OneAllowedDisruptionIsTakenByTheFirstEvictionOnly()
    {
        await using TestApiServer server = await TestApiServer.StartAsync();
        await CreatePodAsync(server, "a");
        await CreatePodAsync(server, "b");
        await CreateBudgetAsync(server, "web", allowed: 1);

        using HttpResponseMessage first = await EvictAsync(server, "a");
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, await PodStatusAsync(server, "a"));
        JsonObject budget = await BudgetAsync(server, "web");
        Assert.Equal(0, (int)budget["status"]!["disruptionsAllowed"]!);
        Assert.NotNull((string?)budget["status"]!["disruptedPods"]!["a"]);
        JsonNode condition = budget["status"]!["conditions"]!.AsArray().Single(c => (string?)c!["type"] == "DisruptionAllowed")!;
        Assert.Equal(("False", "InsufficientPods"), ((string?)condition["status"], (string?)condition["reason"]));

        using HttpResponseMessage second = await EvictAsync(server, "b");
        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        Assert.Equal(HttpStatusCode.OK, await PodStatusAsync(server, "b"));
    }

    [Fact]
    public async Task ANameMismatchIsABadRequest()
    {
        await using TestApiServer server = await TestApiServer.StartAsync();
        await CreatePodAsync(server, "p");
        using HttpResponseMessage response = await EvictAsync(server, "p", Eviction("other"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("name in URL does not match name in Eviction object", (string?)(await ReadAsync(response))["message"]);
        Assert.Equal(HttpStatusCode.OK, await PodStatusAsync(server, "p"));
    }

    [Fact]
    public async Task DryRunChangesNeitherThePodNorTheBudget()
    {
        await using TestApiServer server = await TestApiServer.StartAsync();
        await CreatePodAsync(server, "p");
        await CreateBudgetAsync(server, "web", allowed: 1);
        using (HttpResponseMessage query = await EvictAsync(server, "p", query: "?dryRun=All"))
        {
            Assert.Equal(HttpStatusCode.Created, query.StatusCode);
        }

        using (HttpResponseMessage body = await EvictAsync(server, "p", Eviction("p", "{\"dryRun\":[\"All\"]}")))
        {
            Assert.Equal(HttpStatusCode.Created, body.StatusCode);
        }

        Assert.Equal(HttpStatusCode.OK, await PodStatusAsync(server, "p"));
        JsonObject budget = await BudgetAsync(server, "web");
        Assert.Equal(1, (int)budget["status"]!["disruptionsAllowed"]!);
        Assert.Null(budget["status"]!["disruptedPods"]);
    }

    [Fact]
    public async Task TerminalAndPendingPodsIgnoreTheBudget()
    {
        await using TestApiServer server = await TestApiServer.StartAsync();
        await CreatePodAsync(server, "done", phase: "Failed", ready: false);
        await CreatePodAsync(server, "waiting", phase: "Pending", ready: false);
        await CreateBudgetAsync(server, "web", allowed: 0);
        using (HttpResponseMessage done = await EvictAsync(server, "done"))
        {
            Assert.Equal(HttpStatusCode.Created, done.StatusCode);
        }

        using (HttpResponseMessage waiting = await EvictAsync(server, "waiting", Eviction("waiting", apiVersion: "policy/v1beta1")))
        {
            Assert.Equal(HttpStatusCode.Created, waiting.StatusCode);
        }

        Assert.Equal(HttpStatusCode.NotFound, await PodStatusAsync(server, "done"));
        Assert.Equal(HttpStatusCode.NotFound, await PodStatusAsync(server, "waiting"));
        Assert.Equal(0, (int)(await BudgetAsync(server, "web"))["status"]!["disruptionsAllowed"]!);
    }

    [Fact]
    public async Task AnUnreadyPodGoesWithoutTakingADisruptionWhileTheBudgetIsMet()
    {
        await using TestApiServer server = await TestApiServer.StartAsync();
        await CreatePodAsync(server, "sick", ready: false);
        await CreateBudgetAsync(server, "web", allowed: 0, current: 2, desired: 2);
        using HttpResponseMessage evicted = await EvictAsync(server, "sick");
        Assert.Equal(HttpStatusCode.Created, evicted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, await PodStatusAsync(server, "sick"));
        Assert.Equal(0, (int)(await BudgetAsync(server, "web"))["status"]!["disruptionsAllowed"]!);
    }

    [Fact]
    public async Task AnUnreadyPodIsProtectedWhenTheBudgetIsNotMetUnlessAlwaysAllow()
    {
        await using TestApiServer server = await TestApiServer.StartAsync();
        await CreatePodAsync(server, "sick", ready: false);
        await CreateBudgetAsync(server, "web", allowed: 0, current: 1, desired: 2);
        using (HttpResponseMessage refused = await EvictAsync(server, "sick"))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        }

        using (HttpResponseMessage policy = await server.Client.PatchAsync(Budgets + "/web",
                   MergePatch("{\"spec\":{\"unhealthyPodEvictionPolicy\":\"AlwaysAllow\"}}")))
        {
            Assert.Equal(HttpStatusCode.OK, policy.StatusCode);
        }

        // The spec change raised the generation: the budget must be observed again first.
        using (HttpResponseMessage stale = await server.Client.PatchAsync(Budgets + "/web/status", MergePatch("{\"status\":{\"observedGeneration\":2}}")))
        {
            Assert.Equal(HttpStatusCode.OK, stale.StatusCode);
        }

        using HttpResponseMessage evicted = await EvictAsync(server, "sick");
        Assert.Equal(HttpStatusCode.Created, evicted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, await PodStatusAsync(server, "sick"));
    }

    [Fact]
    public async Task AnUnobservedBudgetGenerationIsStillBeingProcessed()
    {
        await using TestApiServer server = await TestApiServer.StartAsync();
        await CreatePodAsync(server, "p");
        await CreateBudgetAsync(server, "web", allowed: 1, observedGeneration: 0);
        using HttpResponseMessage refused = await EvictAsync(server, "p");
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("10", refused.Headers.RetryAfter?.Delta?.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        JsonObject status = await ReadAsync(refused);
        Assert.Equal("The disruption budget web is still being processed by the server.", (string?)status["details"]!["causes"]![0]!["message"]);
        Assert.Equal(HttpStatusCode.OK, await PodStatusAsync(server, "p"));
    }

    [Fact]
    public async Task TwoBudgetsOverOnePodAreAServerError()
    {
        await using TestApiServer server = await TestApiServer.StartAsync();
        await CreatePodAsync(server, "p");
        await CreateBudgetAsync(server, "one", allowed: 1);
        await CreateBudgetAsync(server, "two", allowed: 1, selector: "{\"matchExpressions\":[{\"key\":\"app\",\"operator\":\"Exists\"}]}");
        await CreateBudgetAsync(server, "empty", allowed: 0, selector: "{}");
        using HttpResponseMessage response = await EvictAsync(server, "p");
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.",
            (string?)(await ReadAsync(response))["message"]);
        Assert.Equal(HttpStatusCode.OK, await PodStatusAsync(server, "p"));
    }

    [Fact]
    public async Task AProtobufEvictionWithPreconditionsIsHonoured()
    {
        await using TestApiServer server = await TestApiServer.StartAsync();
        await CreatePodAsync(server, "p");
        var wrong = new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = "p" },
            ["deleteOptions"] = new JsonObject { ["preconditions"] = new JsonObject { ["uid"] = "not-the-uid" } },
        };
        using (HttpResponseMessage conflict = await PostProtobufAsync(server, "p", wrong))
        {
            Assert.Equal(HttpStatusCode.Conflict, conflict.StatusCode);
        }

        Assert.Equal(HttpStatusCode.OK, await PodStatusAsync(server, "p"));
        using (HttpResponseMessage evicted = await PostProtobufAsync(server, "p", new JsonObject { ["metadata"] = new JsonObject { ["name"] = "p" } }))
        {
            Assert.Equal(HttpStatusCode.Created, evicted.StatusCode);
        }

        Assert.Equal(HttpStatusCode.NotFound, await PodStatusAsync(server, "p"));
    }

    [Fact]
    public async Task AScheduledPodIsMarkedAsADisruptionTargetAndDeletedGracefully()
    {
        await using TestApiServer server = await TestApiServer.StartAsync();
        using (HttpResponseMessage created = await server.Client.PostAsync(Pods, JsonBody(
                   "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"bound\"},"
                   + "\"spec\":{\"nodeName\":\"n1\",\"containers\":[{\"name\":\"c\",\"image\":\"nginx\"}]}}")))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        using (HttpResponseMessage running = await server.Client.PatchAsync(Pods + "/bound/status",
                   MergePatch("{\"status\":{\"phase\":\"Running\",\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\"}]}}")))
        {
            Assert.Equal(HttpStatusCode.OK, running.StatusCode);
        }

        // A resourceVersion precondition names the version before the condition was written: it still holds.
        JsonObject before = (JsonObject)JsonNode.Parse(await server.Client.GetStringAsync(Pods + "/bound"))!;
        string rv = (string)before["metadata"]!["resourceVersion"]!;
        using HttpResponseMessage evicted = await EvictAsync(server, "bound",
            Eviction("bound", "{\"preconditions\":{\"resourceVersion\":\"" + rv + "\"}}"));
        Assert.Equal(HttpStatusCode.Created, evicted.StatusCode);

        JsonObject pod = (JsonObject)JsonNode.Parse(await server.Client.GetStringAsync(Pods + "/bound"))!;
        Assert.NotNull((string?)pod["metadata"]!["deletionTimestamp"]);
        JsonNode condition = pod["status"]!["conditions"]!.AsArray().Single(c => (string?)c!["type"] == "DisruptionTarget")!;
        Assert.Equal(("True", "EvictionByEvictionAPI", "Eviction API: evicting"),
            ((string?)condition["status"], (string?)condition["reason"], (string?)condition["message"]));

        using HttpResponseMessage stale = await EvictAsync(server, "bound", Eviction("bound", "{\"preconditions\":{\"uid\":\"other\"}}"));
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
    }

    private static Task<HttpResponseMessage> PostProtobufAsync(TestApiServer server, string pod, JsonObject eviction)
    {
        var content = new ByteArrayContent(Protobuf.EncodeEnvelope("policy/v1", "Eviction", eviction));
        content.Headers.ContentType = new MediaTypeHeaderValue(ProtobufCodec.MediaType);
        return server.Client.PostAsync(Pods + "/" + pod + "/eviction", content);
    }
}
