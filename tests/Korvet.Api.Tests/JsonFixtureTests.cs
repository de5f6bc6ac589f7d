using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Korvet.Api.Generated;
using Korvet.Api.Serialization;

namespace Korvet.Api.Tests;

public sealed class JsonFixtureTests
{
    /// <summary>Fixtures whose apiVersion/kind has a typed class (the packages issue #3 lists).</summary>
    public static TheoryData<string> Typed()
    {
        var data = new TheoryData<string>();
        foreach (string n in Fixtures.Names())
        {
            (string apiVersion, string kind) = Fixtures.TypeOf(n);
            if (ApiTypes.Find(apiVersion, kind) is not null)
            {
                data.Add(n);
            }
        }

        if (data.Count == 0)
        {
            data.Add("(none)");
        }

        return data;
    }

    public static object Deserialize(string name, byte[] json)
    {
        (string apiVersion, string kind) = Fixtures.TypeOf(name);
        Type type = ApiTypes.Find(apiVersion, kind)!;
        JsonTypeInfo info = KubernetesJsonContext.Default.GetTypeInfo(type)!;
        return JsonSerializer.Deserialize(json, info)!;
    }

    public static JsonNode Serialize(object value) =>
        JsonSerializer.SerializeToNode(value, KubernetesJsonContext.Default.GetTypeInfo(value.GetType())!)!;

    [FixtureTheory]
    [MemberData(nameof(Typed))]
    public void TypedObjectRoundTripsTheJsonFixture(string name)
    {
        byte[] json = File.ReadAllBytes(Fixtures.Path1(name, "json"));
        object typed = Deserialize(name, json);
        JsonNode actual = Serialize(typed);
        JsonObject expected = Fixtures.Json(name);
        Assert.True(JsonNode.DeepEquals(expected, actual), Diff.Describe(expected, actual));
    }

    /// <summary>The server's path for protobuf requests and responses: protobuf → JSON → typed → JSON → protobuf.</summary>
    [FixtureTheory]
    [MemberData(nameof(Typed))]
    public void ProtobufFixtureRoundTripsThroughTheTypedObject(string name)
    {
        var codec = new Korvet.Api.Protobuf.ProtobufCodec(ApiSchemas.Kubernetes);
        byte[] pb = File.ReadAllBytes(Fixtures.Path1(name, "pb"));
        var watchEvent = ApiSchemas.Kubernetes.GetMessage(Korvet.Api.Schema.ApiSchema.MetaV1Package + ".WatchEvent");
        Korvet.Api.Protobuf.ProtobufEnvelope envelope = codec.DecodeEnvelope(pb, watchEvent);
        (string apiVersion, string kind) = Fixtures.TypeOf(name);
        object typed = ApiJson.Deserialize(envelope.Object, ApiTypes.Find(apiVersion, kind)!);
        JsonObject back = ApiJson.SerializeToObject(typed);
        byte[] encoded = envelope.Kind.Length == 0
            ? codec.EncodeEnvelope("", "", back, watchEvent)
            : codec.EncodeEnvelope(envelope.ApiVersion, envelope.Kind, back);
        Assert.Equal(Convert.ToHexString(pb), Convert.ToHexString(encoded));
    }

    [FixtureFact]
    public void EveryFixtureOfATypedGroupVersionHasATypedClass()
    {
        // 82 fixtures belong to the group versions issue #3 lists plus admissionregistration, certificates, node and
        // flowcontrol v1 (counted from the fixture directory).
        Assert.Equal(82, Typed().Count);
    }
}
