using System.Text.Json;
using static Korvet.ApiServer.Tables.Columns;

namespace Korvet.ApiServer.Tables;

/// <summary>Printers of persistent volumes, claims and storage.k8s.io kinds, following upstream's
/// pkg/printers/internalversion (printPersistentVolume(Claim), printStorageClass, printCSIDriver, printCSINode,
/// printVolumeAttachment, printCSIStorageCapacity).</summary>
internal static class StoragePrinters
{
    private const string BetaStorageClassAnnotation = "volume.beta.kubernetes.io/storage-class";

    public static TablePrinter PersistentVolume { get; } = new(
        [
            Name, Str("Capacity", "capacity is the description of the persistent volume's resources and capacity."),
            Str("Access Modes", "accessModes contains all ways the volume can be mounted."),
            Str("Reclaim Policy", "persistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its claim."),
            Str("Status", "phase indicates if a volume is available, bound to a claim, or released by a claim."),
            Str("Claim", "claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim."),
            Str("StorageClass", "StorageClass of the pv"), Str("VolumeAttributesClass", "VolumeAttributesClass of the pv"),
            Str("Reason", "reason is a brief CamelCase string that describes any failure and is meant for machine parsing and tidy display in the CLI."),
            Age, Str("VolumeMode", "volumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in raw block state.", 1),
        ],
        (o, now) =>
        [
            o.Str("metadata", "name"), o.Str("spec", "capacity", "storage"), AccessModes(o.At("spec", "accessModes")),
            o.Str("spec", "persistentVolumeReclaimPolicy"), Phase(o),
            o.Has("spec", "claimRef") ? o.Str("spec", "claimRef", "namespace") + "/" + o.Str("spec", "claimRef", "name") : "",
            StorageClass(o), Unset(o, "spec", "volumeAttributesClassName"), o.Str("status", "reason"),
            o.Age(now, "metadata", "creationTimestamp"), Unset(o, "spec", "volumeMode"),
        ]);

    public static TablePrinter PersistentVolumeClaim { get; } = new(
        [
            Name, Str("Status", "phase represents the current phase of PersistentVolumeClaim."),
            Str("Volume", "volumeName is the binding reference to the PersistentVolume backing this claim."),
            Str("Capacity", "capacity represents the actual resources of the underlying volume."),
            Str("Access Modes", "accessModes contains the actual access modes the volume backing the PVC has."),
            Str("StorageClass", "StorageClass of the pvc"), Str("VolumeAttributesClass", "VolumeAttributesClass of the pvc"), Age,
            Str("VolumeMode", "volumeMode defines what type of volume is required by the claim.", 1),
        ],
        (o, now) =>
        {
            bool bound = o.Str("spec", "volumeName").Length > 0;
            return
            [
                o.Str("metadata", "name"), Phase(o), o.Str("spec", "volumeName"), bound ? o.Str("status", "capacity", "storage") : "",
                bound ? AccessModes(o.At("status", "accessModes")) : "", StorageClass(o), Unset(o, "spec", "volumeAttributesClassName"),
                o.Age(now, "metadata", "creationTimestamp"), Unset(o, "spec", "volumeMode"),
            ];
        });

    public static TablePrinter StorageClassPrinter { get; } = new(
        [
            Name, Str("Provisioner", "provisioner indicates the type of the provisioner."),
            Str("ReclaimPolicy", "reclaimPolicy controls the reclaimPolicy for dynamically provisioned PersistentVolumes of this storage class."),
            Str("VolumeBindingMode", "volumeBindingMode indicates how PersistentVolumeClaims should be provisioned and bound."),
            Str("AllowVolumeExpansion", "allowVolumeExpansion shows whether the storage class allow volume expand."), Age,
        ],
        (o, now) =>
        [
            o.Str("metadata", "name") + (IsDefaultClass(o) ? " (default)" : ""), o.Str("provisioner"),
            o.Has("reclaimPolicy") ? o.Str("reclaimPolicy") : "Delete", o.Has("volumeBindingMode") ? o.Str("volumeBindingMode") : "Immediate",
            o.At("allowVolumeExpansion").ValueKind == JsonValueKind.True, o.Age(now, "metadata", "creationTimestamp"),
        ]);

    public static TablePrinter CsiDriver { get; } = new(
        [
            Name, Bool("AttachRequired", "attachRequired indicates this CSI volume driver requires an attach operation."),
            Bool("PodInfoOnMount", "podInfoOnMount indicates this CSI volume driver requires additional pod information during mount operations."),
            Bool("StorageCapacity", "storageCapacity indicates that the CSI volume driver wants pod scheduling to consider the storage capacity."),
            Str("TokenRequests", "tokenRequests indicates the CSI driver needs pods' service account tokens it is mounting volume for."),
            Bool("RequiresRepublish", "requiresRepublish indicates the CSI driver wants NodePublishVolume being periodically called."),
            Str("Modes", "volumeLifecycleModes defines what kind of volumes this CSI volume driver supports."), Age,
        ],
        (o, now) =>
        [
            o.Str("metadata", "name"), o.At("spec", "attachRequired").ValueKind != JsonValueKind.False,
            o.At("spec", "podInfoOnMount").ValueKind == JsonValueKind.True, o.At("spec", "storageCapacity").ValueKind == JsonValueKind.True,
            o.At("spec", "tokenRequests").ValueKind == JsonValueKind.Array
                ? string.Join(",", o.Items("spec", "tokenRequests").Select(t => t.Str("audience"))) : "<unset>",
            o.At("spec", "requiresRepublish").ValueKind == JsonValueKind.True,
            Json.OrNone(string.Join(",", o.Items("spec", "volumeLifecycleModes").Select(m => m.GetString()))),
            o.Age(now, "metadata", "creationTimestamp"),
        ]);

    public static TablePrinter CsiNode { get; } = new(
        [Name, Int("Drivers", "Drivers indicates the number of CSI drivers registered on the node"), Age],
        (o, now) => [o.Str("metadata", "name"), (long)o.Count("spec", "drivers"), o.Age(now, "metadata", "creationTimestamp")]);

    public static TablePrinter VolumeAttachment { get; } = new(
        [
            Name, new TableColumn("Attacher", "string", "name", "attacher indicates the name of the volume driver that MUST handle this request."),
            Str("PV", "persistentVolumeName represents the name of the persistent volume to attach."),
            Str("Node", "nodeName represents the node that the volume should be attached to."),
            Bool("Attached", "attached indicates the volume is successfully attached."), Age,
        ],
        (o, now) =>
        [
            o.Str("metadata", "name"), o.Str("spec", "attacher"), o.Str("spec", "source", "persistentVolumeName"), o.Str("spec", "nodeName"),
            o.At("status", "attached").ValueKind == JsonValueKind.True, o.Age(now, "metadata", "creationTimestamp"),
        ]);

    public static TablePrinter CsiStorageCapacity { get; } = new(
        [
            Name, Str("StorageClassName", "storageClassName represents the name of the StorageClass that the reported capacity applies to."),
            Str("Capacity", "capacity is the value reported by the CSI driver in its GetCapacityResponse for a GetCapacityRequest."),
        ],
        (o, _) => [o.Str("metadata", "name"), o.Str("storageClassName"), o.Has("capacity") ? o.Str("capacity") : "<unset>"]);

    private static TableColumn Bool(string name, string description) => new(name, "boolean", "", description);

    /// <summary>Upstream's GetAccessModesAsString: RWO, ROX, RWX, RWOP in that order, each once.</summary>
    private static string AccessModes(JsonElement modes)
    {
        var present = modes.ValueKind == JsonValueKind.Array
            ? modes.EnumerateArray().Select(m => m.GetString()).ToHashSet() : [];
        var result = new List<string>(4);
        foreach ((string mode, string shortName) in new[]
                 {
                     ("ReadWriteOnce", "RWO"), ("ReadOnlyMany", "ROX"), ("ReadWriteMany", "RWX"), ("ReadWriteOncePod", "RWOP"),
                 })
        {
            if (present.Contains(mode))
            {
                result.Add(shortName);
            }
        }

        return string.Join(",", result);
    }

    private static string Phase(JsonElement o) => o.Has("metadata", "deletionTimestamp") ? "Terminating" : o.Str("status", "phase");

    /// <summary>The beta annotation wins over spec.storageClassName, as upstream's helper reads it.</summary>
    private static string StorageClass(JsonElement o) =>
        o.At("metadata", "annotations", BetaStorageClassAnnotation).ValueKind == JsonValueKind.String
            ? o.Str("metadata", "annotations", BetaStorageClassAnnotation) : o.Str("spec", "storageClassName");

    private static string Unset(JsonElement o, params string[] path) => o.Has(path) ? o.Str(path) : "<unset>";

    private static bool IsDefaultClass(JsonElement o) =>
        o.Str("metadata", "annotations", "storageclass.kubernetes.io/is-default-class") == "true"
        || o.Str("metadata", "annotations", "storageclass.beta.kubernetes.io/is-default-class") == "true";
}
