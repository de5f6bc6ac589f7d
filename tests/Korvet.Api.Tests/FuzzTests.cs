using System.Text;
using System.Text.Json.Nodes;
using Korvet.Api.Core.V1;
using Korvet.Api.Generated;
using Korvet.Api.Protobuf;
using Korvet.Api.Serialization;

namespace Korvet.Api.Tests;

/// <summary>Mutated fixtures thrown at every decoder: each input either decodes or fails with ApiCodecException.</summary>
public sealed class FuzzTests
{
    private static string Mutate(string text, Random random)
    {
        var sb = new StringBuilder(text);
        const string alphabet = "{}[]:,-'\"&*!|>#%@`\t\n ?0123456789abcxyz\\\u00e9";
        int edits = 1 + random.Next(4);
        for (int i = 0; i < edits && sb.Length > 0; i++)
        {
            int at = random.Next(sb.Length);
            switch (random.Next(3))
            {
                case 0:
                    sb[at] = alphabet[random.Next(alphabet.Length)];
                    break;
                case 1:
                    sb.Insert(at, alphabet[random.Next(alphabet.Length)]);
                    break;
                default:
                    sb.Remove(at, Math.Min(1 + random.Next(8), sb.Length - at));
                    break;
            }
        }

        return sb.ToString();
    }

    [FixtureFact]
    public void MutatedYamlOnlyFailsWithCodecErrors()
    {
        string yaml = File.ReadAllText(Fixtures.Path1("core.v1.Pod", "yaml"));
        var random = new Random(42);
        int failed = 0;
        for (int i = 0; i < 1000; i++)
        {
            try
            {
                foreach (JsonNode? doc in YamlReader.ParseDocuments(Mutate(yaml, random)))
                {
                    if (doc is JsonObject obj)
                    {
                        ApiJson.Deserialize(obj, typeof(Pod));
                    }
                }
            }
            catch (ApiCodecException)
            {
                failed++;
            }
        }

        Assert.True(failed > 0);
    }

    [FixtureFact]
    public void MutatedJsonOnlyFailsWithCodecErrors()
    {
        string json = File.ReadAllText(Fixtures.Path1("apps.v1.Deployment", "json"));
        var codec = new ProtobufCodec(ApiSchemas.Kubernetes);
        var random = new Random(7);
        int failed = 0;
        for (int i = 0; i < 1000; i++)
        {
            byte[] mutated = Encoding.UTF8.GetBytes(Mutate(json, random));
            try
            {
                JsonObject obj = ApiJson.ParseObject(mutated);
                codec.EncodeEnvelope("apps/v1", "Deployment", obj);
                ApiJson.Deserialize<Korvet.Api.Apps.V1.Deployment>(mutated);
            }
            catch (ApiCodecException)
            {
                failed++;
            }
        }

        Assert.True(failed > 0);
    }
}
