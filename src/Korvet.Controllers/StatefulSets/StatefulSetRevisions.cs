using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Korvet.Api.Apps.V1;
using Korvet.Api.Core.V1;
using Korvet.Api.Meta.V1;
using Korvet.Api.Runtime;
using Korvet.Api.Serialization;
using Korvet.Controllers.Deployments;
using Korvet.Controllers.ReplicaSets;

namespace Korvet.Controllers.StatefulSets;

/// <summary>
/// StatefulSet history as upstream (stateful_set_utils.go newRevision/ApplyRevision + pkg/controller/history): a
/// ControllerRevision's data is the strategic merge patch <c>{"spec":{"template":{"$patch":"replace",...}}}</c> that
/// restores the template (what <c>kubectl rollout undo</c> sends back); its name is "&lt;set&gt;-&lt;hash&gt;" where the
/// hash is FNV-1 (32 bit, not 1a) over the data bytes, then the decimal collision count's text, safe-encoded; labels
/// are the template's plus <c>controller.kubernetes.io/hash</c>; annotations are the set's. The data is rendered as
/// canonical JSON (sorted keys, empty members dropped), so equal templates give equal bytes. Pure.
/// </summary>
public static class StatefulSetRevisions
{
    public const string HashLabel = "controller.kubernetes.io/hash";

    private const uint FnvOffset = 2166136261;
    private const uint FnvPrime = 16777619;

    /// <summary>getPatch: the template (canonical) with "$patch": "replace", under spec.template.</summary>
    public static JsonObject Patch(PodTemplateSpec? template)
    {
        JsonObject rendered = JsonNode.Parse(PodTemplateHash.Render(template ?? new PodTemplateSpec()))!.AsObject();
        var withDirective = new JsonObject { ["$patch"] = "replace" };
        foreach ((string key, JsonNode? value) in rendered)
        {
            withDirective[key] = value?.DeepClone();
        }

        return new JsonObject { ["spec"] = new JsonObject { ["template"] = withDirective } };
    }

    /// <summary>FNV-1 (multiply, then xor) as Go's hash/fnv New32.</summary>
    public static uint Fnv32(ReadOnlySpan<byte> data, uint state = FnvOffset)
    {
        foreach (byte b in data)
        {
            state *= FnvPrime;
            state ^= b;
        }

        return state;
    }

    /// <summary>HashControllerRevision over the data bytes and the probe (collision count) as decimal text.</summary>
    public static string Hash(ReadOnlySpan<byte> data, int? collisionCount)
    {
        uint hash = Fnv32(data);
        if (collisionCount is int probe)
        {
            hash = Fnv32(Encoding.ASCII.GetBytes(probe.ToString(CultureInfo.InvariantCulture)), hash);
        }

        return PodTemplateHash.SafeEncode(hash.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>ControllerRevisionName: the prefix cut to 223 characters, "-", the hash.</summary>
    public static string Name(string prefix, string hash) => (prefix.Length > 223 ? prefix[..223] : prefix) + "-" + hash;

    /// <summary>newRevision: a not-yet-created ControllerRevision of <paramref name="set"/>'s template.</summary>
    public static ControllerRevision New(StatefulSet set, long revision, int collisionCount)
    {
        ObjectMeta owner = set.Metadata ?? new ObjectMeta();
        JsonObject patch = Patch(set.Spec?.Template);
        string hash = Hash(Encoding.UTF8.GetBytes(patch.ToJsonString()), collisionCount);
        var labels = new Dictionary<string, string>(set.Spec?.Template?.Metadata?.Labels ?? [], StringComparer.Ordinal)
        {
            [HashLabel] = hash,
        };
        return new ControllerRevision
        {
            ApiVersion = "apps/v1",
            Kind = "ControllerRevision",
            Metadata = new ObjectMeta
            {
                Name = Name(owner.Name ?? "", hash),
                Namespace = owner.Namespace,
                Labels = labels,
                Annotations = owner.Annotations is { Count: > 0 } a ? new Dictionary<string, string>(a, StringComparer.Ordinal) : null,
                OwnerReferences = [PodState.ControllerReference("apps/v1", "StatefulSet", owner)],
            },
            Data = new RawExtension(patch),
            Revision = revision,
        };
    }

    /// <summary>EqualRevision: the same data (compared as JSON, so re-serialisation by the server does not matter).</summary>
    public static bool Equal(ControllerRevision? a, ControllerRevision? b)
    {
        if (a is null || b is null)
        {
            return a is null && b is null;
        }

        return JsonNode.DeepEquals(Normalized(a), Normalized(b));
    }

    /// <summary>ApplyRevision for the only shape we write: the template stored in the revision (directive removed).</summary>
    public static PodTemplateSpec TemplateOf(ControllerRevision revision)
    {
        if (revision.Data?.Raw?["spec"]?["template"] is not JsonObject template)
        {
            throw new InvalidOperationException($"controller revision {revision.Metadata?.Name} has no spec.template patch");
        }

        var copy = (JsonObject)template.DeepClone();
        copy.Remove("$patch");
        return ApiJson.Deserialize<PodTemplateSpec>(ApiJson.SerializeToUtf8Bytes(copy));
    }

    /// <summary>nextRevision: 1 + the highest revision number, 1 for none.</summary>
    public static long Next(IEnumerable<ControllerRevision> revisions) => revisions.Select(r => r.Revision).DefaultIfEmpty(0).Max() + 1;

    /// <summary>SortControllerRevisions: by revision number (stable), ties by creation then name.</summary>
    public static List<ControllerRevision> Sorted(IEnumerable<ControllerRevision> revisions) =>
        [.. revisions.OrderBy(r => r.Revision).ThenBy(r => r.Metadata?.CreationTimestamp?.Value).ThenBy(r => r.Metadata?.Name, StringComparer.Ordinal)];

    /// <summary>
    /// truncateHistory: the revisions to delete — the oldest of those not live (current, update, or any pod's
    /// revision) beyond <paramref name="limit"/>.
    /// </summary>
    public static List<ControllerRevision> ToTruncate(IReadOnlyList<ControllerRevision> sorted, IEnumerable<string> live, int limit)
    {
        var liveNames = new HashSet<string>(live, StringComparer.Ordinal);
        List<ControllerRevision> history = [.. sorted.Where(r => !liveNames.Contains(r.Metadata?.Name ?? ""))];
        return history.Count <= limit ? [] : history[..(history.Count - limit)];
    }

    private static JsonNode? Normalized(ControllerRevision revision)
    {
        JsonNode? raw = revision.Data?.Raw;
        return raw is null ? null : JsonNode.Parse(Canonical(raw));
    }

    private static string Canonical(JsonNode node)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            Write(writer, node);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void Write(Utf8JsonWriter writer, JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                writer.WriteStartObject();
                foreach ((string key, JsonNode? value) in obj.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(key);
                    Write(writer, value);
                }

                writer.WriteEndObject();
                break;
            case JsonArray array:
                writer.WriteStartArray();
                foreach (JsonNode? item in array)
                {
                    Write(writer, item);
                }

                writer.WriteEndArray();
                break;
            case null:
                writer.WriteNullValue();
                break;
            default:
                node.WriteTo(writer);
                break;
        }
    }
}
