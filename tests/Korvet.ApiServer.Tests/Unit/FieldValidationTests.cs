using System.Text;
using System.Text.Json.Nodes;
using Korvet.Api.Generated;
using Korvet.Api.Schema;
using Korvet.ApiServer.Codecs;
using Korvet.ApiServer.Errors;
using Korvet.ApiServer.Registry;

namespace Korvet.ApiServer.Tests.Unit;

public sealed class FieldValidationTests
{
    private static readonly ResourceRegistry Registry = ResourceRegistry.CreateBuiltin();
    private readonly BodyDecoder _decoder = new(ApiSchemas.Kubernetes);
    private readonly FieldValidator _validator = new(ApiSchemas.Kubernetes);

    private static ResourceDefinition Deployments => Registry.Find("apps", "v1", "deployments")!;

    private static ResourceDefinition Pods => Registry.Find("", "v1", "pods")!;

    private static MessageDescriptor PodMessage => ApiSchemas.Kubernetes.ResolveMessage("v1", "Pod")!;

    private const string Pod = """
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","labels":{"any-key":"x"},"annotations":{"a":"b"},"bogus":1},
         "spec":{"containers":[{"name":"c","image":"i","ports":[{"containerPort":80,"portx":1}]},{"name":"d","imagex":"y"}],
           "volumes":[{"name":"v","configMap":{"name":"cm","wat":true}},{"name":"w","emptyDir":{}}],
           "nodeSelector":{"whatever":"ok"},
           "overhead":{"cpu":"1"}},
         "topx":1}
        """;

    [Fact]
    public void UnknownFieldsAreReportedWithUpstreamPathsAndPruned()
    {
        var obj = (JsonObject)JsonNode.Parse(Pod)!;
        var problems = new List<string>();
        _validator.Prune(obj, PodMessage, problems);
        Assert.Equal(
        [
            "unknown field \"metadata.bogus\"",
            "unknown field \"spec.containers[0].ports[0].portx\"",
            "unknown field \"spec.containers[1].imagex\"",
            "unknown field \"spec.volumes[0].configMap.wat\"",
            "unknown field \"topx\"",
        ], problems);
        string json = obj.ToJsonString();
        Assert.DoesNotContain("bogus", json, StringComparison.Ordinal);
        Assert.DoesNotContain("portx", json, StringComparison.Ordinal);
        Assert.DoesNotContain("imagex", json, StringComparison.Ordinal);
        Assert.DoesNotContain("wat", json, StringComparison.Ordinal);
        Assert.DoesNotContain("topx", json, StringComparison.Ordinal);
        // Known fields, inline Volume sources, map keys and quantities survive.
        Assert.Equal("cm", (string?)obj["spec"]!["volumes"]![0]!["configMap"]!["name"]);
        Assert.NotNull(obj["spec"]!["volumes"]![1]!["emptyDir"]);
        Assert.Equal("ok", (string?)obj["spec"]!["nodeSelector"]!["whatever"]);
        Assert.Equal("x", (string?)obj["metadata"]!["labels"]!["any-key"]);
        Assert.Equal("v1", (string?)obj["apiVersion"]);
    }

    [Fact]
    public void CleanObjectHasNoProblems()
    {
        var obj = (JsonObject)JsonNode.Parse("""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"i","resources":{"limits":{"cpu":"1"}}}]}}""")!;
        string before = obj.ToJsonString();
        var problems = new List<string>();
        _validator.Prune(obj, PodMessage, problems);
        Assert.Empty(problems);
        Assert.Equal(before, obj.ToJsonString());
    }

    [Fact]
    public void DuplicateKeysAreFoundWithPaths()
    {
        var problems = new List<string>();
        FieldValidator.FindDuplicates(Encoding.UTF8.GetBytes("""{"a":1,"spec":{"x":[{"n":1,"n":2},{"m":[1,{"k":1,"k":2}]}],"r":1,"r":2},"a":3}"""), problems);
        Assert.Equal(["duplicate field \"spec.x[0].n\"", "duplicate field \"spec.x[1].m[1].k\"", "duplicate field \"spec.r\"", "duplicate field \"a\""], problems);
    }

    [Fact]
    public void StrictRejectsWarnWarnsIgnorePrunes()
    {
        byte[] body = Encoding.UTF8.GetBytes(
            """{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"replicas":1,"replicasx":3,"selector":{"matchLabels":{"a":"b"}},"template":{"spec":{"containers":[{"name":"c","image":"i","imagex":"j"}]}}}}""");
        var error = Assert.Throws<StatusException>(() => _decoder.Decode("application/json", body, Deployments, "Strict"));
        Assert.Equal(400, error.Code);
        Assert.Equal("Deployment in version \"v1\" cannot be handled as a Deployment: strict decoding error: unknown field \"spec.replicasx\", unknown field \"spec.template.spec.containers[0].imagex\"", error.Message);

        foreach (string mode in new[] { "Warn", "" })
        {
            DecodedBody warned = _decoder.Decode("application/json", body, Deployments, mode);
            Assert.Equal(["unknown field \"spec.replicasx\"", "unknown field \"spec.template.spec.containers[0].imagex\""], warned.Warnings);
            Assert.Null(warned.Object["spec"]!["replicasx"]);
        }

        DecodedBody ignored = _decoder.Decode("application/json", body, Deployments, "Ignore");
        Assert.Empty(ignored.Warnings);
        Assert.Null(ignored.Object["spec"]!["replicasx"]);
        Assert.Equal(1, (int?)ignored.Object["spec"]!["replicas"]);

        Assert.Equal(400, Assert.Throws<StatusException>(() => _decoder.Decode("application/json", body, Deployments, "Loose")).Code);
    }

    [Fact]
    public void YamlBodiesAreCheckedAndDuplicatesFailStrict()
    {
        byte[] yaml = Encoding.UTF8.GetBytes("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n    image: i\n  foo: 1\n");
        var error = Assert.Throws<StatusException>(() => _decoder.Decode("application/yaml", yaml, Pods, "Strict"));
        Assert.Equal("Pod in version \"v1\" cannot be handled as a Pod: strict decoding error: unknown field \"spec.foo\"", error.Message);

        byte[] duplicate = Encoding.UTF8.GetBytes("""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","name":"q"},"spec":{"containers":[]}}""");
        var dup = Assert.Throws<StatusException>(() => _decoder.Decode("application/json", duplicate, Pods, "Strict"));
        Assert.Equal("Pod in version \"v1\" cannot be handled as a Pod: strict decoding error: duplicate field \"metadata.name\"", dup.Message);

        // Outside Strict the last value wins, as in Go, and the duplicate is a warning.
        DecodedBody warned = _decoder.Decode("application/json", duplicate, Pods, "Warn");
        Assert.Equal(["duplicate field \"metadata.name\""], warned.Warnings);
        Assert.Equal("q", (string?)warned.Object["metadata"]!["name"]);
        DecodedBody ignored = _decoder.Decode("application/json", duplicate, Pods, "Ignore");
        Assert.Empty(ignored.Warnings);
        Assert.Equal("q", (string?)ignored.Object["metadata"]!["name"]);
    }

    [Fact]
    public void PatchesAreCheckedWithDirectivesAllowed()
    {
        byte[] smp = Encoding.UTF8.GetBytes(
            """{"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"c"}],"containers":[{"name":"c","imagex":"j","$patch":"replace"}]}},"replicasx":2,"replicas":3}}""");
        var error = Assert.Throws<StatusException>(() => _decoder.CheckPatch("application/strategic-merge-patch+json", smp, Deployments, "Strict"));
        // Upstream's patcher answers a strict failure of a patch with 422 Invalid on field "patch", not a create's 400.
        Assert.Equal((422, "Invalid"), (error.Code, error.Reason));
        Assert.Equal("patch", error.Details!.Causes![0].Field);
        Assert.EndsWith(": strict decoding error: unknown field \"spec.template.spec.containers[0].imagex\", unknown field \"spec.replicasx\"",
            error.Message, StringComparison.Ordinal);
        byte[] merge = Encoding.UTF8.GetBytes("""{"spec":{"replicasx":2}}""");
        var mergeError = Assert.Throws<StatusException>(() => _decoder.CheckPatch("application/merge-patch+json", merge, Deployments, "Strict"));
        Assert.Equal((422, "Invalid"), (mergeError.Code, mergeError.Reason));
        Assert.Equal(" \"\" is invalid: patch: Invalid value: \"{\\\"spec\\\":{\\\"replicasx\\\":2}}\": strict decoding error: unknown field \"spec.replicasx\"",
            mergeError.Message);

        DecodedPatch warned = _decoder.CheckPatch("application/strategic-merge-patch+json", smp, Deployments, "Warn");
        Assert.Equal(2, warned.Warnings.Count);
        var pruned = (JsonObject)JsonNode.Parse(warned.Patch)!;
        Assert.Null(pruned["spec"]!["replicasx"]);
        JsonNode podSpec = pruned["spec"]!["template"]!["spec"]!;
        Assert.Null(podSpec["containers"]![0]!["imagex"]);
        Assert.Equal("replace", (string?)podSpec["containers"]![0]!["$patch"]);
        Assert.NotNull(podSpec["$setElementOrder/containers"]);
        Assert.Equal(3, (int?)pruned["spec"]!["replicas"]);

        byte[] clean = Encoding.UTF8.GetBytes("""{"metadata":{"labels":{"a":null}},"spec":{"replicas":null}}""");
        DecodedPatch same = _decoder.CheckPatch("application/merge-patch+json", clean, Deployments, "Strict");
        Assert.Same(clean, same.Patch);
        Assert.Empty(same.Warnings);

        byte[] jsonPatch = Encoding.UTF8.GetBytes("""[{"op":"replace","path":"/spec/replicas","value":1}]""");
        Assert.Same(jsonPatch, _decoder.CheckPatch("application/json-patch+json", jsonPatch, Deployments, "Strict").Patch);
    }

    [Fact]
    public void JsonPatchOperationsThatWouldAddUnknownFieldsAreFound()
    {
        byte[] patch = Encoding.UTF8.GetBytes("""
            [{"op":"add","path":"/spec/x","value":1},
             {"op":"replace","path":"/spec/replicas","value":2},
             {"op":"add","path":"/metadata/labels/any~1key","value":"v"},
             {"op":"add","path":"/spec/template/spec/containers/0/imagex","value":"i"},
             {"op":"add","path":"/spec/template/spec/containers/-","value":{"name":"d","image":"i","bad":1}},
             {"op":"replace","path":"/spec/strategy","value":{"type":"Recreate","oops":{}}},
             {"op":"add","path":"/spec/template/spec/volumes","value":[{"name":"v","emptyDir":{"wat":1}}]},
             {"op":"test","path":"/spec/nope","value":1}]
            """);
        var error = Assert.Throws<StatusException>(() => _decoder.CheckPatch("application/json-patch+json", patch, Deployments, "Strict"));
        Assert.Equal((422, "Invalid"), (error.Code, error.Reason));
        Assert.StartsWith(" \"\" is invalid: patch: Invalid value: \"[{\\\"op\\\":", error.Message, StringComparison.Ordinal);
        Assert.EndsWith(": strict decoding error: unknown field \"spec.x\", unknown field \"spec.template.spec.containers[0].imagex\", "
            + "unknown field \"spec.template.spec.containers[-].bad\", unknown field \"spec.strategy.oops\", "
            + "unknown field \"spec.template.spec.volumes[0].emptyDir.wat\"", error.Message, StringComparison.Ordinal);
        Assert.Equal("patch", error.Details!.Causes![0].Field);

        DecodedPatch warned = _decoder.CheckPatch("application/json-patch+json", patch, Deployments, "Warn");
        Assert.Equal(5, warned.Warnings.Count);
        JsonArray ops = (JsonArray)JsonNode.Parse(warned.Patch)!;
        Assert.Equal(6, ops.Count);
        Assert.DoesNotContain(ops, op => (string?)op!["path"] is "/spec/x" or "/spec/template/spec/containers/0/imagex");
        Assert.Equal("""{"name":"d","image":"i"}""", ops[2]!["value"]!.ToJsonString());
        Assert.Empty(_decoder.CheckPatch("application/json-patch+json", patch, Deployments, "Ignore").Warnings);
    }

    [Fact]
    public void ApplyConfigurationsWithUndeclaredFieldsAreRefusedWhateverTheDirective()
    {
        byte[] apply = Encoding.UTF8.GetBytes("""
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web, namespace: ns1}
            spec:
              replicasx: 2
              template: {spec: {containers: [{name: c, imagex: i}]}}
            """);
        foreach (string directive in new[] { "Strict", "Warn", "Ignore", "" })
        {
            var error = Assert.Throws<StatusException>(() => _decoder.CheckPatch("application/apply-patch+yaml", apply, Deployments, directive));
            Assert.Equal(400, error.Code);
            Assert.Equal("failed to create typed patch object (ns1/web; apps/v1, Kind=Deployment): errors:\n  .spec.replicasx: field not declared in schema\n"
                + "  .spec.template.spec.containers[0].imagex: field not declared in schema", error.Message);
        }

        byte[] good = Encoding.UTF8.GetBytes("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 2}\n");
        Assert.Same(good, _decoder.CheckPatch("application/apply-patch+yaml", good, Deployments, "Strict").Patch);
    }
}
