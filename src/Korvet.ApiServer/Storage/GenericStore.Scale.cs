using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Korvet.ApiServer.Errors;
using Korvet.ApiServer.Registry;
using Korvet.Storage;

namespace Korvet.ApiServer.Storage;

/// <summary>
/// The scale subresource (autoscaling/v1 Scale) of resources with <c>spec.replicas</c>: deployments, replicasets,
/// statefulsets, replicationcontrollers. Reads project the parent; writes set the parent's spec.replicas with the
/// parent's resourceVersion as the optimistic-concurrency token.
/// </summary>
public sealed partial class GenericStore
{
    public async Task<byte[]> GetScaleAsync(ResourceDefinition resource, string ns, string name, CancellationToken cancellationToken)
    {
        KeyValue current = await Call(() => _backend.GetAsync(KeyFor(resource, ns, name), 0, cancellationToken), resource, name)
            ?? throw StatusErrors.NotFound(resource, name);
        return ObjectBytes.Serialize(ToScale(resource, ParseStored(current.Value), current.ModRevision));
    }

    /// <summary>PUT (or the tail of PATCH) of a Scale: validates replicas and writes the parent.</summary>
    public async Task<byte[]> UpdateScaleAsync(ResourceDefinition resource, string ns, string name, JsonObject scale, WriteOptions options,
        CancellationToken cancellationToken)
    {
        if ((string?)scale["kind"] is { Length: > 0 } kind && kind != "Scale")
        {
            throw StatusErrors.BadRequest($"the kind in the data ({kind}) does not match the expected kind (Scale)");
        }

        string requestedRv = (string?)scale["metadata"]?["resourceVersion"] ?? "";
        JsonNode? replicasNode = scale["spec"]?["replicas"];
        long replicas = 0;
        if (replicasNode is not null && !(replicasNode is JsonValue v && v.TryGetValue(out replicas)))
        {
            throw StatusErrors.BadRequest("spec.replicas must be an integer");
        }

        if (replicas < 0)
        {
            throw new StatusException(422, "Invalid",
                $"Scale.autoscaling \"{name}\" is invalid: spec.replicas: Invalid value: {replicas}: must be greater than or equal to 0",
                new StatusDetails(name, "autoscaling", "Scale",
                    [new StatusCause("FieldValueInvalid", $"Invalid value: {replicas}: must be greater than or equal to 0", "spec.replicas")]));
        }

        string key = KeyFor(resource, ns, name);
        IResourceStrategy strategy = _strategies.For(resource);
        for (int attempt = 0; ; attempt++)
        {
            KeyValue current = await GetLiveAsync(resource, key, name, cancellationToken);
            if (requestedRv.Length > 0 && requestedRv != current.ModRevision.ToString(CultureInfo.InvariantCulture))
            {
                throw StatusErrors.StaleResourceVersion(resource, name);
            }

            JsonObject parent = ParseStored(current.Value);
            var spec = parent["spec"] as JsonObject ?? new JsonObject();
            parent["spec"] = spec;
            spec["replicas"] = replicas;
            try
            {
                WriteResult written = await WriteUpdateAsync(resource, strategy, current, parent, "", options, cancellationToken);
                JsonObject updated = (JsonObject)JsonNode.Parse(written.Body)!;
                long rv = long.Parse((string)updated["metadata"]!["resourceVersion"]!, CultureInfo.InvariantCulture);
                return ObjectBytes.Serialize(ToScale(resource, updated, rv));
            }
            catch (StorageException e) when (e.Code == StorageErrorCode.Conflict)
            {
                if (requestedRv.Length > 0 || attempt >= MaxPatchRetries)
                {
                    throw StatusErrors.StaleResourceVersion(resource, name);
                }
            }
        }
    }

    /// <summary>PATCH of a Scale: the patch applies to the projected Scale, then the result is written like a PUT.</summary>
    public async Task<byte[]> PatchScaleAsync(ResourceDefinition resource, string ns, string name, string patchType, ReadOnlyMemory<byte> patch,
        WriteOptions options, CancellationToken cancellationToken)
    {
        JsonObject scale = (JsonObject)JsonNode.Parse(await GetScaleAsync(resource, ns, name, cancellationToken))!;
        JsonObject patched = _patcher.Apply(patchType, scale, patch, resource);
        ((JsonObject?)patched["metadata"])?.Remove("resourceVersion");
        return await UpdateScaleAsync(resource, ns, name, patched, options, cancellationToken);
    }

    private static JsonObject ToScale(ResourceDefinition resource, JsonObject parent, long resourceVersion)
    {
        var meta = (JsonObject)parent["metadata"]!;
        var scaleMeta = new JsonObject { ["name"] = meta["name"]?.DeepClone() };
        if (resource.Namespaced)
        {
            scaleMeta["namespace"] = meta["namespace"]?.DeepClone();
        }

        scaleMeta["uid"] = meta["uid"]?.DeepClone();
        scaleMeta["resourceVersion"] = resourceVersion.ToString(CultureInfo.InvariantCulture);
        scaleMeta["creationTimestamp"] = meta["creationTimestamp"]?.DeepClone();
        long specReplicas = parent["spec"]?["replicas"] is JsonValue r && r.TryGetValue(out long n) ? n : 1;
        long statusReplicas = parent["status"]?["replicas"] is JsonValue s && s.TryGetValue(out long m) ? m : 0;
        var status = new JsonObject { ["replicas"] = statusReplicas };
        string selector = SelectorString(parent["spec"]?["selector"]);
        if (selector.Length > 0)
        {
            status["selector"] = selector;
        }

        return new JsonObject
        {
            ["kind"] = "Scale",
            ["apiVersion"] = "autoscaling/v1",
            ["metadata"] = scaleMeta,
            ["spec"] = new JsonObject { ["replicas"] = specReplicas },
            ["status"] = status,
        };
    }

    /// <summary>The selector as a label-selector string: a LabelSelector (apps) or a plain map (replication controllers).</summary>
    private static string SelectorString(JsonNode? selector)
    {
        if (selector is not JsonObject obj)
        {
            return "";
        }

        using JsonDocument doc = JsonDocument.Parse(obj.ToJsonString());
        JsonElement root = doc.RootElement;
        bool isLabelSelector = root.TryGetProperty("matchLabels", out _) || root.TryGetProperty("matchExpressions", out _);
        string text = isLabelSelector ? Tables.Json.FormatSelector(root) : Tables.Json.FormatLabels(root);
        return text == "<none>" ? "" : text;
    }
}
