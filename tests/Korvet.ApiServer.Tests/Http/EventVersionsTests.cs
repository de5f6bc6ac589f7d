using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Korvet.ApiServer.Tests.Support;

namespace Korvet.ApiServer.Tests.Http;

/// <summary>core/v1 and events.k8s.io/v1 Events are one set of stored objects, converted field by field.</summary>
public sealed class EventVersionsTests
{
    private const string Core = "/api/v1/namespaces/default/events";
    private const string Events = "/apis/events.k8s.io/v1/namespaces/default/events";

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static async Task<JsonObject> ReadAsync(HttpResponseMessage response)
    {
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return (JsonObject)JsonNode.Parse(text)!;
    }

    [Fact]
    public async Task CoreEventsReadAsEventsV1AndBack()
    {
        await using TestApiServer server = await TestApiServer.StartAsync();
        JsonObject created = await ReadAsync(await server.Client.PostAsync(Core, Json("""
            {"metadata":{"name":"e1"},"involvedObject":{"kind":"Pod","name":"p","namespace":"default"},
             "reason":"Started","message":"started container","type":"Normal","count":3,
             "firstTimestamp":"2026-01-01T00:00:00Z","lastTimestamp":"2026-01-01T00:01:00Z",
             "source":{"component":"kubelet","host":"n1"},"reportingComponent":"kubelet","reportingInstance":"n1"}
            """)));
        Assert.Equal("v1", (string?)created["apiVersion"]);

        JsonObject ev = await ReadAsync(await server.Client.GetAsync(Events + "/e1"));
        Assert.Equal(("events.k8s.io/v1", "Event"), ((string?)ev["apiVersion"], (string?)ev["kind"]));
        Assert.Equal("started container", (string?)ev["note"]);
        Assert.Equal("p", (string?)ev["regarding"]!["name"]);
        Assert.Equal("kubelet", (string?)ev["reportingController"]);
        Assert.Equal(3, (int)ev["deprecatedCount"]!);
        Assert.Equal("2026-01-01T00:00:00Z", (string?)ev["deprecatedFirstTimestamp"]);
        Assert.Equal("n1", (string?)ev["deprecatedSource"]!["host"]);
        Assert.Null(ev["message"]);
        Assert.Null(ev["involvedObject"]);
        Assert.Equal((string?)created["metadata"]!["resourceVersion"], (string?)ev["metadata"]!["resourceVersion"]);

        JsonObject list = await ReadAsync(await server.Client.GetAsync(Events));
        Assert.Equal("EventList", (string?)list["kind"]);
        Assert.Equal("events.k8s.io/v1", (string?)list["apiVersion"]);
        JsonNode item = Assert.Single(list["items"]!.AsArray())!;
        Assert.Equal(("events.k8s.io/v1", "started container"), ((string?)item["apiVersion"], (string?)item["note"]));
    }

    [Fact]
    public async Task EventsV1WritesAndPatchesLandInTheCoreObjects()
    {
        await using TestApiServer server = await TestApiServer.StartAsync();
        JsonObject created = await ReadAsync(await server.Client.PostAsync(Events, Json("""
            {"apiVersion":"events.k8s.io/v1","kind":"Event","metadata":{"name":"e2"},
             "eventTime":"2026-01-01T00:00:00.000000Z","reportingController":"korvet/test","reportingInstance":"i1",
             "action":"Scheduling","reason":"Scheduled","note":"assigned","type":"Normal",
             "regarding":{"kind":"Pod","name":"p2","namespace":"default"}}
            """)));
        Assert.Equal(("events.k8s.io/v1", "assigned"), ((string?)created["apiVersion"], (string?)created["note"]));

        JsonObject core = await ReadAsync(await server.Client.GetAsync(Core + "/e2"));
        Assert.Equal(("v1", "assigned", "p2", "korvet/test"),
            ((string?)core["apiVersion"], (string?)core["message"], (string?)core["involvedObject"]!["name"], (string?)core["reportingComponent"]));
        Assert.Null(core["note"]);

        using var merge = new HttpRequestMessage(HttpMethod.Patch, Events + "/e2") { Content = new StringContent("""{"note":"merged"}""", Encoding.UTF8) };
        merge.Content.Headers.ContentType = new MediaTypeHeaderValue("application/merge-patch+json");
        Assert.Equal("merged", (string?)(await ReadAsync(await server.Client.SendAsync(merge)))["note"]);
        Assert.Equal("merged", (string?)(await ReadAsync(await server.Client.GetAsync(Core + "/e2")))["message"]);

        using var jsonPatch = new HttpRequestMessage(HttpMethod.Patch, Events + "/e2")
        {
            Content = new StringContent("""[{"op":"replace","path":"/note","value":"patched"},{"op":"add","path":"/deprecatedCount","value":7}]""", Encoding.UTF8),
        };
        jsonPatch.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json-patch+json");
        await ReadAsync(await server.Client.SendAsync(jsonPatch));
        JsonObject after = await ReadAsync(await server.Client.GetAsync(Core + "/e2"));
        Assert.Equal(("patched", 7), ((string?)after["message"], (int)after["count"]!));

        // Updates through events.k8s.io carry the events form of the object read there.
        JsonObject current = await ReadAsync(await server.Client.GetAsync(Events + "/e2"));
        current["note"] = "updated";
        await ReadAsync(await server.Client.PutAsync(Events + "/e2", Json(current.ToJsonString())));
        Assert.Equal("updated", (string?)(await ReadAsync(await server.Client.GetAsync(Core + "/e2")))["message"]);

        Assert.Equal(HttpStatusCode.OK, (await server.Client.DeleteAsync(Events + "/e2")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Client.GetAsync(Core + "/e2")).StatusCode);
    }

    [Fact]
    public async Task EventsV1WatchSendsConvertedObjects()
    {
        await using TestApiServer server = await TestApiServer.StartAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using HttpResponseMessage response = await server.Client.GetAsync(Events + "?watch=true", HttpCompletionOption.ResponseHeadersRead, cts.Token);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cts.Token));
        await ReadAsync(await server.Client.PostAsync(Core, Json("""
            {"metadata":{"name":"w1"},"involvedObject":{"kind":"Pod","name":"p"},"reason":"X","message":"seen","type":"Normal"}
            """)));
        JsonObject line = (JsonObject)JsonNode.Parse((await reader.ReadLineAsync(cts.Token))!)!;
        Assert.Equal("ADDED", (string?)line["type"]);
        Assert.Equal(("events.k8s.io/v1", "seen", "p"),
            ((string?)line["object"]!["apiVersion"], (string?)line["object"]!["note"], (string?)line["object"]!["regarding"]!["name"]));
    }

    [Fact]
    public async Task ServerSideApplyThroughEventsV1MergesTheEventsForm()
    {
        await using TestApiServer server = await TestApiServer.StartAsync();
        using var apply = new HttpRequestMessage(HttpMethod.Patch, Events + "/a1?fieldManager=recorder")
        {
            Content = new StringContent("""
                apiVersion: events.k8s.io/v1
                kind: Event
                metadata: {name: a1}
                eventTime: "2026-01-01T00:00:00.000000Z"
                reportingController: korvet/test
                reportingInstance: i1
                action: Pulling
                reason: Pulling
                note: pulling image
                type: Normal
                regarding: {kind: Pod, name: p3, namespace: default}
                """, Encoding.UTF8),
        };
        apply.Content.Headers.ContentType = new MediaTypeHeaderValue("application/apply-patch+yaml");
        JsonObject applied = await ReadAsync(await server.Client.SendAsync(apply));
        Assert.Equal(("events.k8s.io/v1", "pulling image"), ((string?)applied["apiVersion"], (string?)applied["note"]));

        JsonObject core = await ReadAsync(await server.Client.GetAsync(Core + "/a1"));
        Assert.Equal(("pulling image", "p3"), ((string?)core["message"], (string?)core["involvedObject"]!["name"]));
        JsonNode entry = Assert.Single(core["metadata"]!["managedFields"]!.AsArray())!;
        Assert.Equal(("Apply", "events.k8s.io/v1"), ((string?)entry["operation"], (string?)entry["apiVersion"]));
        Assert.NotNull(entry["fieldsV1"]!["f:note"]);
    }
}
