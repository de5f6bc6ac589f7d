using System.Collections.Frozen;
using System.Text.Json.Nodes;

namespace Korvet.Api.Selectors;

/// <summary>
/// Upstream's (1.32) field selector contracts per API group and resource: the labels each kind's conversion func
/// accepts and what its strategy's selectable fields hold. Resources not listed (all of apps, custom resources)
/// get <see cref="ObjectFields.Default"/>.
/// </summary>
public static class KindFields
{
    // Declared before Table: static fields initialize in order and Build uses these.
    private static readonly Func<JsonObject, string> StatusPodIP = ObjectFields.Path("status.podIP");
    private static readonly Func<JsonObject, string> SourceComponent = ObjectFields.Path("source.component");
    private static readonly Func<JsonObject, string> ReportingComponent = ObjectFields.Path("reportingComponent");
    private static readonly FrozenDictionary<(string Group, string Resource), ObjectFields> Table = Build();

    /// <summary>The contract of <paramref name="resource"/> (plural) in <paramref name="group"/> ("" for core).</summary>
    public static ObjectFields For(string group, string resource) => Table.GetValueOrDefault((group, resource), ObjectFields.Default);

    private static FrozenDictionary<(string, string), ObjectFields> Build()
    {
        Func<JsonObject, string> unset = _ => "";
        var table = new Dictionary<(string, string), ObjectFields>
        {
            [("", "pods")] = new(
                ["spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName", "status.phase", "status.nominatedNodeName"],
                new Dictionary<string, Func<JsonObject, string>>
                {
                    ["spec.hostNetwork"] = ObjectFields.Path("spec.hostNetwork", "false"),
                    ["status.podIP"] = PodIP,
                    ["status.podIPs"] = unset, // accepted upstream but never set, so it matches only ""
                },
                aliases: new Dictionary<string, string> { ["spec.host"] = "spec.nodeName" }),
            [("", "nodes")] = new(
                custom: new Dictionary<string, Func<JsonObject, string>> { ["spec.unschedulable"] = ObjectFields.Path("spec.unschedulable", "false") },
                includeNamespace: false),
            [("", "namespaces")] = new(["status.phase"], includeNamespace: false),
            [("", "secrets")] = new(["type"]),
            [("", "services")] = new(["spec.clusterIP", "spec.type"]),
            [("", "replicationcontrollers")] = new(
                custom: new Dictionary<string, Func<JsonObject, string>> { ["status.replicas"] = ObjectFields.Path("status.replicas", "0") }),
            [("", "events")] = new(
                ["involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid", "involvedObject.apiVersion",
                 "involvedObject.resourceVersion", "involvedObject.fieldPath", "reason", "reportingComponent", "type"],
                new Dictionary<string, Func<JsonObject, string>> { ["source"] = CoreEventSource }),
            [("events.k8s.io", "events")] = new(
                ["reason", "type"],
                new Dictionary<string, Func<JsonObject, string>>
                {
                    ["involvedObject.kind"] = ObjectFields.Path("regarding.kind"),
                    ["involvedObject.namespace"] = ObjectFields.Path("regarding.namespace"),
                    ["involvedObject.name"] = ObjectFields.Path("regarding.name"),
                    ["involvedObject.uid"] = ObjectFields.Path("regarding.uid"),
                    ["involvedObject.apiVersion"] = ObjectFields.Path("regarding.apiVersion"),
                    ["involvedObject.resourceVersion"] = ObjectFields.Path("regarding.resourceVersion"),
                    ["involvedObject.fieldPath"] = ObjectFields.Path("regarding.fieldPath"),
                    ["reportingComponent"] = ObjectFields.Path("reportingController"),
                },
                aliases: new Dictionary<string, string>
                {
                    ["regarding.kind"] = "involvedObject.kind",
                    ["regarding.namespace"] = "involvedObject.namespace",
                    ["regarding.name"] = "involvedObject.name",
                    ["regarding.uid"] = "involvedObject.uid",
                    ["regarding.apiVersion"] = "involvedObject.apiVersion",
                    ["regarding.resourceVersion"] = "involvedObject.resourceVersion",
                    ["regarding.fieldPath"] = "involvedObject.fieldPath",
                    ["reportingController"] = "reportingComponent",
                }),
            [("batch", "jobs")] = new(
                custom: new Dictionary<string, Func<JsonObject, string>> { ["status.successful"] = ObjectFields.Path("status.succeeded", "0") },
                reject: label => $"field label \"{label}\" not supported for Job"),
            [("certificates.k8s.io", "certificatesigningrequests")] = new(["spec.signerName"], includeNamespace: false),
        };
        return table.ToFrozenDictionary();
    }

    /// <summary>Upstream reads <c>status.podIPs[0].ip</c>; objects carry the same value in <c>status.podIP</c>.</summary>
    private static string PodIP(JsonObject pod) =>
        pod["status"]?["podIPs"] is JsonArray { Count: > 0 } ips && ips[0]?["ip"] is JsonValue ip && ip.TryGetValue(out string? s)
            ? s
            : StatusPodIP(pod);

    /// <summary>Core events select <c>source</c> as <c>source.component</c>, else <c>reportingComponent</c>.</summary>
    private static string CoreEventSource(JsonObject e) =>
        SourceComponent(e) is { Length: > 0 } component ? component : ReportingComponent(e);
}
