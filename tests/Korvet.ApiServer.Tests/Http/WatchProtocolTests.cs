using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Korvet.ApiServer.Tests.Support;

namespace Korvet.ApiServer.Tests.Http;

public sealed class WatchProtocolTests
{
    private const string ConfigMaps = "/api/v1/namespaces/default/configmaps";

    [Fact]
    public async Task SendInitialEventsEndsWithAnnotatedBookmark()
    {
        await using TestApiServer server = await TestApiServer.StartAsync();
        await server.Client.PostAsync(ConfigMaps, new StringContent("""{"metadata":{"name":"a"}}""", Encoding.UTF8, "application/json"));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        using HttpResponseMessage response = await server.Client.GetAsync(
            $"{ConfigMaps}?watch=true&sendInitialEvents=true&allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan",
            HttpCompletionOption.ResponseHeadersRead, cts.Token);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cts.Token));
        using JsonDocument added = JsonDocument.Parse((await reader.ReadLineAsync(cts.Token))!);
        Assert.Equal("ADDED", added.RootElement.GetProperty("type").GetString());
        using JsonDocument bookmark = JsonDocument.Parse((await reader.ReadLineAsync(cts.Token))!);
        Assert.Equal("BOOKMARK", bookmark.RootElement.GetProperty("type").GetString());
        JsonElement meta = bookmark.RootElement.GetProperty("object").GetProperty("metadata");
        Assert.Equal("true", meta.GetProperty("annotations").GetProperty("k8s.io/initial-events-end").GetString());
        Assert.Equal("ConfigMap", bookmark.RootElement.GetProperty("object").GetProperty("kind").GetString());
    }

    [Fact]
    public async Task TableWatchCarriesOneRowPerEventAndTimeoutEndsStream()
    {
        await using TestApiServer server = await TestApiServer.StartAsync();
        await server.Client.PostAsync(ConfigMaps, new StringContent("""{"metadata":{"name":"t1"}}""", Encoding.UTF8, "application/json"));
        await server.Client.PostAsync(ConfigMaps, new StringContent("""{"metadata":{"name":"t2"}}""", Encoding.UTF8, "application/json"));
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{ConfigMaps}?watch=true&resourceVersion=0&timeoutSeconds=1&fieldSelector=metadata.name%3Dt2");
        request.Headers.TryAddWithoutValidation("Accept", "application/json;as=Table;v=v1;g=meta.k8s.io");
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        using HttpResponseMessage response = await server.Client.SendAsync(request, cts.Token);
        string[] lines = (await response.Content.ReadAsStringAsync(cts.Token)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        JsonObject only = (JsonObject)JsonNode.Parse(Assert.Single(lines))!;
        Assert.Equal("ADDED", (string?)only["type"]);
        JsonNode table = only["object"]!;
        Assert.Equal("Table", (string?)table["kind"]);
        Assert.Equal("t2", (string?)table["rows"]![0]!["cells"]![0]);
        Assert.NotEmpty(table["columnDefinitions"]!.AsArray());
    }

    [Fact]
    public async Task PartialObjectMetadataList()
    {
        await using TestApiServer server = await TestApiServer.StartAsync();
        await server.Client.PostAsync(ConfigMaps, new StringContent("""{"metadata":{"name":"p"},"data":{"secret":"x"}}""", Encoding.UTF8, "application/json"));
        using var request = new HttpRequestMessage(HttpMethod.Get, ConfigMaps);
        request.Headers.TryAddWithoutValidation("Accept", "application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io");
        JsonObject list = (JsonObject)JsonNode.Parse(await (await server.Client.SendAsync(request)).Content.ReadAsStringAsync())!;
        Assert.Equal("PartialObjectMetadataList", (string?)list["kind"]);
        JsonNode item = list["items"]![0]!;
        Assert.Equal(("PartialObjectMetadata", "p"), ((string?)item["kind"], (string?)item["metadata"]!["name"]));
        Assert.Null(item["data"]);
    }
}
