using System.Text.Json.Nodes;
using static Korvet.ApiServer.Tests.Strategies.StrategyHarness;

namespace Korvet.ApiServer.Tests.Strategies;

public sealed class ConfigStrategyTests
{
    [Fact]
    public void SecretDefaultsToOpaqueAndMergesStringData()
    {
        JsonObject secret = Defaulted("", "secrets", """{"metadata":{"name":"s"},"data":{"a":"eA=="},"stringData":{"b":"hello"}}""");
        Assert.Equal("Opaque", (string?)secret["type"]);
        AssertJson("""{"a":"eA==","b":"aGVsbG8="}""", secret["data"]);
        Assert.Null(secret["stringData"]);
    }

    [Theory]
    [InlineData("kubernetes.io/tls", "{}", "Secret \"s\" is invalid: [data[tls.key]: Required value, data[tls.crt]: Required value]")]
    [InlineData("kubernetes.io/tls", """{"tls.key":"eA==","tls.crt":"eA=="}""", "")]
    [InlineData("kubernetes.io/dockerconfigjson", "{}", "Secret \"s\" is invalid: data[.dockerconfigjson]: Required value")]
    [InlineData("kubernetes.io/dockerconfigjson", """{".dockerconfigjson":"eyJhdXRocyI6e319"}""", "")]
    [InlineData("kubernetes.io/ssh-auth", "{}", "Secret \"s\" is invalid: data[ssh-privatekey]: Required value")]
    [InlineData("kubernetes.io/service-account-token", "{}",
        "Secret \"s\" is invalid: metadata.annotations[kubernetes.io/service-account.name]: Required value")]
    [InlineData("Opaque", """{"bad key":"eA=="}""",
        "Secret \"s\" is invalid: data[bad key]: Invalid value: \"bad key\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')")]
    public void SecretTypeRules(string type, string data, string message) =>
        Assert.Equal(message, CreateError("", "secrets", $$$"""{"metadata":{"name":"s"},"type":"{{{type}}}","data":{{{data}}}}"""));

    [Fact]
    public void SecretTypeIsImmutableAndImmutableSecretsKeepTheirData()
    {
        JsonObject old = Defaulted("", "secrets", """{"metadata":{"name":"s"},"immutable":true,"data":{"a":"eA=="}}""");
        var changed = (JsonObject)old.DeepClone();
        changed["data"]!["a"] = "eQ==";
        changed["type"] = "kubernetes.io/basic-auth";
        changed["data"]!["username"] = "eA==";
        Assert.Equal("Secret \"s\" is invalid: [type: Invalid value: \"kubernetes.io/basic-auth\": field is immutable, data: Forbidden: field is immutable when `immutable` is set]",
            UpdateError("", "secrets", old, changed));
    }

    [Fact]
    public void ConfigMapKeysSizeAndImmutability()
    {
        Assert.Equal("ConfigMap \"c\" is invalid: data[..x]: Invalid value: \"..x\": must not start with '..'",
            CreateError("", "configmaps", """{"metadata":{"name":"c"},"data":{"..x":"1"}}"""));
        Assert.Equal("ConfigMap \"c\" is invalid: binaryData[k]: Invalid value: \"k\": duplicate of key present in data",
            CreateError("", "configmaps", """{"metadata":{"name":"c"},"data":{"k":"1"},"binaryData":{"k":"eA=="}}"""));
        string big = new('x', 1024 * 1024 + 1);
        Assert.EndsWith("Too long: must have at most 1048576 bytes",
            CreateError("", "configmaps", $$$"""{"metadata":{"name":"c"},"data":{"k":"{{{big}}}"}}"""));

        JsonObject old = Defaulted("", "configmaps", """{"metadata":{"name":"c"},"immutable":true,"data":{"k":"1"}}""");
        var labelled = (JsonObject)old.DeepClone();
        labelled["metadata"]!["labels"] = new JsonObject { ["a"] = "b" };
        Assert.Equal("", UpdateError("", "configmaps", old, labelled));
        var mutable = (JsonObject)old.DeepClone();
        mutable["immutable"] = false;
        Assert.Equal("ConfigMap \"c\" is invalid: immutable: Forbidden: field is immutable when `immutable` is set",
            UpdateError("", "configmaps", old, mutable));
    }

    [Theory]
    [InlineData("""{"labels":{"app":"a b"}}""",
        "metadata.labels: Invalid value: \"a b\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')")]
    [InlineData("""{"labels":{"Example.com/x":"v"}}""",
        "metadata.labels: Invalid value: \"Example.com/x\": prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")]
    [InlineData("""{"annotations":{"a/b/c":"v"}}""",
        "metadata.annotations: Invalid value: \"a/b/c\": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')")]
    public void MetadataLabelsAndAnnotations(string meta, string cause)
    {
        string json = "{\"metadata\":" + meta.Insert(1, "\"name\":\"c\",") + "}";
        Assert.Equal("ConfigMap \"c\" is invalid: " + cause, CreateError("", "configmaps", json));
    }

    [Fact]
    public void AnnotationsOver256KiBAreTooLong()
    {
        string big = new('x', 256 * 1024);
        Assert.Equal("ConfigMap \"c\" is invalid: metadata.annotations: Too long: must have at most 262144 bytes",
            CreateError("", "configmaps", "{\"metadata\":{\"name\":\"c\",\"annotations\":{\"k\":\"" + big + "\"}}}"));
    }
}
