using System.Text.Json.Nodes;
using Korvet.Api.Generated;
using Korvet.Api.Protobuf;
using Korvet.Api.Schema;
using Korvet.Api.Serialization;

namespace Korvet.Api.Tests;

public sealed class MalformedProtobufTests
{
    private static readonly ProtobufCodec Codec = new(ApiSchemas.Kubernetes);

    private static byte[] Envelope(string apiVersion, string kind, byte[] raw)
    {
        var typeMeta = new ProtoWriter();
        typeMeta.WriteTag(1, WireType.LengthDelimited);
        typeMeta.WriteString(apiVersion);
        typeMeta.WriteTag(2, WireType.LengthDelimited);
        typeMeta.WriteString(kind);
        var w = new ProtoWriter();
        w.WriteRaw("k8s\0"u8);
        w.WriteTag(1, WireType.LengthDelimited);
        w.WriteBytes(typeMeta.WrittenSpan);
        w.WriteTag(2, WireType.LengthDelimited);
        w.WriteBytes(raw);
        return w.ToArray();
    }

    [Fact]
    public void MissingMagicIsRejected()
    {
        var e = Assert.Throws<ApiCodecException>(() => Codec.DecodeEnvelope("{}"u8));
        Assert.Contains("magic", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownKindIsRejected()
    {
        var e = Assert.Throws<ApiCodecException>(() => Codec.DecodeEnvelope(Envelope("v1", "NoSuchKind", [])));
        Assert.Contains("NoSuchKind", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WireTypeMismatchNamesTheField()
    {
        // Pod.metadata (#1) sent as a varint.
        var e = Assert.Throws<ApiCodecException>(() => Codec.DecodeEnvelope(Envelope("v1", "Pod", [0x08, 0x01])));
        Assert.Contains("metadata", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LengthBeyondTheDataIsRejected()
    {
        Assert.Throws<ApiCodecException>(() => Codec.DecodeEnvelope(Envelope("v1", "Pod", [0x0a, 0x7f, 0x01])));
        Assert.Throws<ApiCodecException>(() => Codec.DecodeEnvelope(Envelope("v1", "Pod", [0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f])));
    }

    [Fact]
    public void OverlongVarintIsRejected()
    {
        byte[] raw = [0x08, .. Enumerable.Repeat((byte)0xff, 11)];
        Assert.Throws<ApiCodecException>(() => Codec.DecodeEnvelope(Envelope("v1", "Namespace", raw)));
    }

    [Fact]
    public void DeepNestingIsBounded()
    {
        MessageDescriptor props = ApiSchemas.Kubernetes.GetMessage("k8s.io.apiextensions_apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps");
        int not = props.FindByJsonName("not")!.Number;
        byte[] data = [];
        for (int i = 0; i < 500; i++)
        {
            var w = new ProtoWriter();
            w.WriteTag(not, WireType.LengthDelimited);
            w.WriteBytes(data);
            data = w.ToArray();
        }

        var e = Assert.Throws<ApiCodecException>(() => Codec.DecodeMessage(data, props));
        Assert.Contains("deeper", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void InvalidQuantityIsRejected()
    {
        MessageDescriptor q = ApiSchemas.Kubernetes.GetMessage("k8s.io.apimachinery.pkg.api.resource.Quantity");
        var w = new ProtoWriter();
        w.WriteTag(1, WireType.LengthDelimited);
        w.WriteString("12 apples");
        Assert.Throws<ApiCodecException>(() => Codec.DecodeMessage(w.ToArray(), q));
    }

    [FixtureFact]
    public void EveryTruncationOfAFixtureFailsCleanly()
    {
        foreach (string name in new[] { "core.v1.Pod", "apps.v1.Deployment", "apiextensions.k8s.io.v1.CustomResourceDefinition" })
        {
            byte[] pb = File.ReadAllBytes(Fixtures.Path1(name, "pb"));
            int failures = 0;
            for (int len = 0; len < pb.Length; len++)
            {
                try
                {
                    Codec.DecodeEnvelope(pb.AsSpan(0, len));
                }
                catch (ApiCodecException)
                {
                    failures++;
                }
            }

            Assert.True(failures > pb.Length / 2, $"{name}: only {failures} of {pb.Length} truncations were rejected");
        }
    }

    [FixtureFact]
    public void RandomCorruptionNeverEscapesAsAnotherException()
    {
        byte[] pb = File.ReadAllBytes(Fixtures.Path1("core.v1.Pod", "pb"));
        var random = new Random(1234);
        int rejected = 0;
        for (int i = 0; i < 3000; i++)
        {
            byte[] copy = (byte[])pb.Clone();
            for (int k = 0; k < 3; k++)
            {
                copy[4 + random.Next(copy.Length - 4)] = (byte)random.Next(256);
            }

            try
            {
                Codec.DecodeEnvelope(copy);
            }
            catch (ApiCodecException)
            {
                rejected++;
            }
        }

        Assert.True(rejected > 0);
    }

    [Fact]
    public void WrongJsonTypesAreRejectedWithAPath()
    {
        var obj = JsonNode.Parse("""{"spec":{"replicas":"three"}}""")!.AsObject();
        var e = Assert.Throws<ApiCodecException>(() => Codec.EncodeEnvelope("apps/v1", "Deployment", obj));
        Assert.Contains("spec.replicas", e.Message, StringComparison.Ordinal);

        obj = JsonNode.Parse("""{"spec":{"containers":{"name":"x"}}}""")!.AsObject();
        e = Assert.Throws<ApiCodecException>(() => Codec.EncodeEnvelope("v1", "Pod", obj));
        Assert.Contains("spec.containers", e.Message, StringComparison.Ordinal);

        obj = JsonNode.Parse("""{"data":{"k":"not base64!"}}""")!.AsObject();
        Assert.Throws<ApiCodecException>(() => Codec.EncodeEnvelope("v1", "Secret", obj));

        obj = JsonNode.Parse("""{"spec":{"replicas":3000000000}}""")!.AsObject();
        Assert.Throws<ApiCodecException>(() => Codec.EncodeEnvelope("apps/v1", "Deployment", obj));
    }

    [Fact]
    public void EncodeThenDecodeKeepsAHandWrittenObject()
    {
        var obj = JsonNode.Parse("""
            {"kind":"Deployment","apiVersion":"apps/v1","metadata":{"name":"web","labels":{"b":"2","a":"1"},"creationTimestamp":"2024-05-06T07:08:09Z"},
             "spec":{"replicas":3,"selector":{"matchLabels":{"app":"web"}},
                     "template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"c","image":"nginx",
                        "ports":[{"containerPort":80}],"resources":{"limits":{"cpu":"1500m","memory":"1024Mi"}}}]}},
                     "strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":"25%","maxUnavailable":1}}}}
            """)!.AsObject();
        byte[] pb = Codec.EncodeEnvelope("apps/v1", "Deployment", obj);
        JsonObject back = Codec.DecodeEnvelope(pb).Object;
        Assert.Equal("web", (string?)back["metadata"]!["name"]);
        Assert.Equal(3, (int)back["spec"]!["replicas"]!);
        Assert.Equal("1Gi", (string?)back["spec"]!["template"]!["spec"]!["containers"]![0]!["resources"]!["limits"]!["memory"]);
        Assert.Equal("25%", (string?)back["spec"]!["strategy"]!["rollingUpdate"]!["maxSurge"]);
        Assert.Equal(1, (int)back["spec"]!["strategy"]!["rollingUpdate"]!["maxUnavailable"]!);
        Assert.Equal("2024-05-06T07:08:09Z", (string?)back["metadata"]!["creationTimestamp"]);
        Assert.Equal(pb, Codec.EncodeEnvelope("apps/v1", "Deployment", back));
    }
}
