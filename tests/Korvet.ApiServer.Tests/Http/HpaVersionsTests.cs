using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Korvet.ApiServer.Registry;

namespace Korvet.ApiServer.Tests.Http;

/// <summary>
/// autoscaling/v1 and autoscaling/v2 HorizontalPodAutoscalers are one set of objects stored as v2: every verb through
/// either version reads and writes the same object, converted like upstream.
/// </summary>
public sealed class HpaVersionsTests : IClassFixture<ApiOnlyCluster>, IDisposable
{
    private const string V1 = "/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers";
    private const string V2 = "/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers";

    private readonly HttpClient _client;

    public HpaVersionsTests(ApiOnlyCluster cluster)
    {
        Korvet.Client.ClientOptions admin = cluster.ClientOptions;
        using X509Certificate2 ca = X509Certificate2.CreateFromPem(admin.CaPem!);
        byte[] caDer = ca.RawData;
        var handler = new SocketsHttpHandler
        {
            SslOptions =
            {
                RemoteCertificateValidationCallback = (_, cert, _, _) =>
                {
                    if (cert is null)
                    {
                        return false;
                    }

                    using var chain = new X509Chain();
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    chain.ChainPolicy.CustomTrustStore.Add(X509CertificateLoader.LoadCertificate(caDer));
                    return chain.Build(X509CertificateLoader.LoadCertificate(cert.GetRawCertData()));
                },
            },
        };
        _client = new HttpClient(handler) { BaseAddress = admin.Server, Timeout = TimeSpan.FromSeconds(30) };
        _client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", admin.BearerToken);
    }

    public void Dispose() => _client.Dispose();

    private static StringContent Json(string json, string mediaType = "application/json") => new(json, Encoding.UTF8, mediaType);

    private static async Task<JsonObject> ReadAsync(HttpResponseMessage response)
    {
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return (JsonObject)JsonNode.Parse(text)!;
    }

    private Task<JsonObject> GetAsync(string path) => _client.GetAsync(path).ContinueWith(t => ReadAsync(t.Result)).Unwrap();

    private async Task<JsonObject> PatchAsync(string path, string mediaType, string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Patch, path) { Content = Json(body, mediaType) };
        return await ReadAsync(await _client.SendAsync(request));
    }

    private static string V1Body(string name, int cpu) => $$$"""
        {"apiVersion":"autoscaling/v1","kind":"HorizontalPodAutoscaler","metadata":{"name":"{{{name}}}"},
         "spec":{"scaleTargetRef":{"apiVersion":"apps/v1","kind":"Deployment","name":"web"},"minReplicas":1,"maxReplicas":5,
                 "targetCPUUtilizationPercentage":{{{cpu}}}}}
        """;

    private static string V2WithMemory(string name) => """
        {"apiVersion":"autoscaling/v2","kind":"HorizontalPodAutoscaler","metadata":{"name":"NAME"},
         "spec":{"scaleTargetRef":{"apiVersion":"apps/v1","kind":"Deployment","name":"web"},"maxReplicas":4,
           "metrics":[{"type":"Resource","resource":{"name":"memory","target":{"type":"AverageValue","averageValue":"100Mi"}}},
                      {"type":"Resource","resource":{"name":"cpu","target":{"type":"Utilization","averageUtilization":50}}}]}}
        """.Replace("NAME", name, StringComparison.Ordinal);

    private static int? Cpu(JsonObject v2) =>
        v2["spec"]!["metrics"]!.AsArray().Where(m => (string?)m!["resource"]?["name"] == "cpu")
            .Select(m => (int?)m!["resource"]!["target"]!["averageUtilization"]).SingleOrDefault();

    [Fact]
    public async Task CreatedThroughV1ReadsAsV2WithTheCpuMetric()
    {
        JsonObject created = await ReadAsync(await _client.PostAsync(V1, Json(V1Body("from-v1", 50))));
        Assert.Equal(("autoscaling/v1", 50), ((string?)created["apiVersion"], (int)created["spec"]!["targetCPUUtilizationPercentage"]!));
        Assert.Null(created["spec"]!["metrics"]);

        JsonObject v2 = await GetAsync(V2 + "/from-v1");
        Assert.Equal("autoscaling/v2", (string?)v2["apiVersion"]);
        Assert.Null(v2["spec"]!["targetCPUUtilizationPercentage"]);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            [{"type":"Resource","resource":{"name":"cpu","target":{"type":"Utilization","averageUtilization":50}}}]
            """), v2["spec"]!["metrics"]), v2.ToJsonString());
        Assert.Equal((string?)created["metadata"]!["resourceVersion"], (string?)v2["metadata"]!["resourceVersion"]);

        JsonObject v1 = await GetAsync(V1 + "/from-v1");
        Assert.Equal(50, (int)v1["spec"]!["targetCPUUtilizationPercentage"]!);
        Assert.Null(v1["metadata"]!["annotations"]);

        // managedFields are kept in the version of each manager's request, like upstream's field manager.
        JsonNode creator = Assert.Single(v2["metadata"]!["managedFields"]!.AsArray())!;
        Assert.Equal(("Update", "autoscaling/v1"), ((string?)creator["operation"], (string?)creator["apiVersion"]));
        Assert.NotNull(creator["fieldsV1"]!["f:spec"]!["f:targetCPUUtilizationPercentage"]);
        await PatchAsync(V2 + "/from-v1?fieldManager=v2-editor", "application/merge-patch+json", """{"spec":{"maxReplicas":7}}""");
        JsonArray managed = (await GetAsync(V2 + "/from-v1"))["metadata"]!["managedFields"]!.AsArray();
        JsonNode editor = Assert.Single(managed, e => (string?)e!["manager"] == "v2-editor")!;
        Assert.Equal("autoscaling/v2", (string?)editor["apiVersion"]);
        Assert.NotNull(editor["fieldsV1"]!["f:spec"]!["f:maxReplicas"]);
    }

    [Fact]
    public async Task CreatedThroughV2ReadsAsV1WithAnnotations()
    {
        JsonObject created = await ReadAsync(await _client.PostAsync(V2, Json(V2WithMemory("from-v2"))));
        Assert.Equal(1, (int)created["spec"]!["minReplicas"]!);

        JsonObject v1 = await GetAsync(V1 + "/from-v2");
        Assert.Equal(("autoscaling/v1", 50), ((string?)v1["apiVersion"], (int)v1["spec"]!["targetCPUUtilizationPercentage"]!));
        Assert.Null(v1["spec"]!["metrics"]);
        Assert.Equal("""[{"type":"Resource","resource":{"name":"memory","targetAverageValue":"100Mi"}}]""",
            (string?)v1["metadata"]!["annotations"]![HpaConversion.MetricSpecsAnnotation]);

        // A v2 object without metrics is defaulted to cpu 80% (upstream's v2 defaulting), which v1 shows.
        await ReadAsync(await _client.PostAsync(V2, Json("""
            {"metadata":{"name":"bare"},"spec":{"scaleTargetRef":{"kind":"Deployment","name":"web"},"maxReplicas":2}}
            """)));
        Assert.Equal(80, (int)(await GetAsync(V1 + "/bare"))["spec"]!["targetCPUUtilizationPercentage"]!);
        Assert.Equal(80, Cpu(await GetAsync(V2 + "/bare")));
    }

    [Fact]
    public async Task ListsAndWatchesOfBothVersionsConvert()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using HttpResponseMessage w1 = await _client.GetAsync(V1 + "?watch=true&fieldSelector=metadata.name%3Dwatched",
            HttpCompletionOption.ResponseHeadersRead, cts.Token);
        using HttpResponseMessage w2 = await _client.GetAsync(V2 + "?watch=true&fieldSelector=metadata.name%3Dwatched",
            HttpCompletionOption.ResponseHeadersRead, cts.Token);
        using var r1 = new StreamReader(await w1.Content.ReadAsStreamAsync(cts.Token));
        using var r2 = new StreamReader(await w2.Content.ReadAsStreamAsync(cts.Token));
        await ReadAsync(await _client.PostAsync(V2, Json(V2WithMemory("watched"))));
        await PatchAsync(V1 + "/watched", "application/merge-patch+json", """{"spec":{"targetCPUUtilizationPercentage":65}}""");

        JsonNode added1 = JsonNode.Parse((await r1.ReadLineAsync(cts.Token))!)!;
        JsonNode added2 = JsonNode.Parse((await r2.ReadLineAsync(cts.Token))!)!;
        Assert.Equal(("ADDED", "autoscaling/v1", 50), ((string?)added1["type"], (string?)added1["object"]!["apiVersion"],
            (int)added1["object"]!["spec"]!["targetCPUUtilizationPercentage"]!));
        Assert.Equal(("ADDED", "autoscaling/v2", 50), ((string?)added2["type"], (string?)added2["object"]!["apiVersion"],
            Cpu(added2["object"]!.AsObject())));
        JsonNode modified1 = JsonNode.Parse((await r1.ReadLineAsync(cts.Token))!)!;
        JsonNode modified2 = JsonNode.Parse((await r2.ReadLineAsync(cts.Token))!)!;
        Assert.Equal(("MODIFIED", 65), ((string?)modified1["type"], (int)modified1["object"]!["spec"]!["targetCPUUtilizationPercentage"]!));
        Assert.Equal(("MODIFIED", 65), ((string?)modified2["type"], Cpu(modified2["object"]!.AsObject())));
        Assert.Null(modified2["object"]!["metadata"]!["annotations"]);

        JsonObject list1 = await GetAsync(V1 + "?fieldSelector=metadata.name%3Dwatched");
        Assert.Equal(("HorizontalPodAutoscalerList", "autoscaling/v1"), ((string?)list1["kind"], (string?)list1["apiVersion"]));
        JsonNode item1 = Assert.Single(list1["items"]!.AsArray())!;
        Assert.Equal(("autoscaling/v1", 65), ((string?)item1["apiVersion"], (int)item1["spec"]!["targetCPUUtilizationPercentage"]!));
        JsonObject list2 = await GetAsync(V2 + "?fieldSelector=metadata.name%3Dwatched");
        JsonNode item2 = Assert.Single(list2["items"]!.AsArray())!;
        Assert.Equal(("autoscaling/v2", 65), ((string?)item2["apiVersion"], Cpu(item2.AsObject())));
    }

    [Fact]
    public async Task PatchesThroughEitherVersionKeepWhatTheOtherCannotExpress()
    {
        await ReadAsync(await _client.PostAsync(V2, Json(V2WithMemory("patched"))));

        // v1 merge patch of the cpu target: the memory metric (only in v1's annotation) survives.
        JsonObject merged = await PatchAsync(V1 + "/patched", "application/merge-patch+json", """{"spec":{"targetCPUUtilizationPercentage":70}}""");
        Assert.Equal(70, (int)merged["spec"]!["targetCPUUtilizationPercentage"]!);
        JsonObject v2 = await GetAsync(V2 + "/patched");
        Assert.Equal(70, Cpu(v2));
        Assert.Contains(v2["spec"]!["metrics"]!.AsArray(), m => (string?)m!["resource"]?["name"] == "memory");
        Assert.Null(v2["metadata"]!["annotations"]);
        Assert.Equal(2L, (long)v2["metadata"]!["generation"]!);

        // Strategic merge through v1 too.
        await PatchAsync(V1 + "/patched", "application/strategic-merge-patch+json", """{"spec":{"maxReplicas":9}}""");
        Assert.Equal(9, (int)(await GetAsync(V2 + "/patched"))["spec"]!["maxReplicas"]!);

        // v2 JSON patch of the cpu metric shows in v1.
        JsonObject current = await GetAsync(V2 + "/patched");
        int cpuIndex = current["spec"]!["metrics"]!.AsArray().ToList().FindIndex(m => (string?)m!["resource"]?["name"] == "cpu");
        await PatchAsync(V2 + "/patched", "application/json-patch+json",
            $$"""[{"op":"replace","path":"/spec/metrics/{{cpuIndex}}/resource/target/averageUtilization","value":60}]""");
        Assert.Equal(60, (int)(await GetAsync(V1 + "/patched"))["spec"]!["targetCPUUtilizationPercentage"]!);

        // A v1 JSON patch works on the v1 form.
        await PatchAsync(V1 + "/patched", "application/json-patch+json",
            """[{"op":"test","path":"/spec/targetCPUUtilizationPercentage","value":60},{"op":"replace","path":"/spec/targetCPUUtilizationPercentage","value":45}]""");
        Assert.Equal(45, Cpu(await GetAsync(V2 + "/patched")));
    }

    [Fact]
    public async Task StatusWrittenThroughV2ShowsAsV1CurrentCpu()
    {
        await ReadAsync(await _client.PostAsync(V1, Json(V1Body("status", 50))));
        JsonObject v2 = await GetAsync(V2 + "/status");
        v2["status"] = JsonNode.Parse("""
            {"currentReplicas":2,"desiredReplicas":3,
             "currentMetrics":[{"type":"Resource","resource":{"name":"cpu","current":{"averageValue":"250m","averageUtilization":42}}}],
             "conditions":[{"type":"AbleToScale","status":"True","lastTransitionTime":"2026-01-01T00:00:00Z","reason":"ReadyForNewScale"}]}
            """);
        await ReadAsync(await _client.PutAsync(V2 + "/status/status", Json(v2.ToJsonString())));

        JsonObject v1 = await GetAsync(V1 + "/status");
        Assert.Equal((42, 2, 3), ((int)v1["status"]!["currentCPUUtilizationPercentage"]!, (int)v1["status"]!["currentReplicas"]!,
            (int)v1["status"]!["desiredReplicas"]!));
        Assert.Contains("ReadyForNewScale", (string?)v1["metadata"]!["annotations"]![HpaConversion.ConditionsAnnotation], StringComparison.Ordinal);

        // A v1 status update keeps the v2 status detail carried by the annotations.
        v1["status"]!["desiredReplicas"] = 4;
        await ReadAsync(await _client.PutAsync(V1 + "/status/status", Json(v1.ToJsonString())));
        JsonObject after = await GetAsync(V2 + "/status");
        Assert.Equal(4, (int)after["status"]!["desiredReplicas"]!);
        Assert.Equal("250m", (string?)after["status"]!["currentMetrics"]![0]!["resource"]!["current"]!["averageValue"]);
        Assert.Equal("AbleToScale", (string?)after["status"]!["conditions"]![0]!["type"]);
        Assert.Null(after["metadata"]!["annotations"]);
    }

    [Fact]
    public async Task InvalidV1TargetIsReportedAtItsV2Path()
    {
        HttpResponseMessage response = await _client.PostAsync(V1, Json(V1Body("zero", 0)));
        string text = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("HorizontalPodAutoscaler \"zero\" is invalid: spec.metrics[0].resource.target.averageUtilization: Invalid value: 0: must be greater than 0",
            (string?)JsonNode.Parse(text)!["message"]);
    }

    [Fact]
    public async Task ServerSideApplyThroughV1CreatesAndUpdates()
    {
        const string config = """
            apiVersion: autoscaling/v1
            kind: HorizontalPodAutoscaler
            metadata:
              name: applied
            spec:
              scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
              maxReplicas: 3
              targetCPUUtilizationPercentage: 40
            """;
        JsonObject created = await PatchAsync(V1 + "/applied?fieldManager=tester", "application/apply-patch+yaml", config);
        Assert.Equal(40, (int)created["spec"]!["targetCPUUtilizationPercentage"]!);
        JsonObject v2 = await GetAsync(V2 + "/applied");
        Assert.Equal(40, Cpu(v2));
        JsonNode entry = Assert.Single(v2["metadata"]!["managedFields"]!.AsArray(), e => (string?)e!["manager"] == "tester")!;
        Assert.Equal(("Apply", "autoscaling/v1"), ((string?)entry["operation"], (string?)entry["apiVersion"]));

        await PatchAsync(V1 + "/applied?fieldManager=tester", "application/apply-patch+yaml",
            config.Replace("targetCPUUtilizationPercentage: 40", "targetCPUUtilizationPercentage: 75", StringComparison.Ordinal));
        Assert.Equal(75, Cpu(await GetAsync(V2 + "/applied")));
    }

    [Fact]
    public async Task TablesPrintTheStoredFormAndEmbedTheServedOne()
    {
        await ReadAsync(await _client.PostAsync(V1, Json(V1Body("tabled", 55))));
        foreach ((string path, string apiVersion) in new[] { (V1, "autoscaling/v1"), (V2, "autoscaling/v2") })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path + "?includeObject=Object&fieldSelector=metadata.name%3Dtabled");
            request.Headers.TryAddWithoutValidation("Accept", "application/json;as=Table;v=v1;g=meta.k8s.io");
            JsonObject table = await ReadAsync(await _client.SendAsync(request));
            Assert.Equal(["Name", "Reference", "Targets", "MinPods", "MaxPods", "Replicas", "Age"],
                table["columnDefinitions"]!.AsArray().Select(c => (string?)c!["name"]));
            JsonNode row = Assert.Single(table["rows"]!.AsArray())!;
            Assert.Equal(("tabled", "Deployment/web", "cpu: <unknown>/55%"),
                ((string?)row["cells"]![0], (string?)row["cells"]![1], (string?)row["cells"]![2]));
            Assert.Equal(apiVersion, (string?)row["object"]!["apiVersion"]);
        }
    }

    [Fact]
    public async Task BothVersionsEncodeAsProtobuf()
    {
        await ReadAsync(await _client.PostAsync(V2, Json(V2WithMemory("proto"))));
        foreach (string path in new[] { V1 + "/proto", V2 + "/proto", V1, V2 })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.TryAddWithoutValidation("Accept", "application/vnd.kubernetes.protobuf");
            using HttpResponseMessage response = await _client.SendAsync(request);
            byte[] body = await response.Content.ReadAsByteArrayAsync();
            Assert.True(response.IsSuccessStatusCode, path + ": " + Encoding.UTF8.GetString(body));
            Assert.Equal("application/vnd.kubernetes.protobuf", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal("k8s\0"u8.ToArray(), body[..4]);
            string apiVersion = path.StartsWith(V1, StringComparison.Ordinal) ? "autoscaling/v1" : "autoscaling/v2";
            Assert.Contains(apiVersion, Encoding.UTF8.GetString(body[..64]), StringComparison.Ordinal);
        }
    }
}
