using System.Buffers.Binary;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Korvet.Api.Protobuf;
using Korvet.Api.Serialization;
using Korvet.ApiServer.Tests.Support;

namespace Korvet.ApiServer.Tests.Http;

/// <summary>YAML and protobuf responses, decoded with the repository's codecs and compared with the JSON answers.</summary>
public sealed class ResponseEncodingTests
{
    private const string ConfigMaps = "/api/v1/namespaces/default/configmaps";
    private const string Deployments = "/apis/apps/v1/namespaces/default/deployments";
    private const string Protobuf = "application/vnd.kubernetes.protobuf";

    private static readonly ProtobufCodec Codec = new(Korvet.Api.Generated.ApiSchemas.Kubernetes);

    private const string Deployment = """
        {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","labels":{"app":"web"}},
         "spec":{"replicas":2,"selector":{"matchLabels":{"app":"web"}},
          "strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":"25%","maxUnavailable":1}},
          "template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"c","image":"nginx",
           "resources":{"limits":{"cpu":"500m","memory":"128Mi"}},"ports":[{"containerPort":80}]}]}}}}
        """;

    private static async Task<TestApiServer> StartWithObjectsAsync()
    {
        TestApiServer server = await TestApiServer.StartAsync();
        Assert.Equal(HttpStatusCode.Created, (await server.Client.PostAsync(ConfigMaps,
            Json("""{"metadata":{"name":"a","annotations":{"n":"1"}},"data":{"x":"1","multi":"l1\nl2\n","num":"007"}}"""))).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await server.Client.PostAsync(Deployments, Json(Deployment))).StatusCode);
        return server;
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static async Task<HttpResponseMessage> GetAsync(TestApiServer server, string uri, string accept)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.Headers.TryAddWithoutValidation("Accept", accept);
        return await server.Client.SendAsync(request);
    }

    private static JsonObject DecodeProtobuf(byte[] body)
    {
        Assert.True(ProtobufCodec.HasMagic(body));
        JsonObject obj = Codec.DecodeEnvelope(body).Object;
        DropNulls(obj);
        return obj;
    }

    /// <summary>The transcoder writes null for unset pointers; JSON answers omit them.</summary>
    private static void DropNulls(JsonNode? node)
    {
        if (node is JsonObject obj)
        {
            foreach (string key in obj.Where(p => p.Value is null).Select(p => p.Key).ToList())
            {
                obj.Remove(key);
            }

            foreach ((_, JsonNode? child) in obj)
            {
                DropNulls(child);
            }
        }
        else if (node is JsonArray array)
        {
            foreach (JsonNode? child in array)
            {
                DropNulls(child);
            }
        }
    }

    /// <summary>List items carry no TypeMeta in protobuf (only the envelope names a type), as upstream.</summary>
    private static void WithoutItemTypes(JsonNode json)
    {
        foreach (JsonNode? item in json["items"]?.AsArray() ?? [])
        {
            item!.AsObject().Remove("kind");
            item.AsObject().Remove("apiVersion");
        }
    }

    private static void AssertSameJson(JsonNode expected, JsonNode? actual) =>
        Assert.True(JsonNode.DeepEquals(expected, actual), $"expected {expected.ToJsonString()}\n  actual {actual?.ToJsonString()}");

    [Theory]
    [InlineData(ConfigMaps + "/a")]
    [InlineData(Deployments + "/web")]
    [InlineData(ConfigMaps)]
    [InlineData(Deployments)]
    public async Task YamlAndProtobufCarryTheSameObjectAsJson(string uri)
    {
        await using TestApiServer server = await StartWithObjectsAsync();
        JsonNode json = JsonNode.Parse(await server.Client.GetStringAsync(uri))!;

        HttpResponseMessage yaml = await GetAsync(server, uri, "application/yaml");
        Assert.Equal(HttpStatusCode.OK, yaml.StatusCode);
        Assert.Equal("application/yaml", yaml.Content.Headers.ContentType!.MediaType);
        string yamlText = await yaml.Content.ReadAsStringAsync();
        Assert.DoesNotContain("{", yamlText.Split('\n')[0], StringComparison.Ordinal);
        AssertSameJson(json, YamlReader.ParseDocument(yamlText));

        HttpResponseMessage proto = await GetAsync(server, uri, Protobuf + ", application/json");
        Assert.Equal(HttpStatusCode.OK, proto.StatusCode);
        Assert.Equal(Protobuf, proto.Content.Headers.ContentType!.MediaType);
        WithoutItemTypes(json);
        AssertSameJson(json, DecodeProtobuf(await proto.Content.ReadAsByteArrayAsync()));
    }

    [Fact]
    public async Task QualityValuesAndWildcardsPickTheEncoding()
    {
        await using TestApiServer server = await StartWithObjectsAsync();
        string uri = ConfigMaps + "/a";
        Assert.Equal("application/yaml", (await GetAsync(server, uri, "application/json;q=0.5, application/yaml")).Content.Headers.ContentType!.MediaType);
        Assert.Equal("application/json", (await GetAsync(server, uri, "application/yaml;q=0.2, */*;q=0.9")).Content.Headers.ContentType!.MediaType);
        Assert.Equal(Protobuf, (await GetAsync(server, uri, "application/json;q=0.1, " + Protobuf)).Content.Headers.ContentType!.MediaType);
        Assert.Equal("application/json", (await GetAsync(server, uri, Protobuf + ";q=0, application/json")).Content.Headers.ContentType!.MediaType);
        Assert.Equal("application/json", (await GetAsync(server, uri, "*/*")).Content.Headers.ContentType!.MediaType);

        HttpResponseMessage refused = await GetAsync(server, uri, "text/html, application/xml");
        Assert.Equal(HttpStatusCode.NotAcceptable, refused.StatusCode);
        JsonNode status = JsonNode.Parse(await refused.Content.ReadAsStringAsync())!;
        Assert.Equal(("Status", 406), ((string?)status["kind"], (int)status["code"]!));
    }

    [Fact]
    public async Task ErrorsComeInTheNegotiatedEncoding()
    {
        await using TestApiServer server = await StartWithObjectsAsync();
        HttpResponseMessage proto = await GetAsync(server, ConfigMaps + "/missing", Protobuf);
        Assert.Equal(HttpStatusCode.NotFound, proto.StatusCode);
        Assert.Equal(Protobuf, proto.Content.Headers.ContentType!.MediaType);
        JsonObject status = DecodeProtobuf(await proto.Content.ReadAsByteArrayAsync());
        Assert.Equal(("Status", "NotFound", 404, "configmaps \"missing\" not found"),
            ((string?)status["kind"], (string?)status["reason"], (int)status["code"]!, (string?)status["message"]));

        HttpResponseMessage yaml = await GetAsync(server, ConfigMaps + "/missing", "application/yaml");
        Assert.Equal("application/yaml", yaml.Content.Headers.ContentType!.MediaType);
        Assert.Equal("NotFound", (string?)YamlReader.ParseDocument(await yaml.Content.ReadAsStringAsync())!["reason"]);

        // A Table request's error is plain JSON (errors are never transformed).
        HttpResponseMessage table = await GetAsync(server, ConfigMaps + "/missing", "application/json;as=Table;v=v1;g=meta.k8s.io");
        Assert.Equal("application/json", table.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task TablesStayJsonWhenProtobufIsOfferedFirst()
    {
        await using TestApiServer server = await StartWithObjectsAsync();
        HttpResponseMessage response = await GetAsync(server, ConfigMaps,
            Protobuf + ";as=Table;v=v1;g=meta.k8s.io, application/json;as=Table;v=v1;g=meta.k8s.io, application/json");
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("Table", (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["kind"]);

        HttpResponseMessage only = await GetAsync(server, ConfigMaps, Protobuf + ";as=Table;v=v1;g=meta.k8s.io");
        Assert.Equal(HttpStatusCode.NotAcceptable, only.StatusCode);
    }

    [Fact]
    public async Task PartialObjectMetadataListInProtobuf()
    {
        await using TestApiServer server = await StartWithObjectsAsync();
        const string As = ";as=PartialObjectMetadataList;g=meta.k8s.io;v=v1";
        JsonNode json = JsonNode.Parse(await (await GetAsync(server, ConfigMaps, "application/json" + As)).Content.ReadAsStringAsync())!;
        HttpResponseMessage proto = await GetAsync(server, ConfigMaps, Protobuf + As + ",application/json" + As);
        Assert.Equal(Protobuf, proto.Content.Headers.ContentType!.MediaType);
        JsonObject list = DecodeProtobuf(await proto.Content.ReadAsByteArrayAsync());
        Assert.Equal("PartialObjectMetadataList", (string?)list["kind"]);
        WithoutItemTypes(json);
        AssertSameJson(json["items"]!, list["items"]);
    }

    [Fact]
    public async Task WritesAnswerInProtobuf()
    {
        await using TestApiServer server = await StartWithObjectsAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, ConfigMaps) { Content = Json("""{"metadata":{"name":"b"},"data":{"k":"v"}}""") };
        request.Headers.TryAddWithoutValidation("Accept", Protobuf);
        HttpResponseMessage created = await server.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        JsonObject obj = DecodeProtobuf(await created.Content.ReadAsByteArrayAsync());
        AssertSameJson(JsonNode.Parse(await server.Client.GetStringAsync(ConfigMaps + "/b"))!, obj);
    }

    [Fact]
    public async Task ProtobufWatchSendsLengthPrefixedWatchEvents()
    {
        await using TestApiServer server = await StartWithObjectsAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, ConfigMaps + "?watch=true&resourceVersion=0&timeoutSeconds=2");
        request.Headers.TryAddWithoutValidation("Accept", Protobuf + ", application/json");
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using HttpResponseMessage response = await server.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cts.Token);
        Assert.Equal("application/vnd.kubernetes.protobuf;stream=watch", response.Content.Headers.ContentType!.ToString().Replace(" ", ""));
        Stream stream = await response.Content.ReadAsStreamAsync(cts.Token);
        (string type, JsonObject first) = await ReadFrameAsync(stream, cts.Token);
        Assert.Equal("ADDED", type);
        AssertSameJson(JsonNode.Parse(await server.Client.GetStringAsync(ConfigMaps + "/a"))!, first);

        Assert.Equal(HttpStatusCode.OK, (await server.Client.DeleteAsync(ConfigMaps + "/a")).StatusCode);
        (string deletedType, JsonObject deleted) = await ReadFrameAsync(stream, cts.Token);
        Assert.Equal(("DELETED", "a", "ConfigMap"), (deletedType, (string?)deleted["metadata"]!["name"], (string?)deleted["kind"]));
    }

    [Fact]
    public async Task YamlWatchIsNotAcceptable()
    {
        await using TestApiServer server = await StartWithObjectsAsync();
        HttpResponseMessage response = await GetAsync(server, ConfigMaps + "?watch=true", "application/yaml");
        Assert.Equal(HttpStatusCode.NotAcceptable, response.StatusCode);
    }

    private static async Task<(string Type, JsonObject Object)> ReadFrameAsync(Stream stream, CancellationToken ct)
    {
        byte[] length = new byte[4];
        await stream.ReadExactlyAsync(length, ct);
        byte[] frame = new byte[BinaryPrimitives.ReadInt32BigEndian(length)];
        await stream.ReadExactlyAsync(frame, ct);
        Assert.False(ProtobufCodec.HasMagic(frame), "stream frames are raw WatchEvent messages");
        (string type, byte[] raw) = ParseWatchEvent(frame);
        return (type, DecodeProtobuf(raw));
    }

    private static (string Type, byte[] Raw) ParseWatchEvent(byte[] frame)
    {
        string type = "";
        byte[] raw = [];
        var reader = new ProtoReader(frame);
        while (!reader.End)
        {
            (int number, WireType wire) = reader.ReadTag();
            if (number == 1)
            {
                type = Encoding.UTF8.GetString(reader.ReadBytes());
            }
            else if (number == 2)
            {
                var extension = new ProtoReader(reader.ReadBytes());
                while (!extension.End)
                {
                    (int n, WireType w) = extension.ReadTag();
                    if (n == 1)
                    {
                        raw = extension.ReadBytes().ToArray();
                    }
                    else
                    {
                        extension.Skip(w);
                    }
                }
            }
            else
            {
                reader.Skip(wire);
            }
        }

        return (type, raw);
    }
}
