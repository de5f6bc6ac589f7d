using System.Net;
using System.Text.Json.Nodes;
using Korvet.ApiServer.Tests.Support;

namespace Korvet.ApiServer.Tests.OpenApi;

public sealed class OpenApiHttpTests
{
    [Fact]
    public async Task V3RootAndGroupVersionDocumentsHonourHashETagAndAccept()
    {
        await using TestApiServer server = await TestApiServer.StartAsync();
        HttpResponseMessage rootResponse = await server.Client.GetAsync("/openapi/v3");
        Assert.Equal(HttpStatusCode.OK, rootResponse.StatusCode);
        Assert.Equal("application/json", rootResponse.Content.Headers.ContentType!.MediaType);
        JsonObject root = (JsonObject)JsonNode.Parse(await rootResponse.Content.ReadAsStringAsync())!;
        string url = (string)root["paths"]!["apis/apps/v1"]!["serverRelativeURL"]!;
        string hash = url[(url.IndexOf("hash=", StringComparison.Ordinal) + 5)..];

        HttpResponseMessage doc = await server.Client.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, doc.StatusCode);
        Assert.Equal($"\"{hash}\"", doc.Headers.ETag!.Tag);
        Assert.Contains("immutable", doc.Headers.CacheControl!.ToString());
        JsonObject apps = (JsonObject)JsonNode.Parse(await doc.Content.ReadAsStringAsync())!;
        Assert.True(apps["components"]!["schemas"]!.AsObject().ContainsKey("io.k8s.api.apps.v1.Deployment"));

        using var conditional = new HttpRequestMessage(HttpMethod.Get, "/openapi/v3/apis/apps/v1");
        conditional.Headers.TryAddWithoutValidation("If-None-Match", doc.Headers.ETag.Tag);
        Assert.Equal(HttpStatusCode.NotModified, (await server.Client.SendAsync(conditional)).StatusCode);

        using var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            SslOptions = { RemoteCertificateValidationCallback = (_, cert, _, _) => cert is not null }, // loopback test server only
        };
        using var noRedirect = new HttpClient(handler) { BaseAddress = server.Server.BaseAddress };
        noRedirect.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", TestApiServer.Token);
        HttpResponseMessage stale = await noRedirect.GetAsync("/openapi/v3/apis/apps/v1?hash=0000");
        Assert.Equal(HttpStatusCode.MovedPermanently, stale.StatusCode);
        Assert.Equal(url, stale.Headers.Location!.OriginalString);

        using var protobuf = new HttpRequestMessage(HttpMethod.Get, url);
        protobuf.Headers.TryAddWithoutValidation("Accept", "application/com.github.proto-openapi.spec.v3@v1.0+protobuf");
        HttpResponseMessage refused = await server.Client.SendAsync(protobuf);
        Assert.Equal(HttpStatusCode.NotAcceptable, refused.StatusCode);
        Assert.Equal("NotAcceptable", (string?)JsonNode.Parse(await refused.Content.ReadAsStringAsync())!["reason"]);

        Assert.Equal(HttpStatusCode.NotFound, (await server.Client.GetAsync("/openapi/v3/apis/nope/v1")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.CreateClient(null).GetAsync("/openapi/v3")).StatusCode);
    }

    [Fact]
    public async Task V2IsServedAsJson()
    {
        await using TestApiServer server = await TestApiServer.StartAsync();
        HttpResponseMessage response = await server.Client.GetAsync("/openapi/v2");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        JsonObject doc = (JsonObject)JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("2.0", (string?)doc["swagger"]);
        Assert.NotNull(response.Headers.ETag);

        using var protobuf = new HttpRequestMessage(HttpMethod.Get, "/openapi/v2");
        protobuf.Headers.TryAddWithoutValidation("Accept", "application/com.github.proto-openapi.spec.v2@v1.0+protobuf");
        HttpResponseMessage pb = await server.Client.SendAsync(protobuf);
        Assert.Equal(HttpStatusCode.OK, pb.StatusCode);
        Assert.Equal("application/com.github.proto-openapi.spec.v2.v1.0+protobuf", pb.Content.Headers.ContentType!.MediaType);
        byte[] body = await pb.Content.ReadAsByteArrayAsync();
        Assert.Equal([0x0a, 0x03, (byte)'2', (byte)'.', (byte)'0'], body[..5]); // field 1 (swagger) = "2.0"
        Assert.NotEqual(response.Headers.ETag!.Tag, pb.Headers.ETag!.Tag);
    }
}
