using System.Text.Json.Nodes;

namespace Korvet.ApiServer.Strategies;

/// <summary>
/// Upstream's DefaultTolerationSeconds admission plugin: a new pod that does not already tolerate the
/// <c>node.kubernetes.io/not-ready</c> / <c>node.kubernetes.io/unreachable</c> NoExecute taints (a toleration with that
/// key or an empty key, and effect NoExecute or empty) gets <c>{key, operator: Exists, effect: NoExecute,
/// tolerationSeconds: N}</c> for each, so the node lifecycle controller evicts it N seconds after its node is lost.
/// Applied on create only (upstream admits Create of the pods resource only).
/// </summary>
internal static class DefaultTolerations
{
    public const string NotReadyTaint = "node.kubernetes.io/not-ready";
    public const string UnreachableTaint = "node.kubernetes.io/unreachable";

    public static void Add(JsonObject spec, long seconds)
    {
        bool notReady = false;
        bool unreachable = false;
        foreach ((_, JsonObject toleration) in JsonFields.Items(spec, "tolerations"))
        {
            string key = JsonFields.Str(toleration, "key");
            string effect = JsonFields.Str(toleration, "effect");
            if (effect is not ("NoExecute" or ""))
            {
                continue;
            }

            notReady |= key is NotReadyTaint or "";
            unreachable |= key is UnreachableTaint or "";
        }

        if (notReady && unreachable)
        {
            return;
        }

        if (spec["tolerations"] is not JsonArray list)
        {
            list = [];
            spec["tolerations"] = list;
        }

        if (!notReady)
        {
            list.Add((JsonNode)Toleration(NotReadyTaint, seconds));
        }

        if (!unreachable)
        {
            list.Add((JsonNode)Toleration(UnreachableTaint, seconds));
        }
    }

    private static JsonObject Toleration(string key, long seconds) => new()
    {
        ["key"] = key,
        ["operator"] = "Exists",
        ["effect"] = "NoExecute",
        ["tolerationSeconds"] = seconds,
    };
}
