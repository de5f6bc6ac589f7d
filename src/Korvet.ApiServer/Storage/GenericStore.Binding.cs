using System.Globalization;
using System.Text.Json.Nodes;
using Korvet.ApiServer.Errors;
using Korvet.ApiServer.Registry;
using Korvet.Storage;

namespace Korvet.ApiServer.Storage;

/// <summary>
/// Binding a pod to a node (<c>pods/binding</c> and the legacy namespaced <c>bindings</c> resource), with upstream's
/// BindingREST rules: the pod must exist, not be terminating and have no node yet (else 409 on "pods/binding");
/// the write sets spec.nodeName, merges the Binding's annotations and sets the PodScheduled=True condition. Like
/// upstream it is a storage-level compare-and-swap update that bypasses the pod strategy (spec.nodeName is otherwise
/// immutable) and records no managedFields entry.
/// </summary>
public sealed partial class GenericStore
{
    /// <summary>The qualified resource upstream names in binding conflicts.</summary>
    private static readonly ResourceDefinition BindingConflictResource =
        new("", "v1", "pods/binding", "binding", "Binding", true, [], [], [], [], "core");

    /// <summary>Binds the pod; <paramref name="podName"/> is the URL's pod name (for <c>bindings</c>, the Binding's name).
    /// Returns the 201 Success Status body upstream answers with.</summary>
    public async Task<byte[]> BindAsync(ResourceDefinition pods, string ns, string podName, JsonObject binding, bool dryRun,
        CancellationToken cancellationToken)
    {
        if ((string?)binding["kind"] is { Length: > 0 } kind && kind != "Binding")
        {
            throw StatusErrors.BadRequest($"the kind in the data ({kind}) does not match the expected kind (Binding)");
        }

        var meta = binding["metadata"] as JsonObject;
        string name = (string?)meta?["name"] ?? "";
        if (name != podName)
        {
            throw StatusErrors.BadRequest("name in URL does not match name in Binding object");
        }

        string targetKind = (string?)binding["target"]?["kind"] ?? "";
        string node = (string?)binding["target"]?["name"] ?? "";
        var causes = new List<StatusCause>();
        if (targetKind.Length > 0 && targetKind != "Node")
        {
            causes.Add(new StatusCause("FieldValueNotSupported",
                $"Unsupported value: \"{targetKind}\": supported values: \"Node\", \"<empty>\"", "target.kind"));
        }

        if (node.Length == 0)
        {
            causes.Add(new StatusCause("FieldValueRequired", "Required value", "target.name"));
        }

        if (causes.Count > 0)
        {
            throw new StatusException(422, "Invalid", InvalidMessage(name, causes), new StatusDetails(name, null, "Binding", causes));
        }

        string uid = (string?)meta?["uid"] ?? "";
        string rv = (string?)meta?["resourceVersion"] ?? "";
        string key = KeyFor(pods, ns, podName);
        for (int attempt = 0; ; attempt++)
        {
            KeyValue current = await GetLiveAsync(pods, key, podName, cancellationToken);
            JsonObject pod = ParseStored(current.Value);
            var podMeta = (JsonObject)pod["metadata"]!;
            if (uid.Length > 0 && (string?)podMeta["uid"] != uid)
            {
                throw BindingConflict(podName,
                    $"Precondition failed: UID in precondition: {uid}, UID in object meta: {(string?)podMeta["uid"]}");
            }

            if (rv.Length > 0 && rv != current.ModRevision.ToString(CultureInfo.InvariantCulture))
            {
                throw BindingConflict(podName,
                    $"Precondition failed: ResourceVersion in precondition: {rv}, ResourceVersion in object meta: {current.ModRevision}");
            }

            if (podMeta["deletionTimestamp"] is not null)
            {
                throw BindingConflict(podName, $"pod {podName} is being deleted, cannot be assigned to a host");
            }

            var spec = pod["spec"] as JsonObject ?? new JsonObject();
            pod["spec"] = spec;
            if ((string?)spec["nodeName"] is { Length: > 0 } assigned)
            {
                throw BindingConflict(podName, $"pod {podName} is already assigned to node \"{assigned}\"");
            }

            if (spec["schedulingGates"] is JsonArray { Count: > 0 })
            {
                throw BindingConflict(podName, $"pod {podName} has non-empty .spec.schedulingGates");
            }

            spec["nodeName"] = node;
            if (meta?["annotations"] is JsonObject annotations && annotations.Count > 0)
            {
                var podAnnotations = podMeta["annotations"] as JsonObject ?? new JsonObject();
                podMeta["annotations"] = podAnnotations;
                foreach ((string k, JsonNode? v) in annotations)
                {
                    podAnnotations[k] = v?.DeepClone();
                }
            }

            SetScheduledCondition(pod);
            if (dryRun)
            {
                return BindingSuccess();
            }

            byte[] bytes = ObjectBytes.Serialize(pod);
            CheckSize(bytes);
            try
            {
                await _backend.UpdateAsync(current.Key, bytes, current.ModRevision, 0, cancellationToken);
                return BindingSuccess();
            }
            catch (StorageException e) when (e.Code == StorageErrorCode.Conflict && attempt < MaxPatchRetries)
            {
                // Another writer (e.g. a status update) won the compare-and-swap: re-read and re-check.
            }
            catch (StorageException e) when (e.Code == StorageErrorCode.Conflict)
            {
                throw StatusErrors.StaleResourceVersion(pods, podName);
            }
            catch (StorageException e)
            {
                throw MapStorage(e, pods, podName);
            }
        }
    }

    /// <summary>Upstream's UpdatePodCondition: the transition time changes only when the status does.</summary>
    private void SetScheduledCondition(JsonObject pod)
    {
        var status = pod["status"] as JsonObject ?? new JsonObject();
        pod["status"] = status;
        var conditions = status["conditions"] as JsonArray ?? new JsonArray();
        status["conditions"] = conditions;
        string now = Timestamps.Format(_time.GetUtcNow());
        foreach (JsonObject condition in conditions.OfType<JsonObject>())
        {
            if ((string?)condition["type"] == "PodScheduled")
            {
                if ((string?)condition["status"] != "True")
                {
                    condition["lastTransitionTime"] = now;
                }

                condition["status"] = "True";
                condition.Remove("reason");
                condition.Remove("message");
                condition["lastProbeTime"] = null;
                return;
            }
        }

        conditions.Add((JsonNode)new JsonObject
        {
            ["type"] = "PodScheduled", ["status"] = "True", ["lastProbeTime"] = null, ["lastTransitionTime"] = now,
        });
    }

    private static StatusException BindingConflict(string name, string why) => StatusErrors.Conflict(BindingConflictResource, name, why);

    private static string InvalidMessage(string name, IReadOnlyList<StatusCause> causes)
    {
        var parts = causes.Select(c => $"{c.Field}: {c.Message}").ToList();
        return $"Binding \"{name}\" is invalid: " + (parts.Count == 1 ? parts[0] : "[" + string.Join(", ", parts) + "]");
    }

    private static byte[] BindingSuccess() =>
        System.Text.Encoding.UTF8.GetBytes("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Success\",\"code\":201}");
}
