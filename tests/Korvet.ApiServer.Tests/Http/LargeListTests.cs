using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Korvet.ApiServer.Tests.Support;

namespace Korvet.ApiServer.Tests.Http;

/// <summary>JSON lists are streamed from the cached objects' bytes; the answer must still be one exact JSON document.</summary>
public sealed class LargeListTests
{
    [Fact]
    public async Task AListLargerThanOneWriteSliceIsOneValidDocumentWithAnExactContentLength()
    {
        await using TestApiServer server = await TestApiServer.StartAsync();
        string payload = new('x', 2000);
        for (int i = 0; i < 60; i++)
        {
            string json = "{\"metadata\":{\"name\":\"big-" + i + "\"},\"data\":{\"v\":\"" + payload + "\"}}";
            using var content = new StringContent(json, Encoding.UTF8, "application/json");
            Assert.Equal(HttpStatusCode.Created, (await server.Client.PostAsync("/api/v1/namespaces/default/configmaps", content)).StatusCode);
        }

        foreach (string query in new[] { "", "?resourceVersion=0", "?limit=25" })
        {
            using HttpResponseMessage response = await server.Client.GetAsync("/api/v1/namespaces/default/configmaps" + query);
            byte[] body = await response.Content.ReadAsByteArrayAsync();
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(body.Length, response.Content.Headers.ContentLength);
            var list = (JsonObject)JsonNode.Parse(body)!;
            Assert.Equal("ConfigMapList", (string?)list["kind"]);
            Assert.Equal("v1", (string?)list["apiVersion"]);
            JsonArray items = list["items"]!.AsArray();
            Assert.Equal(query == "?limit=25" ? 25 : 60, items.Count);
            Assert.All(items, item => Assert.Equal(payload, (string?)item!["data"]!["v"]));
            Assert.NotNull(list["metadata"]!["resourceVersion"]);
            Assert.Equal(query == "?limit=25", list["metadata"]!["continue"] is not null);
        }

        using var empty = await server.Client.GetAsync("/api/v1/namespaces/kube-public/configmaps");
        byte[] emptyBody = await empty.Content.ReadAsByteArrayAsync();
        Assert.Empty(JsonNode.Parse(emptyBody)!["items"]!.AsArray());
        Assert.Equal(emptyBody.Length, empty.Content.Headers.ContentLength);
    }
}
