using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Korvet.Api.Core.V1;
using Korvet.Api.Serialization;

namespace Korvet.Controllers.Deployments;

/// <summary>
/// The <c>pod-template-hash</c> of a Deployment's template, shaped like upstream's <c>controller.ComputeHash</c>:
/// FNV-1a (32 bit) over a deterministic rendering of the template, then — when the Deployment has a collision count —
/// 8 more bytes (the count as little-endian uint32, then four zero bytes), then the decimal text of the 32-bit sum
/// mapped character by character onto the 27 "safe" letters (<c>rand.SafeEncodeString</c>).
/// Upstream renders the Go struct with spew; we render canonical JSON (keys sorted, null/empty members dropped), so the
/// hash has the same shape and stability but not the same value as upstream for the same template. Pure and thread-safe.
/// </summary>
public static class PodTemplateHash
{
    public const string LabelKey = "pod-template-hash";

    /// <summary>rand.SafeEncodeString's alphabet: no vowels, no 0/1/3 (avoids words and look-alikes).</summary>
    public const string SafeAlphabet = "bcdfghjklmnpqrstvwxz2456789";

    private const uint FnvOffset = 2166136261;
    private const uint FnvPrime = 16777619;

    /// <summary>The hash label value for <paramref name="template"/> salted with <paramref name="collisionCount"/>.</summary>
    public static string Compute(PodTemplateSpec template, int? collisionCount)
    {
        uint hash = Fnv32a(Render(template), FnvOffset);
        if (collisionCount is int count)
        {
            Span<byte> salt = stackalloc byte[8];
            BitConverter.TryWriteBytes(salt, (uint)count);
            if (!BitConverter.IsLittleEndian)
            {
                salt[..4].Reverse();
            }

            hash = Fnv32a(salt, hash);
        }

        return SafeEncode(hash.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>FNV-1a 32 continuing from <paramref name="state"/> (start with the offset basis 2166136261).</summary>
    public static uint Fnv32a(ReadOnlySpan<byte> data, uint state = FnvOffset)
    {
        foreach (byte b in data)
        {
            state ^= b;
            state *= FnvPrime;
        }

        return state;
    }

    /// <summary>Maps every character to <see cref="SafeAlphabet"/>[code % 27], like rand.SafeEncodeString.</summary>
    public static string SafeEncode(string text)
    {
        var chars = new char[text.Length];
        for (int i = 0; i < text.Length; i++)
        {
            chars[i] = SafeAlphabet[text[i] % SafeAlphabet.Length];
        }

        return new string(chars);
    }

    /// <summary>Upstream's EqualIgnoreHash: the templates are equal once the hash label is removed from both.</summary>
    public static bool EqualIgnoreHash(PodTemplateSpec? a, PodTemplateSpec? b)
    {
        if (a is null || b is null)
        {
            return a is null && b is null;
        }

        JsonNode left = Canonical(a);
        JsonNode right = Canonical(b);
        RemoveHashLabel(left);
        RemoveHashLabel(right);
        return JsonNode.DeepEquals(left, right);
    }

    /// <summary>The canonical UTF-8 rendering the hash is computed over.</summary>
    public static byte[] Render(PodTemplateSpec template) => Encoding.UTF8.GetBytes(Canonical(template).ToJsonString());

    private static JsonNode Canonical(PodTemplateSpec template) =>
        Normalize(JsonNode.Parse(ApiJson.SerializeToUtf8Bytes(template))) ?? new JsonObject();

    private static void RemoveHashLabel(JsonNode node)
    {
        if (node["metadata"]?["labels"] is JsonObject labels)
        {
            labels.Remove(LabelKey);
            if (labels.Count == 0)
            {
                ((JsonObject)node["metadata"]!).Remove("labels");
                if (((JsonObject)node["metadata"]!).Count == 0)
                {
                    ((JsonObject)node).Remove("metadata");
                }
            }
        }
    }

    /// <summary>Sorted keys; null, empty objects and empty arrays dropped (Go's nil vs empty is not a difference here).</summary>
    private static JsonNode? Normalize(JsonNode? node)
    {
        switch (node)
        {
            case null:
                return null;
            case JsonObject obj:
                var sorted = new JsonObject();
                foreach ((string key, JsonNode? value) in obj.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    JsonNode? normalized = Normalize(value);
                    if (normalized is not null)
                    {
                        sorted[key] = normalized;
                    }
                }

                return sorted.Count == 0 ? null : sorted;
            case JsonArray array:
                var items = new JsonArray();
                foreach (JsonNode? item in array)
                {
                    items.Add(Normalize(item) ?? new JsonObject());
                }

                return items.Count == 0 ? null : items;
            default:
                return node.GetValueKind() == JsonValueKind.Null ? null : node.DeepClone();
        }
    }
}
