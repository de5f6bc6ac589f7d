using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Korvet.ApiServer.Tests.Support;

namespace Korvet.ApiServer.Tests.Http;

/// <summary>Throws generated malformed requests at the server: each must get a 4xx Status, and the server stays healthy.</summary>
public sealed class MalformedRequestTests
{
    private static readonly string[] Paths =
    [
        "/api/v1/namespaces/default/configmaps", "/api/v1/namespaces/default/configmaps/x", "/api/v1/namespaces/nope/configmaps",
        "/apis/apps/v1/namespaces/default/deployments", "/apis/apps/v1/namespaces/default/deployments/d/status",
        "/api/v1/namespaces", "/api/v1/nodes/n", "/api/v1/foo", "/apis/nope/v1/things", "/api/v1/namespaces/default/pods/p/log",
        "/api/v1/componentstatuses/x", "/api/v1/namespaces/default/configmaps/x/status",
    ];

    private static readonly string[] Bodies =
    [
        "", "{", "[]", "null", "42", "\"s\"", "{\"metadata\":7}", "{\"kind\":\"Pod\",\"metadata\":{\"name\":\"a\"}}",
        "{\"apiVersion\":\"v9\",\"metadata\":{\"name\":\"a\"}}", "{\"metadata\":{\"name\":\"UPPER\"}}", "{\"metadata\":{\"name\":\"\"}}",
        "{\"metadata\":{\"name\":\"a\",\"namespace\":\"other\"}}", "{\"metadata\":{\"name\":\"x\",\"resourceVersion\":\"abc\"}}",
        "{\"metadata\":{\"name\":\"x\",\"resourceVersion\":\"1\"}}", "\u0000\u0001\u0002", "k8s\u0000garbage",
        "{\"metadata\":{\"generateName\":\"-\"}}",
    ];

    private static readonly string[] ContentTypes =
    [
        "application/json", "application/yaml", "application/vnd.kubernetes.protobuf", "text/plain", "application/merge-patch+json",
        "application/json-patch+json", "application/strategic-merge-patch+json", "application/apply-patch+yaml",
    ];

    private static readonly string[] Queries =
    [
        "", "?limit=abc", "?continue=garbage", "?resourceVersionMatch=Exact", "?dryRun=Some", "?labelSelector=a%20in", "?fieldSelector=spec.x%3D1",
        "?includeObject=Bogus", "?propagationPolicy=Sideways", "?resourceVersion=-5&watch=true", "?resourceVersionMatch=Wrong&resourceVersion=1",
    ];

    [Fact]
    public async Task TenThousandMalformedRequestsAllGet4xxStatus()
    {
        await using TestApiServer server = await TestApiServer.StartAsync();
        string[] methods = ["GET", "POST", "PUT", "PATCH", "DELETE"];
        var random = new Random(1234);
        var requests = Enumerable.Range(0, 10_000).Select(_ => (
            Method: methods[random.Next(methods.Length)],
            Path: Paths[random.Next(Paths.Length)] + Queries[random.Next(Queries.Length)],
            Body: Bodies[random.Next(Bodies.Length)],
            ContentType: ContentTypes[random.Next(ContentTypes.Length)])).ToList();

        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        await Parallel.ForEachAsync(requests, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (r, ct) =>
        {
            using var request = new HttpRequestMessage(new HttpMethod(r.Method), r.Path)
            {
                Content = new ByteArrayContent(Encoding.UTF8.GetBytes(r.Body)),
            };
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(r.ContentType);
            using HttpResponseMessage response = await server.Client.SendAsync(request, ct);
            int code = (int)response.StatusCode;
            string text = await response.Content.ReadAsStringAsync(ct);
            if (code is >= 200 and < 300)
            {
                return;
            }

            if (code is < 400 or >= 500)
            {
                failures.Add($"{r.Method} {r.Path} [{r.ContentType}] {r.Body} -> {code} {text}");
                return;
            }

            using JsonDocument status = JsonDocument.Parse(text);
            if (status.RootElement.GetProperty("kind").GetString() != "Status" || status.RootElement.GetProperty("code").GetInt32() != code)
            {
                failures.Add($"{r.Method} {r.Path} -> {code} without a matching Status: {text}");
            }
        });

        Assert.True(failures.IsEmpty, string.Join("\n", failures.Take(10)));
        Assert.Equal(HttpStatusCode.OK, (await server.Client.GetAsync("/readyz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await server.Client.GetAsync("/api/v1/namespaces/default/configmaps")).StatusCode);
    }
}
