using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Korvet.ApiServer.Tests.Support;

namespace Korvet.ApiServer.Tests.Http;

public sealed class HttpApiTests
{
    private const string ConfigMaps = "/api/v1/namespaces/default/configmaps";

    private static StringContent JsonBody(string json) => new(json, Encoding.UTF8, "application/json");

    private static async Task<JsonObject> ReadAsync(HttpResponseMessage response) =>
        (JsonObject)JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

    [Fact]
    public async Task AnonymousRequestsGet401StatusButHealthIsOpen()
    {
        await using TestApiServer server = await TestApiServer.StartAsync();
        using HttpClient anonymous = server.CreateClient(null);
        HttpResponseMessage response = await anonymous.GetAsync("/api/v1/namespaces");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        JsonObject status = await ReadAsync(response);
        Assert.Equal(("Status", "Failure", "Unauthorized", 401), ((string?)status["kind"], (string?)status["status"], (string?)status["reason"], (int)status["code"]!));
        Assert.Equal("ok", await anonymous.GetStringAsync("/readyz"));
    }

    [Fact]
    public async Task VersionReports132()
    {
        await using TestApiServer server = await TestApiServer.StartAsync();
        JsonObject version = (JsonObject)JsonNode.Parse(await server.Client.GetStringAsync("/version"))!;
        Assert.Equal(("1", "32"), ((string?)version["major"], (string?)version["minor"]));
        Assert.StartsWith("v1.32.", (string?)version["gitVersion"]);
    }

    [Fact]
    public async Task AggregatedDiscoveryHasContentTypeETagAndResponseKinds()
    {
        await using TestApiServer server = await TestApiServer.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/apis");
        request.Headers.TryAddWithoutValidation("Accept",
            "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json");
        HttpResponseMessage response = await server.Client.SendAsync(request);
        Assert.Equal("application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList", response.Content.Headers.ContentType!.ToString().Replace(" ", ""));
        JsonObject list = await ReadAsync(response);
        Assert.Equal("APIGroupDiscoveryList", (string?)list["kind"]);
        JsonNode apps = list["items"]!.AsArray().First(i => (string?)i!["metadata"]!["name"] == "apps")!;
        JsonNode deployments = apps["versions"]![0]!["resources"]!.AsArray().First(r => (string?)r!["resource"] == "deployments")!;
        Assert.Equal("Deployment", (string?)deployments["responseKind"]!["kind"]);
        Assert.Equal("Namespaced", (string?)deployments["scope"]);
        Assert.Contains(deployments["subresources"]!.AsArray(), s => (string?)s!["subresource"] == "scale" && (string?)s["responseKind"]!["kind"] == "Scale");

        string etag = response.Headers.ETag!.Tag;
        using var again = new HttpRequestMessage(HttpMethod.Get, "/apis");
        again.Headers.TryAddWithoutValidation("Accept", "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList");
        again.Headers.TryAddWithoutValidation("If-None-Match", etag);
        Assert.Equal(HttpStatusCode.NotModified, (await server.Client.SendAsync(again)).StatusCode);

        JsonObject legacy = (JsonObject)JsonNode.Parse(await server.Client.GetStringAsync("/api/v1"))!;
        Assert.Contains(legacy["resources"]!.AsArray(), r => (string?)r!["name"] == "pods/eviction" && (string?)r["group"] == "policy");
    }

    [Fact]
    public async Task ErrorsAreStatusObjectsWithUpstreamCodes()
    {
        await using TestApiServer server = await TestApiServer.StartAsync();
        HttpResponseMessage missing = await server.Client.GetAsync(ConfigMaps + "/nope");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        JsonObject status = await ReadAsync(missing);
        Assert.Equal("configmaps \"nope\" not found", (string?)status["message"]);
        Assert.Equal("configmaps", (string?)status["details"]!["kind"]);

        Assert.Equal(HttpStatusCode.NotFound, (await server.Client.GetAsync("/api/v1/foos")).StatusCode);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await server.Client.DeleteAsync("/api/v1/componentstatuses/x")).StatusCode);

        string big = "{\"metadata\":{\"name\":\"big\"},\"data\":{\"a\":\"" + new string('x', 3 * 1024 * 1024) + "\"}}";
        HttpResponseMessage tooLarge = await server.Client.PostAsync(ConfigMaps, JsonBody(big));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);
        Assert.Equal("RequestEntityTooLarge", (string?)(await ReadAsync(tooLarge))["reason"]);

        HttpResponseMessage malformed = await server.Client.PostAsync(ConfigMaps, JsonBody("{\"metadata\":"));
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);

        await server.Client.PostAsync(ConfigMaps, JsonBody("""{"metadata":{"name":"a"}}"""));
        using var patch = new HttpRequestMessage(HttpMethod.Patch, ConfigMaps + "/a") { Content = new StringContent("{}", Encoding.UTF8) };
        patch.Content.Headers.ContentType = new MediaTypeHeaderValue("text/plain");
        HttpResponseMessage unsupported = await server.Client.SendAsync(patch);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, unsupported.StatusCode);

        Assert.Equal((int)HttpStatusCode.NotAcceptable, (int)(await server.Client.SendAsync(WithAccept(ConfigMaps, "text/html"))).StatusCode);
    }

    [Fact]
    public async Task TablesCarryColumnsRowsAndResourceVersion()
    {
        await using TestApiServer server = await TestApiServer.StartAsync();
        await server.Client.PostAsync(ConfigMaps, JsonBody("""{"metadata":{"name":"a"},"data":{"x":"1","y":"2"}}"""));
        HttpResponseMessage response = await server.Client.SendAsync(WithAccept(ConfigMaps + "?includeObject=Object",
            "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"));
        JsonObject table = await ReadAsync(response);
        Assert.Equal("Table", (string?)table["kind"]);
        Assert.Equal(["Name", "Data", "Age"], table["columnDefinitions"]!.AsArray().Select(c => (string)c!["name"]!));
        JsonNode row = table["rows"]![0]!;
        Assert.Equal("a", (string?)row["cells"]![0]);
        Assert.Equal(2, (int)row["cells"]![1]!);
        Assert.Equal("ConfigMap", (string?)row["object"]!["kind"]);
        Assert.False(string.IsNullOrEmpty((string?)table["metadata"]!["resourceVersion"]));

        JsonObject single = await ReadAsync(await server.Client.SendAsync(WithAccept("/api/v1/namespaces/default",
            "application/json;as=Table;v=v1;g=meta.k8s.io")));
        Assert.Equal(["default", "Active"], single["rows"]![0]!["cells"]!.AsArray().Take(2).Select(c => (string)c!));
        Assert.Equal("PartialObjectMetadata", (string?)single["rows"]![0]!["object"]!["kind"]);
    }

    [Fact]
    public async Task WatchStreamsEventsAndExpiredAsErrorEvent()
    {
        await using TestApiServer server = await TestApiServer.StartAsync(TimeSpan.FromMilliseconds(300), new Watch.WatchCacheOptions(HistoryCapacity: 16));
        JsonObject list = (JsonObject)JsonNode.Parse(await server.Client.GetStringAsync(ConfigMaps))!;
        string rv = (string)list["metadata"]!["resourceVersion"]!;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using HttpResponseMessage watch = await server.Client.GetAsync($"{ConfigMaps}?watch=true&resourceVersion={rv}&allowWatchBookmarks=true",
            HttpCompletionOption.ResponseHeadersRead, cts.Token);
        using var reader = new StreamReader(await watch.Content.ReadAsStreamAsync(cts.Token));
        await server.Client.PostAsync(ConfigMaps, JsonBody("""{"metadata":{"name":"w"}}"""));
        var types = new List<string>();
        while (types.Count < 3)
        {
            string? line = await reader.ReadLineAsync(cts.Token);
            Assert.NotNull(line);
            using JsonDocument ev = JsonDocument.Parse(line);
            string type = ev.RootElement.GetProperty("type").GetString()!;
            if (types.Count == 0)
            {
                Assert.Equal("ADDED", type);
                Assert.Equal("w", ev.RootElement.GetProperty("object").GetProperty("metadata").GetProperty("name").GetString());
            }
            else
            {
                Assert.Equal("BOOKMARK", type);
            }

            types.Add(type);
        }

        for (int i = 0; i < 20; i++)
        {
            await server.Client.PostAsync(ConfigMaps, JsonBody($$$$"""{"metadata":{"name":"h{{{{i}}}}"}}"""));
        }

        using HttpResponseMessage expired = await server.Client.GetAsync($"{ConfigMaps}?watch=true&resourceVersion={rv}", cts.Token);
        string body = await expired.Content.ReadAsStringAsync(cts.Token);
        using JsonDocument error = JsonDocument.Parse(body);
        Assert.Equal("ERROR", error.RootElement.GetProperty("type").GetString());
        Assert.Equal(410, error.RootElement.GetProperty("object").GetProperty("code").GetInt32());
        Assert.Equal("Expired", error.RootElement.GetProperty("object").GetProperty("reason").GetString());
    }

    [Fact]
    public async Task DeleteCollectionAndLimitOverHttp()
    {
        await using TestApiServer server = await TestApiServer.StartAsync();
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.Created, (await server.Client.PostAsync(ConfigMaps, JsonBody($$$$"""{"metadata":{"name":"c{{{{i}}}}","labels":{"g":"x"}}}"""))).StatusCode);
        }

        JsonObject page = (JsonObject)JsonNode.Parse(await server.Client.GetStringAsync(ConfigMaps + "?limit=2"))!;
        Assert.Equal(2, page["items"]!.AsArray().Count);
        Assert.Equal(1, (int)page["metadata"]!["remainingItemCount"]!);
        Assert.False(string.IsNullOrEmpty((string?)page["metadata"]!["continue"]));

        HttpResponseMessage deleted = await server.Client.DeleteAsync(ConfigMaps + "?labelSelector=g%3Dx");
        Assert.Equal(3, (await ReadAsync(deleted))["items"]!.AsArray().Count);
        JsonObject after = (JsonObject)JsonNode.Parse(await server.Client.GetStringAsync(ConfigMaps))!;
        Assert.Empty(after["items"]!.AsArray());
    }

    [Fact]
    public async Task ScaleSubresourceProjectsAndValidates()
    {
        await using TestApiServer server = await TestApiServer.StartAsync();
        const string deployments = "/apis/apps/v1/namespaces/default/deployments";
        await server.Client.PostAsync(deployments, JsonBody("""{"metadata":{"name":"d"},"spec":{"replicas":2,"selector":{"matchLabels":{"app":"d"}},"template":{"metadata":{"labels":{"app":"d"}},"spec":{"containers":[{"name":"c","image":"nginx"}]}}}}"""));
        JsonObject scale = (JsonObject)JsonNode.Parse(await server.Client.GetStringAsync(deployments + "/d/scale"))!;
        Assert.Equal(("Scale", "autoscaling/v1", 2, "app=d"),
            ((string?)scale["kind"], (string?)scale["apiVersion"], (int)scale["spec"]!["replicas"]!, (string?)scale["status"]!["selector"]));

        HttpResponseMessage invalid = await server.Client.PutAsync(deployments + "/d/scale",
            JsonBody("""{"kind":"Scale","apiVersion":"autoscaling/v1","metadata":{"name":"d"},"spec":{"replicas":-1}}"""));
        Assert.Equal((HttpStatusCode)422, invalid.StatusCode);
        Assert.Contains("must be greater than or equal to 0", (string?)(await ReadAsync(invalid))["message"], StringComparison.Ordinal);

        HttpResponseMessage stale = await server.Client.PutAsync(deployments + "/d/scale",
            JsonBody("""{"kind":"Scale","apiVersion":"autoscaling/v1","metadata":{"name":"d","resourceVersion":"1"},"spec":{"replicas":5}}"""));
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);

        HttpResponseMessage ok = await server.Client.PutAsync(deployments + "/d/scale",
            JsonBody("""{"kind":"Scale","apiVersion":"autoscaling/v1","metadata":{"name":"d"},"spec":{"replicas":5}}"""));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        JsonObject deployment = (JsonObject)JsonNode.Parse(await server.Client.GetStringAsync(deployments + "/d"))!;
        Assert.Equal(5, (int)deployment["spec"]!["replicas"]!);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Client.GetAsync("/api/v1/namespaces/default/configmaps/x/scale")).StatusCode);
    }

    [Fact]
    public async Task SetBasedLabelSelectorsAndKindFieldSelectors()
    {
        await using TestApiServer server = await TestApiServer.StartAsync();
        await server.Client.PostAsync(ConfigMaps, JsonBody("""{"metadata":{"name":"a","labels":{"tier":"web"}}}"""));
        await server.Client.PostAsync(ConfigMaps, JsonBody("""{"metadata":{"name":"b","labels":{"tier":"db"}}}"""));
        await server.Client.PostAsync(ConfigMaps, JsonBody("""{"metadata":{"name":"c"}}"""));
        JsonObject set = (JsonObject)JsonNode.Parse(await server.Client.GetStringAsync(ConfigMaps + "?labelSelector=tier%20in%20(web,db),tier!%3Ddb"))!;
        Assert.Equal(["a"], set["items"]!.AsArray().Select(i => (string)i!["metadata"]!["name"]!));
        JsonObject absent = (JsonObject)JsonNode.Parse(await server.Client.GetStringAsync(ConfigMaps + "?labelSelector=!tier"))!;
        Assert.Equal(["c"], absent["items"]!.AsArray().Select(i => (string)i!["metadata"]!["name"]!));

        const string pods = "/api/v1/namespaces/default/pods";
        await server.Client.PostAsync(pods, JsonBody("""{"metadata":{"name":"p1"},"spec":{"nodeName":"n1","containers":[{"name":"c","image":"i"}]}}"""));
        await server.Client.PostAsync(pods, JsonBody("""{"metadata":{"name":"p2"},"spec":{"containers":[{"name":"c","image":"i"}]}}"""));
        JsonObject onNode = (JsonObject)JsonNode.Parse(await server.Client.GetStringAsync(pods + "?fieldSelector=spec.nodeName%3Dn1"))!;
        Assert.Equal(["p1"], onNode["items"]!.AsArray().Select(i => (string)i!["metadata"]!["name"]!));

        HttpResponseMessage bad = await server.Client.GetAsync(ConfigMaps + "?fieldSelector=spec.nodeName%3Dn1");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await server.Client.GetAsync(ConfigMaps + "?labelSelector=a%20in")).StatusCode);
    }

    private static HttpRequestMessage WithAccept(string uri, string accept)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.Headers.TryAddWithoutValidation("Accept", accept);
        return request;
    }
}
