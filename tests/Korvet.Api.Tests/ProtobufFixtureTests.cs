using System.Text.Json.Nodes;
using Korvet.Api.Generated;
using Korvet.Api.Protobuf;
using Korvet.Api.Schema;

namespace Korvet.Api.Tests;

public sealed class ProtobufFixtureTests
{
    private static readonly ProtobufCodec Codec = new(ApiSchemas.Kubernetes);

    /// <summary>Fixtures whose group version is described by schema.json (the 2 apiextensions v1beta1 ones are not).</summary>
    public static TheoryData<string> Described()
    {
        var data = new TheoryData<string>();
        foreach (string n in Fixtures.Names())
        {
            (string apiVersion, string kind) = Fixtures.TypeOf(n);
            if (ApiSchemas.Kubernetes.ResolveMessage(apiVersion, kind) is not null)
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

    private static readonly MessageDescriptor WatchEvent = ApiSchemas.Kubernetes.GetMessage(ApiSchema.MetaV1Package + ".WatchEvent");

    [FixtureTheory]
    [MemberData(nameof(Described))]
    public void ProtobufDecodesToTheJsonFixture(string name)
    {
        byte[] pb = File.ReadAllBytes(Fixtures.Path1(name, "pb"));
        ProtobufEnvelope envelope = Codec.DecodeEnvelope(pb, WatchEvent);
        JsonObject expected = Fixtures.Json(name);
        Assert.True(JsonNode.DeepEquals(expected, envelope.Object), Diff.Describe(expected, envelope.Object));
    }

    [FixtureTheory]
    [MemberData(nameof(Described))]
    public void JsonEncodesToTheProtobufFixtureBytes(string name)
    {
        byte[] pb = File.ReadAllBytes(Fixtures.Path1(name, "pb"));
        ProtobufEnvelope envelope = Codec.DecodeEnvelope(pb, WatchEvent);
        MessageDescriptor md = envelope.Kind.Length == 0 ? WatchEvent : ApiSchemas.Kubernetes.ResolveMessage(envelope.ApiVersion, envelope.Kind)!;
        byte[] encoded = Codec.EncodeEnvelope(envelope.ApiVersion, envelope.Kind, Fixtures.Json(name), md);
        Assert.Equal(Convert.ToHexString(pb), Convert.ToHexString(encoded));
    }

    [FixtureFact]
    public void EveryDescribedFixtureIsCovered()
    {
        Assert.Equal(173, Described().Count);
    }
}
