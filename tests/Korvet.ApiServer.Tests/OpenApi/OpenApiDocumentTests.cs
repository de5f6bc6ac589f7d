using System.Diagnostics;
using System.Text.Json.Nodes;
using Korvet.Api.Generated;
using Korvet.ApiServer.Http;
using Korvet.ApiServer.OpenApi;
using Korvet.ApiServer.Registry;
using Xunit.Abstractions;

namespace Korvet.ApiServer.Tests.OpenApi;

public sealed class OpenApiDocumentTests(ITestOutputHelper output)
{
    private static readonly OpenApiDocuments Documents = new(ResourceRegistry.CreateBuiltin(), () => ApiSchemas.Kubernetes, VersionInfo.GitVersion);

    private static JsonObject V3(string groupVersion) => (JsonObject)JsonNode.Parse(Documents.V3(groupVersion)!.Body)!;

    private static JsonObject Schemas(JsonObject doc) => doc["components"]!["schemas"]!.AsObject();

    [Fact]
    public void RootListsEveryServedGroupVersionWithItsHash()
    {
        JsonObject root = (JsonObject)JsonNode.Parse(Documents.V3Root.Body)!;
        JsonObject paths = root["paths"]!.AsObject();
        ResourceRegistry registry = ResourceRegistry.CreateBuiltin();
        foreach (ApiGroupDefinition group in registry.Groups)
        {
            foreach (string version in group.Versions)
            {
                string key = OpenApiDocuments.GroupVersionPath(group.Name, version);
                string url = (string)paths[key]!["serverRelativeURL"]!;
                Assert.Equal($"/openapi/v3/{key}?hash={Documents.V3(key)!.Hash}", url);
            }
        }

        Assert.Equal(Documents.GroupVersionPaths.Count, paths.Count);
        Assert.Contains("api/v1", paths.Select(p => p.Key));
        Assert.Contains("apis/apps/v1", paths.Select(p => p.Key));
    }

    [Fact]
    public void EveryKindHasASchemaWithItsGroupVersionKindAndEveryRefResolves()
    {
        ResourceRegistry registry = ResourceRegistry.CreateBuiltin();
        foreach (string key in Documents.GroupVersionPaths)
        {
            JsonObject doc = V3(key);
            JsonObject schemas = Schemas(doc);
            Assert.Equal("3.0.0", (string?)doc["openapi"]);
            foreach (ResourceDefinition r in registry.All.Where(r => OpenApiDocuments.GroupVersionPath(r.Group, r.Version) == key))
            {
                foreach (string kind in new[] { r.Kind, r.ListKind })
                {
                    Assert.True(schemas.Any(s => HasGvk(s.Value!, r.Group, r.Version, kind)), $"{key}: no schema for {kind}");
                }
            }

            foreach (string reference in Refs(doc))
            {
                Assert.StartsWith("#/components/schemas/", reference);
                Assert.True(schemas.ContainsKey(reference["#/components/schemas/".Length..]), $"{key}: dangling {reference}");
            }
        }
    }

    [Fact]
    public void PodSchemaCarriesUpstreamNamesTypesAndPatchExtensions()
    {
        JsonObject schemas = Schemas(V3("api/v1"));
        JsonObject pod = schemas["io.k8s.api.core.v1.Pod"]!.AsObject();
        Assert.Equal("string", (string?)pod["properties"]!["apiVersion"]!["type"]);
        Assert.Equal("#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta",
            (string?)pod["properties"]!["metadata"]!["allOf"]![0]!["$ref"]);

        JsonObject containers = schemas["io.k8s.api.core.v1.PodSpec"]!["properties"]!["containers"]!.AsObject();
        Assert.Equal("array", (string?)containers["type"]);
        Assert.Equal("#/components/schemas/io.k8s.api.core.v1.Container", (string?)containers["items"]!["$ref"]);
        Assert.Equal("name", (string?)containers["x-kubernetes-patch-merge-key"]);
        Assert.Equal("merge", (string?)containers["x-kubernetes-patch-strategy"]);
        Assert.Equal("map", (string?)containers["x-kubernetes-list-type"]);
        Assert.Equal("name", (string?)containers["x-kubernetes-list-map-keys"]![0]);
        Assert.Contains("containers", schemas["io.k8s.api.core.v1.PodSpec"]!["required"]!.AsArray().Select(n => (string?)n));

        JsonObject ports = schemas["io.k8s.api.core.v1.Container"]!["properties"]!["ports"]!.AsObject();
        Assert.Equal(["containerPort", "protocol"], ports["x-kubernetes-list-map-keys"]!.AsArray().Select(n => (string)n!).ToArray());
        JsonObject portProps = schemas["io.k8s.api.core.v1.ContainerPort"]!["properties"]!.AsObject();
        Assert.Equal(("integer", "int32"), ((string?)portProps["containerPort"]!["type"], (string?)portProps["containerPort"]!["format"]));
        Assert.Contains("TCP", portProps["protocol"]!["enum"]!.AsArray().Select(n => (string?)n));

        JsonObject labels = schemas["io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"]!["properties"]!["labels"]!.AsObject();
        Assert.Equal(("object", "string"), ((string?)labels["type"], (string?)labels["additionalProperties"]!["type"]));
        Assert.Equal(("string", "date-time"), ((string?)schemas["io.k8s.apimachinery.pkg.apis.meta.v1.Time"]!["type"],
            (string?)schemas["io.k8s.apimachinery.pkg.apis.meta.v1.Time"]!["format"]));
        Assert.Equal(["string", "number"], schemas["io.k8s.apimachinery.pkg.api.resource.Quantity"]!["oneOf"]!.AsArray().Select(t => (string)t!["type"]!).ToArray());
        Assert.Equal("int-or-string", (string?)schemas["io.k8s.apimachinery.pkg.util.intstr.IntOrString"]!["format"]);
        Assert.True((bool)schemas["io.k8s.apimachinery.pkg.util.intstr.IntOrString"]!["x-kubernetes-int-or-string"]!);
        Assert.Equal("object", (string?)schemas["io.k8s.apimachinery.pkg.runtime.RawExtension"]!["type"]);
        Assert.Equal("atomic", (string?)schemas["io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector"]?["x-kubernetes-map-type"]
            ?? (string?)Schemas(V3("apis/apps/v1"))["io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector"]!["x-kubernetes-map-type"]);
        Assert.Equal("byte", (string?)schemas["io.k8s.api.core.v1.Secret"]!["properties"]!["data"]!["additionalProperties"]!["format"]);

        // Inline fields are flattened: Volume embeds VolumeSource.
        JsonObject volume = schemas["io.k8s.api.core.v1.Volume"]!["properties"]!.AsObject();
        Assert.True(volume.ContainsKey("configMap") && volume.ContainsKey("emptyDir") && volume.ContainsKey("name"));
        Assert.False(volume.ContainsKey("volumeSource"));
    }

    [Fact]
    public void PatchOperationsListFieldValidationAndPatchContentTypes()
    {
        JsonObject doc = V3("apis/apps/v1");
        JsonObject item = doc["paths"]!["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]!.AsObject();
        JsonObject patch = item["patch"]!.AsObject();
        Assert.Equal("patchAppsV1NamespacedDeployment", (string?)patch["operationId"]);
        Assert.Equal("patch", (string?)patch["x-kubernetes-action"]);
        Assert.Equal(("apps", "v1", "Deployment"), ((string?)patch["x-kubernetes-group-version-kind"]!["group"],
            (string?)patch["x-kubernetes-group-version-kind"]!["version"], (string?)patch["x-kubernetes-group-version-kind"]!["kind"]));
        Assert.Equal(["dryRun", "fieldManager", "fieldValidation", "force"], patch["parameters"]!.AsArray().Select(p => (string)p!["name"]!).ToArray());
        Assert.Equal(PathBuilder.PatchContentTypes, patch["requestBody"]!["content"]!.AsObject().Select(c => c.Key).ToArray());
        Assert.Equal("readAppsV1NamespacedDeployment", (string?)item["get"]!["operationId"]);
        Assert.Equal("replaceAppsV1NamespacedDeployment", (string?)item["put"]!["operationId"]);
        Assert.Equal("deleteAppsV1NamespacedDeployment", (string?)item["delete"]!["operationId"]);
        Assert.Contains(item["parameters"]!.AsArray(), p => (string?)p!["name"] == "pretty");

        JsonObject scale = doc["paths"]!["/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale"]!["patch"]!.AsObject();
        Assert.Equal("patchAppsV1NamespacedDeploymentScale", (string?)scale["operationId"]);
        Assert.Equal("Scale", (string?)scale["x-kubernetes-group-version-kind"]!["kind"]);
        Assert.True(Schemas(doc).ContainsKey("io.k8s.api.autoscaling.v1.Scale"));

        JsonObject core = V3("api/v1");
        Assert.Equal("listCoreV1PodForAllNamespaces", (string?)core["paths"]!["/api/v1/pods"]!["get"]!["operationId"]);
        Assert.Equal("createCoreV1Namespace", (string?)core["paths"]!["/api/v1/namespaces"]!["post"]!["operationId"]);
        Assert.Equal("connectCoreV1PostNamespacedPodExec", (string?)core["paths"]!["/api/v1/namespaces/{namespace}/pods/{name}/exec"]!["post"]!["operationId"]);

        // Every PATCH of every document lists fieldValidation: kubectl takes the first PATCH it meets for a GVK.
        foreach (string key in Documents.GroupVersionPaths)
        {
            foreach ((string path, JsonNode? ops) in V3(key)["paths"]!.AsObject())
            {
                if (ops!["patch"] is { } op && (string?)op["x-kubernetes-action"] == "patch")
                {
                    Assert.Contains(op["parameters"]!.AsArray(), p => (string?)p!["name"] == "fieldValidation" && (string?)p["in"] == "query");
                }
            }
        }
    }

    [Fact]
    public void V2IsSwaggerWithDefinitionsAndResolvableRefs()
    {
        JsonObject doc = (JsonObject)JsonNode.Parse(Documents.V2.Body)!;
        Assert.Equal("2.0", (string?)doc["swagger"]);
        JsonObject definitions = doc["definitions"]!.AsObject();
        Assert.True(HasGvk(definitions["io.k8s.api.apps.v1.Deployment"]!, "apps", "v1", "Deployment"));
        Assert.Equal("#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta",
            (string?)definitions["io.k8s.api.core.v1.Pod"]!["properties"]!["metadata"]!["$ref"]);
        foreach (string reference in Refs(doc))
        {
            Assert.True(definitions.ContainsKey(reference["#/definitions/".Length..]), $"dangling {reference}");
        }

        JsonObject patch = doc["paths"]!["/api/v1/namespaces/{namespace}/pods/{name}"]!["patch"]!.AsObject();
        Assert.Contains(patch["parameters"]!.AsArray(), p => (string?)p!["name"] == "fieldValidation");
        Assert.Contains(patch["parameters"]!.AsArray(), p => (string?)p!["in"] == "body");
        Assert.Contains("application/strategic-merge-patch+json", patch["consumes"]!.AsArray().Select(n => (string?)n));
    }

    [Fact]
    public void DocumentsAreBuiltOnceAndGenerationIsFast()
    {
        var watch = Stopwatch.StartNew();
        var fresh = new OpenApiDocuments(ResourceRegistry.CreateBuiltin(), () => ApiSchemas.Kubernetes, VersionInfo.GitVersion);
        long constructMs = watch.ElapsedMilliseconds;
        watch.Restart();
        OpenApiDocument root = fresh.V3Root;
        long v3Ms = watch.ElapsedMilliseconds;
        long v3Bytes = fresh.GroupVersionPaths.Sum(p => (long)fresh.V3(p)!.Body.Length);
        watch.Restart();
        OpenApiDocument v2 = fresh.V2;
        long v2Ms = watch.ElapsedMilliseconds;
        watch.Restart();
        OpenApiDocument v2Protobuf = fresh.V2Protobuf;
        long pbMs = watch.ElapsedMilliseconds;
        output.WriteLine($"construct {constructMs} ms; v3: {fresh.GroupVersionPaths.Count} documents, {v3Bytes} bytes (api/v1 {fresh.V3("api/v1")!.Body.Length}), {v3Ms} ms; "
            + $"v2: {v2.Body.Length} bytes, {v2Ms} ms; v2 protobuf: {v2Protobuf.Body.Length} bytes, {pbMs} ms");
        Assert.True(constructMs < 50, $"construction took {constructMs} ms");
        Assert.Same(v2Protobuf, fresh.V2Protobuf);
        Assert.Same(root, fresh.V3Root);
        Assert.Same(fresh.V3("api/v1"), fresh.V3("api/v1"));
        Assert.Same(v2, fresh.V2);
        Assert.Equal(Documents.V3("api/v1")!.Hash, fresh.V3("api/v1")!.Hash);
        Assert.True(v3Ms < 5000 && v2Ms < 5000, $"generation took {v3Ms} ms + {v2Ms} ms");
    }

    private static bool HasGvk(JsonNode schema, string group, string version, string kind) =>
        schema["x-kubernetes-group-version-kind"] is JsonArray gvks
        && gvks.Any(g => (string?)g!["group"] == group && (string?)g["version"] == version && (string?)g["kind"] == kind);

    private static IEnumerable<string> Refs(JsonNode node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach ((string key, JsonNode? value) in obj)
                {
                    if (key == "$ref" && value is JsonValue)
                    {
                        yield return (string)value!;
                    }
                    else if (value is not null)
                    {
                        foreach (string r in Refs(value))
                        {
                            yield return r;
                        }
                    }
                }

                break;
            case JsonArray array:
                foreach (JsonNode? item in array)
                {
                    if (item is not null)
                    {
                        foreach (string r in Refs(item))
                        {
                            yield return r;
                        }
                    }
                }

                break;
        }
    }
}
