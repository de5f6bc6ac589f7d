using System.Text.Json;
using static Korvet.ApiServer.Tables.Columns;

namespace Korvet.ApiServer.Tables;

/// <summary>Printers of RBAC, scheduling, admission, flow-control, certificate and other cluster kinds, following
/// upstream's pkg/printers/internalversion.</summary>
internal static class ClusterPrinters
{
    public static TablePrinter PodTemplate { get; } = new(
        [
            Name, Str("Containers", "Names of each container in the template."), Str("Images", "Images referenced by each container in the template."),
            Str("Pod Labels", "The labels for the pod template."),
        ],
        (o, _) =>
        [
            o.Str("metadata", "name"), Json.Containers(o.At("template", "spec"), "name"), Json.Containers(o.At("template", "spec"), "image"),
            Json.FormatLabels(o.At("template", "metadata", "labels")),
        ]);

    public static TablePrinter ResourceQuota { get; } = new(
        [
            Name, Str("Request", "Request represents a minimum amount of cpu/memory that a container may consume."),
            Str("Limit", "Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node."), Age,
        ],
        (o, now) =>
        {
            (string requests, string limits) = QuotaColumns(o);
            return [o.Str("metadata", "name"), requests, limits, o.Age(now, "metadata", "creationTimestamp")];
        });

    public static TablePrinter RoleBinding { get; } = Binding("roleBinding");

    public static TablePrinter ClusterRoleBinding { get; } = Binding("clusterRoleBinding");

    public static TablePrinter PriorityClass { get; } = new(
        [
            Name, Int("Value", "value represents the integer value of this priority class."),
            new TableColumn("Global-Default", "boolean", "", "globalDefault specifies whether this PriorityClass should be considered as the default priority for pods that do not have any priority class."),
            Age, Str("PreemptionPolicy", "preemptionPolicy is the Policy for preempting pods with lower priority."),
        ],
        (o, now) =>
        [
            o.Str("metadata", "name"), o.Long("value"), o.At("globalDefault").ValueKind == JsonValueKind.True,
            o.Age(now, "metadata", "creationTimestamp"), o.Str("preemptionPolicy"),
        ]);

    public static TablePrinter ControllerRevision { get; } = new(
        [Name, Str("Controller", "Controller of the object"), Str("Revision", "Revision indicates the revision of the state represented by Data."), Age],
        (o, now) => [o.Str("metadata", "name"), Controller(o), o.Long("revision"), o.Age(now, "metadata", "creationTimestamp")]);

    public static TablePrinter RuntimeClass { get; } = new(
        [Name, Str("Handler", "handler specifies the underlying runtime and configuration that the CRI implementation will use."), Age],
        (o, now) => [o.Str("metadata", "name"), o.Str("handler"), o.Age(now, "metadata", "creationTimestamp")]);

    public static TablePrinter WebhookConfiguration { get; } = new(
        [Name, Int("Webhooks", "Webhooks indicates the number of webhooks registered in this configuration"), Age],
        (o, now) => [o.Str("metadata", "name"), (long)o.Count("webhooks"), o.Age(now, "metadata", "creationTimestamp")]);

    public static TablePrinter ValidatingAdmissionPolicy { get; } = new(
        [
            Name, Int("Validations", "Validations indicates the number of validation rules defined in this configuration"),
            Str("ParamKind", "ParamKind specifies the kind of resources used to parameterize this policy"), Age,
        ],
        (o, now) =>
        [
            o.Str("metadata", "name"), (long)o.Count("spec", "validations"),
            o.Has("spec", "paramKind") ? o.Str("spec", "paramKind", "apiVersion") + "/" + o.Str("spec", "paramKind", "kind") : "<unset>",
            o.Age(now, "metadata", "creationTimestamp"),
        ]);

    public static TablePrinter ValidatingAdmissionPolicyBinding { get; } = new(
        [
            Name, Str("PolicyName", "PolicyName indicates the policy definition which the policy binding binded to"),
            Str("ParamRef", "ParamRef indicates the param resource which sets the configration param"), Age,
        ],
        (o, now) => [o.Str("metadata", "name"), o.Str("spec", "policyName"), ParamRef(o.At("spec", "paramRef")), o.Age(now, "metadata", "creationTimestamp")]);

    public static TablePrinter FlowSchema { get; } = new(
        [
            Name, Str("PriorityLevel", "`name` is the name of the priority level configuration being referenced Required."),
            Str("MatchingPrecedence", "`matchingPrecedence` is used to choose among the FlowSchemas that match a given request."),
            Str("DistinguisherMethod", "`distinguisherMethod` defines how to compute the flow distinguisher for requests that match this schema."),
            Age, Str("MissingPL", "references a broken or non-existent PriorityLevelConfiguration"),
        ],
        (o, now) =>
        [
            o.Str("metadata", "name"), o.Str("spec", "priorityLevelConfiguration", "name"), o.Long("spec", "matchingPrecedence"),
            o.Has("spec", "distinguisherMethod") ? o.Str("spec", "distinguisherMethod", "type") : "<none>", o.Age(now, "metadata", "creationTimestamp"),
            o.Items("status", "conditions").Where(c => c.Str("type") == "Dangling").Select(c => c.Str("status")).FirstOrDefault() ?? "?",
        ]);

    public static TablePrinter PriorityLevelConfiguration { get; } = new(
        [
            Name, Str("Type", "`type` indicates whether this priority level is subject to limitation on request execution."),
            Str("NominalConcurrencyShares", "`nominalConcurrencyShares` (NCS) contributes to the computation of the NominalConcurrencyLimit (NominalCL) of this level."),
            Str("Queues", "`queues` is the number of queues for this priority level."),
            Str("HandSize", "`handSize` is a small positive number that configures the shuffle sharding of requests into queues."),
            Str("QueueLengthLimit", "`queueLengthLimit` is the maximum number of requests allowed to be waiting in a given queue of this priority level at a time."),
            Age,
        ],
        (o, now) =>
        {
            JsonElement limited = o.At("spec", "limited");
            JsonElement queuing = limited.At("limitResponse", "queuing");
            bool queues = queuing.ValueKind == JsonValueKind.Object;
            return
            [
                o.Str("metadata", "name"), o.Str("spec", "type"),
                limited.ValueKind == JsonValueKind.Object ? limited.Long("nominalConcurrencyShares") : "<none>",
                queues ? queuing.Long("queues") : "<none>", queues ? queuing.Long("handSize") : "<none>",
                queues ? queuing.Long("queueLengthLimit") : "<none>", o.Age(now, "metadata", "creationTimestamp"),
            ];
        });

    public static TablePrinter CertificateSigningRequest { get; } = new(
        [
            Name, Age, Str("SignerName", "signerName indicates the requested signer, and is a qualified name."),
            Str("Requestor", "username contains the name of the user that created the CertificateSigningRequest."),
            Str("RequestedDuration", "expirationSeconds is the requested duration of validity of the issued certificate."),
            Str("Condition", "conditions applied to the request."),
        ],
        (o, now) =>
        [
            o.Str("metadata", "name"), o.Age(now, "metadata", "creationTimestamp"), Json.OrNone(o.Str("spec", "signerName")), o.Str("spec", "username"),
            o.Has("spec", "expirationSeconds") ? Json.HumanDuration(TimeSpan.FromSeconds(o.Long("spec", "expirationSeconds"))) : "<none>",
            CsrCondition(o),
        ]);

    public static TablePrinter ComponentStatus { get; } = new(
        [
            Name, Str("Status", "Status of the component conditions"), Str("Message", "Message of the component conditions"),
            Str("Error", "Error of the component conditions"),
        ],
        (o, _) =>
        {
            JsonElement healthy = o.Items("conditions").FirstOrDefault(c => c.Str("type") == "Healthy");
            bool found = healthy.ValueKind == JsonValueKind.Object;
            string status = !found ? "Unknown" : healthy.Str("status") == "True" ? "Healthy" : "Unhealthy";
            return [o.Str("metadata", "name"), status, found ? healthy.Str("message") : "", found ? healthy.Str("error") : ""];
        });

    private static TablePrinter Binding(string noun) => new(
        [
            Name, Str("Role", "RoleRef can only reference a ClusterRole in the global namespace."), Age,
            Str("Users", $"Users in the {noun}", 1), Str("Groups", $"Groups in the {noun}", 1), Str("ServiceAccounts", $"ServiceAccounts in the {noun}", 1),
        ],
        (o, now) =>
        [
            o.Str("metadata", "name"), o.Str("roleRef", "kind") + "/" + o.Str("roleRef", "name"), o.Age(now, "metadata", "creationTimestamp"),
            Subjects(o, "User"), Subjects(o, "Group"), Subjects(o, "ServiceAccount"),
        ]);

    /// <summary>Upstream's rbac.SubjectsStrings: names of users or groups; namespace/name of service accounts.</summary>
    private static string Subjects(JsonElement o, string kind) => string.Join(", ", o.Items("subjects")
        .Where(s => s.Str("kind") == kind)
        .Select(s => kind == "ServiceAccount" ? s.Str("namespace") + "/" + s.Str("name") : s.Str("name")));

    /// <summary>"request: used/hard" pairs over status.hard in sorted order; "limits.*" resources go to the second column.</summary>
    private static (string Requests, string Limits) QuotaColumns(JsonElement o)
    {
        JsonElement hard = o.At("status", "hard");
        if (hard.ValueKind != JsonValueKind.Object)
        {
            return ("", "");
        }

        var requests = new List<string>();
        var limits = new List<string>();
        foreach (JsonProperty resource in hard.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
        {
            string used = o.Has("status", "used", resource.Name) ? o.Str("status", "used", resource.Name) : "0";
            string[] pieces = resource.Name.Split('.');
            (pieces.Length > 1 && pieces[0] == "limits" ? limits : requests).Add($"{resource.Name}: {used}/{resource.Value.GetString()}");
        }

        return (string.Join(", ", requests), string.Join(", ", limits));
    }

    /// <summary>The controller owner as lower-case "kind.group/name" ("statefulset.apps/web"), or "&lt;none&gt;".</summary>
    private static string Controller(JsonElement o)
    {
        JsonElement owner = o.Items("metadata", "ownerReferences").FirstOrDefault(r => r.At("controller").ValueKind == JsonValueKind.True);
        if (owner.ValueKind != JsonValueKind.Object)
        {
            return "<none>";
        }

        string apiVersion = owner.Str("apiVersion");
        int slash = apiVersion.IndexOf('/', StringComparison.Ordinal);
        string kind = slash < 0 ? owner.Str("kind") : owner.Str("kind") + "." + apiVersion[..slash];
        return kind.ToLowerInvariant() + "/" + owner.Str("name");
    }

    private static string ParamRef(JsonElement paramRef)
    {
        if (paramRef.ValueKind != JsonValueKind.Object)
        {
            return "<unset>";
        }

        if (paramRef.Str("name").Length > 0)
        {
            return (paramRef.Str("namespace") is { Length: > 0 } ns ? ns : "*") + "/" + paramRef.Str("name");
        }

        return paramRef.Has("selector") ? Json.FormatSelector(paramRef.At("selector")) : "<unset>";
    }

    private static string CsrCondition(JsonElement o)
    {
        var types = o.Items("status", "conditions").Select(c => c.Str("type")).ToHashSet();
        string status = types.Contains("Denied") ? "Denied" : types.Contains("Approved") ? "Approved" : "Pending";
        if (types.Contains("Failed"))
        {
            status += ",Failed";
        }

        if (o.Str("status", "certificate").Length > 0)
        {
            status += ",Issued";
        }

        return status;
    }
}
