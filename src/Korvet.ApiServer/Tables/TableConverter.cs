using System.Text.Json;
using Korvet.ApiServer.Registry;
using Korvet.ApiServer.Storage;
using static Korvet.ApiServer.Tables.Columns;

namespace Korvet.ApiServer.Tables;

/// <summary>What a Table row's <c>object</c> carries (the includeObject query parameter).</summary>
public enum IncludeObject
{
    None,
    Metadata,
    Object,
}

/// <summary>
/// Renders objects as meta.k8s.io/v1 Tables for kubectl get: per-kind printers, and upstream's default
/// (Name, Created At) for kinds without one. Immutable and thread-safe.
/// </summary>
public sealed class TableConverter
{
    private static readonly TablePrinter Default = new(
        [Name, new TableColumn("Created At", "date", "", CreationDoc)],
        (o, _) => [o.Str("metadata", "name"), o.Str("metadata", "creationTimestamp")]);

    private readonly Dictionary<(string Group, string Plural), TablePrinter> _printers = new()
    {
        [("", "pods")] = PodPrinter.Printer,
        [("", "namespaces")] = CorePrinters.Namespace,
        [("", "services")] = CorePrinters.Service,
        [("", "configmaps")] = CorePrinters.ConfigMap,
        [("", "secrets")] = CorePrinters.Secret,
        [("", "nodes")] = CorePrinters.Node,
        [("", "serviceaccounts")] = CorePrinters.ServiceAccount,
        [("", "events")] = CorePrinters.Event,
        [("", "endpoints")] = CorePrinters.Endpoints,
        [("", "replicationcontrollers")] = WorkloadPrinters.ReplicationController,
        [("coordination.k8s.io", "leases")] = CorePrinters.Lease,
        [("apps", "deployments")] = WorkloadPrinters.Deployment,
        [("apps", "replicasets")] = WorkloadPrinters.ReplicaSet,
        [("apps", "statefulsets")] = WorkloadPrinters.StatefulSet,
        [("apps", "daemonsets")] = WorkloadPrinters.DaemonSet,
        [("batch", "jobs")] = WorkloadPrinters.Job,
        [("batch", "cronjobs")] = WorkloadPrinters.CronJob,
        [("autoscaling", "horizontalpodautoscalers")] = HpaPrinter.Printer,
        [("", "podtemplates")] = ClusterPrinters.PodTemplate,
        [("", "resourcequotas")] = ClusterPrinters.ResourceQuota,
        [("", "persistentvolumes")] = StoragePrinters.PersistentVolume,
        [("", "persistentvolumeclaims")] = StoragePrinters.PersistentVolumeClaim,
        [("", "componentstatuses")] = ClusterPrinters.ComponentStatus,
        [("apps", "controllerrevisions")] = ClusterPrinters.ControllerRevision,
        [("networking.k8s.io", "ingresses")] = NetworkingPrinters.Ingress,
        [("networking.k8s.io", "ingressclasses")] = NetworkingPrinters.IngressClass,
        [("networking.k8s.io", "networkpolicies")] = NetworkingPrinters.NetworkPolicy,
        [("discovery.k8s.io", "endpointslices")] = NetworkingPrinters.EndpointSlice,
        [("rbac.authorization.k8s.io", "rolebindings")] = ClusterPrinters.RoleBinding,
        [("rbac.authorization.k8s.io", "clusterrolebindings")] = ClusterPrinters.ClusterRoleBinding,
        [("scheduling.k8s.io", "priorityclasses")] = ClusterPrinters.PriorityClass,
        [("node.k8s.io", "runtimeclasses")] = ClusterPrinters.RuntimeClass,
        [("storage.k8s.io", "storageclasses")] = StoragePrinters.StorageClassPrinter,
        [("storage.k8s.io", "csidrivers")] = StoragePrinters.CsiDriver,
        [("storage.k8s.io", "csinodes")] = StoragePrinters.CsiNode,
        [("storage.k8s.io", "volumeattachments")] = StoragePrinters.VolumeAttachment,
        [("storage.k8s.io", "csistoragecapacities")] = StoragePrinters.CsiStorageCapacity,
        [("admissionregistration.k8s.io", "mutatingwebhookconfigurations")] = ClusterPrinters.WebhookConfiguration,
        [("admissionregistration.k8s.io", "validatingwebhookconfigurations")] = ClusterPrinters.WebhookConfiguration,
        [("admissionregistration.k8s.io", "validatingadmissionpolicies")] = ClusterPrinters.ValidatingAdmissionPolicy,
        [("admissionregistration.k8s.io", "validatingadmissionpolicybindings")] = ClusterPrinters.ValidatingAdmissionPolicyBinding,
        [("flowcontrol.apiserver.k8s.io", "flowschemas")] = ClusterPrinters.FlowSchema,
        [("flowcontrol.apiserver.k8s.io", "prioritylevelconfigurations")] = ClusterPrinters.PriorityLevelConfiguration,
        [("certificates.k8s.io", "certificatesigningrequests")] = ClusterPrinters.CertificateSigningRequest,
        [("policy", "poddisruptionbudgets")] = PolicyPrinters.PodDisruptionBudget,
    };

    private readonly TimeProvider _time;

    public TableConverter(TimeProvider time) => _time = time;

    public TablePrinter PrinterFor(ResourceDefinition resource) =>
        _printers.TryGetValue((resource.Group, resource.Plural), out TablePrinter? p) ? p : Default;

    /// <summary>Writes a whole Table.</summary>
    /// <param name="includeColumns">False for watch events after the first (upstream omits repeated headers).</param>
    /// <param name="embedded">For a resource served as a conversion of the stored one: the served form of an item,
    /// which rows embed with includeObject=Object (cells are always printed from the stored form).</param>
    public void Write(Utf8JsonWriter writer, ResourceDefinition resource, IEnumerable<StoredObject> items, IncludeObject include,
        long resourceVersion, string continueToken, long? remaining, bool includeColumns = true,
        Func<StoredObject, StoredObject>? embedded = null)
    {
        TablePrinter printer = PrinterFor(resource);
        DateTimeOffset now = _time.GetUtcNow();
        writer.WriteStartObject();
        writer.WriteString("kind", "Table");
        writer.WriteString("apiVersion", "meta.k8s.io/v1");
        writer.WriteStartObject("metadata");
        if (resourceVersion > 0)
        {
            writer.WriteString("resourceVersion", resourceVersion.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        if (continueToken.Length > 0)
        {
            writer.WriteString("continue", continueToken);
        }

        if (remaining is { } count)
        {
            writer.WriteNumber("remainingItemCount", count);
        }

        writer.WriteEndObject();
        writer.WriteStartArray("columnDefinitions");
        if (includeColumns)
        {
            foreach (TableColumn column in printer.Columns)
            {
                writer.WriteStartObject();
                writer.WriteString("name", column.Name);
                writer.WriteString("type", column.Type);
                writer.WriteString("format", column.Format);
                writer.WriteString("description", column.Description);
                writer.WriteNumber("priority", column.Priority);
                writer.WriteEndObject();
            }
        }

        writer.WriteEndArray();
        writer.WriteStartArray("rows");
        foreach (StoredObject item in items)
        {
            WriteRow(writer, printer, item, include, now, embedded);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void WriteRow(Utf8JsonWriter writer, TablePrinter printer, StoredObject item, IncludeObject include, DateTimeOffset now,
        Func<StoredObject, StoredObject>? embedded)
    {
        using JsonDocument doc = item.Parse();
        JsonElement root = doc.RootElement;
        writer.WriteStartObject();
        writer.WriteStartArray("cells");
        foreach (object? cell in printer.Cells(root, now))
        {
            switch (cell)
            {
                case null: writer.WriteNullValue(); break;
                case long n: writer.WriteNumberValue(n); break;
                case int i: writer.WriteNumberValue(i); break;
                case bool b: writer.WriteBooleanValue(b); break;
                default: writer.WriteStringValue(cell.ToString()); break;
            }
        }

        writer.WriteEndArray();
        if (include == IncludeObject.Object)
        {
            writer.WritePropertyName("object");
            ObjectBytes.WriteRaw(writer, (embedded?.Invoke(item) ?? item).Json);
        }
        else if (include == IncludeObject.Metadata)
        {
            writer.WritePropertyName("object");
            WritePartialObjectMetadata(writer, root);
        }

        writer.WriteEndObject();
    }

    /// <summary>Writes <c>{"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/v1","metadata":{...}}</c>.</summary>
    public static void WritePartialObjectMetadata(Utf8JsonWriter writer, JsonElement root)
    {
        writer.WriteStartObject();
        writer.WriteString("kind", "PartialObjectMetadata");
        writer.WriteString("apiVersion", "meta.k8s.io/v1");
        writer.WritePropertyName("metadata");
        if (root.TryGetProperty("metadata", out JsonElement meta))
        {
            meta.WriteTo(writer);
        }
        else
        {
            writer.WriteStartObject();
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }
}
