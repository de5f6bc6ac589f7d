using System.Text.Json.Nodes;
using Korvet.Api.Resource;
using Korvet.ApiServer.Errors;

namespace Korvet.ApiServer.Strategies;

/// <summary>
/// Container resource requirements (upstream ValidateResourceRequirements' common rules: no negative quantity, each
/// request at most its limit) and the pod QoS class with quantities compared by value. Malformed quantities are a
/// decode error upstream (400), so here they are skipped rather than reported.
/// </summary>
internal static class ResourceValidation
{
    public static void Validate(JsonObject? resources, string path, List<StatusCause> causes)
    {
        JsonObject? limits = JsonFields.Obj(resources, "limits");
        JsonObject? requests = JsonFields.Obj(resources, "requests");
        foreach ((string list, JsonObject? values) in new[] { ("limits", limits), ("requests", requests) })
        {
            foreach (KeyValuePair<string, JsonNode?> pair in values ?? [])
            {
                if (Parse(pair.Value) is { Sign: < 0 } q)
                {
                    causes.Add(FieldErrors.Invalid($"{path}.{list}[{pair.Key}]", q.ToString(), "must be greater than or equal to 0"));
                }
            }
        }

        foreach (KeyValuePair<string, JsonNode?> pair in requests ?? [])
        {
            if (Parse(pair.Value) is { } request && Parse(limits?[pair.Key]) is { } limit && request.CompareTo(limit) > 0)
            {
                causes.Add(FieldErrors.Invalid($"{path}.requests[{pair.Key}]", request.ToString(),
                    $"must be less than or equal to {pair.Key} limit of {limit}"));
            }
        }
    }

    /// <summary>upstream's GetPodQOS: BestEffort without cpu/memory requests or limits, Guaranteed when every container
    /// has cpu and memory limits equal to its requests, Burstable otherwise.</summary>
    public static string QosClass(JsonObject spec)
    {
        bool any = false;
        bool guaranteed = true;
        foreach (string list in new[] { "containers", "initContainers" })
        {
            foreach ((_, JsonObject c) in JsonFields.Items(spec, list))
            {
                JsonObject? requests = JsonFields.Path(c, "resources", "requests");
                JsonObject? limits = JsonFields.Path(c, "resources", "limits");
                foreach (string r in new[] { "cpu", "memory" })
                {
                    Quantity? request = Parse(requests?[r]);
                    Quantity? limit = Parse(limits?[r]);
                    any |= request is { IsZero: false } || limit is { IsZero: false };
                    if (limit is null || (request is not null && request.CompareTo(limit) != 0))
                    {
                        guaranteed = false;
                    }
                }
            }
        }

        return !any ? "BestEffort" : guaranteed ? "Guaranteed" : "Burstable";
    }

    private static Quantity? Parse(JsonNode? node) =>
        node is JsonValue v && Quantity.TryParse(v.ToString(), out Quantity? q) ? q : null;
}
