using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Korvet.Api.Generated;
using Korvet.Api.Protobuf;
using Korvet.ApiServer.Tests.Support;

namespace Korvet.ApiServer.Tests.Http;

/// <summary>
/// DELETE bodies (meta/v1 DeleteOptions) in every encoding a client sends: JSON, YAML, and protobuf, which client-go
/// uses when its content type is protobuf (helm's purge of release Secrets on uninstall does).
/// </summary>
public sealed class DeleteOptionsBodyTests
{
    private static readonly ProtobufCodec Protobuf = new(ApiSchemas.Kubernetes);

    [Fact]
    public async Task AProtobufDeleteOptionsBodyIsDecodedAndItsPreconditionsApply()
    {
        await using TestApiServer server = await TestApiServer.StartAsync();
        string uid = await CreateConfigMapAsync(server, "pb");

        var wrong = new JsonObject { ["preconditions"] = new JsonObject { ["uid"] = "not-" + uid } };
        using (HttpResponseMessage conflict = await DeleteAsync(server, "pb", Protobuf.EncodeEnvelope("v1", "DeleteOptions", wrong), ProtobufCodec.MediaType))
        {
            Assert.Equal(HttpStatusCode.Conflict, conflict.StatusCode);
            Assert.Contains("Precondition failed: UID in precondition", await conflict.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        var right = new JsonObject { ["preconditions"] = new JsonObject { ["uid"] = uid }, ["propagationPolicy"] = "Background" };
        using (HttpResponseMessage deleted = await DeleteAsync(server, "pb", Protobuf.EncodeEnvelope("v1", "DeleteOptions", right), ProtobufCodec.MediaType))
        {
            Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        }

        using HttpResponseMessage gone = await server.Client.GetAsync("/api/v1/namespaces/default/configmaps/pb");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task JsonAndYamlBodiesCarryTheirOptions()
    {
        await using TestApiServer server = await TestApiServer.StartAsync();
        await CreateConfigMapAsync(server, "dry");
        byte[] dryRunYaml = Encoding.UTF8.GetBytes("apiVersion: v1\nkind: DeleteOptions\ndryRun: [All]\n");
        using (HttpResponseMessage dry = await DeleteAsync(server, "dry", dryRunYaml, "application/yaml"))
        {
            Assert.Equal(HttpStatusCode.OK, dry.StatusCode);
        }

        using (HttpResponseMessage still = await server.Client.GetAsync("/api/v1/namespaces/default/configmaps/dry"))
        {
            Assert.Equal(HttpStatusCode.OK, still.StatusCode);
        }

        byte[] badPolicy = Encoding.UTF8.GetBytes("""{"propagationPolicy":"Sideways"}""");
        using HttpResponseMessage refused = await DeleteAsync(server, "dry", badPolicy, "application/json");
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        string message = (string)JsonNode.Parse(await refused.Content.ReadAsStringAsync())!["message"]!;
        Assert.Equal("propagationPolicy: Unsupported value: \"Sideways\": supported values: \"Foreground\", \"Background\", \"Orphan\"", message);
    }

    [Theory]
    [InlineData("application/json", "{not json", "error decoding DeleteOptions:")]
    [InlineData("application/json", "[1,2]", "error decoding DeleteOptions: the body must be an object")]
    [InlineData("application/vnd.kubernetes.protobuf", "k8s\u0000\u0001", "error decoding DeleteOptions: protobuf")]
    public async Task MalformedBodiesAreRejectedWithBadRequestAndNothingIsDeleted(string mediaType, string body, string message)
    {
        await using TestApiServer server = await TestApiServer.StartAsync();
        await CreateConfigMapAsync(server, "keep");
        using (HttpResponseMessage response = await DeleteAsync(server, "keep", Encoding.Latin1.GetBytes(body), mediaType))
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains(message, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using HttpResponseMessage still = await server.Client.GetAsync("/api/v1/namespaces/default/configmaps/keep");
        Assert.Equal(HttpStatusCode.OK, still.StatusCode);
    }

    private static async Task<string> CreateConfigMapAsync(TestApiServer server, string name)
    {
        string json = new JsonObject { ["apiVersion"] = "v1", ["kind"] = "ConfigMap", ["metadata"] = new JsonObject { ["name"] = name } }.ToJsonString();
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using HttpResponseMessage created = await server.Client.PostAsync("/api/v1/namespaces/default/configmaps", content);
        created.EnsureSuccessStatusCode();
        return (string)JsonNode.Parse(await created.Content.ReadAsStringAsync())!["metadata"]!["uid"]!;
    }

    private static async Task<HttpResponseMessage> DeleteAsync(TestApiServer server, string name, byte[] body, string mediaType)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        using var request = new HttpRequestMessage(HttpMethod.Delete, $"/api/v1/namespaces/default/configmaps/{name}") { Content = content };
        return await server.Client.SendAsync(request);
    }
}
