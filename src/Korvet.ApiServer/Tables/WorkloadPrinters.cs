using System.Text.Json;
using static Korvet.ApiServer.Tables.Columns;

namespace Korvet.ApiServer.Tables;

/// <summary>Printers of apps/batch workloads, following upstream's pkg/printers/internalversion.</summary>
internal static class WorkloadPrinters
{
    private static readonly TableColumn[] WideContainers =
    [
        Str("Containers", "Names of each container in the template.", 1),
        Str("Images", "Images referenced by each container in the template.", 1),
    ];

    private static readonly TableColumn Selector = Str("Selector", "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.", 1);

    public static TablePrinter Deployment { get; } = new(
        [
            Name, Str("Ready", "Number of the pod with ready state"), Int("Up-to-date", "Total number of non-terminated pods targeted by this deployment that have the desired template spec."),
            Int("Available", "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment."), Age,
            .. WideContainers, Selector,
        ],
        (o, now) =>
        [
            o.Str("metadata", "name"), $"{o.Long("status", "readyReplicas")}/{Desired(o)}", o.Long("status", "updatedReplicas"),
            o.Long("status", "availableReplicas"), o.Age(now, "metadata", "creationTimestamp"),
            .. Wide(o),
        ]);

    public static TablePrinter ReplicaSet { get; } = new(
        [
            Name, Int("Desired", "Number of desired pods."), Int("Current", "Number of actual replicas."),
            Int("Ready", "The number of ready replicas for this replica set."), Age, .. WideContainers, Selector,
        ],
        (o, now) =>
        [
            o.Str("metadata", "name"), Desired(o), o.Long("status", "replicas"), o.Long("status", "readyReplicas"),
            o.Age(now, "metadata", "creationTimestamp"), .. Wide(o),
        ]);

    public static TablePrinter ReplicationController { get; } = new(
        [
            Name, Int("Desired", "Number of desired pods."), Int("Current", "Number of actual replicas."),
            Int("Ready", "The number of ready replicas for this replication controller."), Age, .. WideContainers, Selector,
        ],
        (o, now) =>
        [
            o.Str("metadata", "name"), Desired(o), o.Long("status", "replicas"), o.Long("status", "readyReplicas"),
            o.Age(now, "metadata", "creationTimestamp"), Json.Containers(o.At("spec", "template", "spec"), "name"),
            Json.Containers(o.At("spec", "template", "spec"), "image"), Json.FormatLabels(o.At("spec", "selector")),
        ]);

    public static TablePrinter StatefulSet { get; } = new(
        [Name, Str("Ready", "Number of the pod with ready state"), Age, .. WideContainers],
        (o, now) =>
        [
            o.Str("metadata", "name"), $"{o.Long("status", "readyReplicas")}/{Desired(o)}", o.Age(now, "metadata", "creationTimestamp"),
            Json.Containers(o.At("spec", "template", "spec"), "name"), Json.Containers(o.At("spec", "template", "spec"), "image"),
        ]);

    public static TablePrinter DaemonSet { get; } = new(
        [
            Name, Int("Desired", "The total number of nodes that should be running the daemon pod (including nodes correctly running the daemon pod)."),
            Int("Current", "The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod."),
            Int("Ready", "numberReady is the number of nodes that should be running the daemon pod and have one or more of the daemon pod running with a Ready Condition."),
            Int("Up-to-date", "The total number of nodes that are running updated daemon pod"),
            Int("Available", "The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)"),
            Str("Node Selector", "NodeSelector is a selector which must be true for the pod to fit on a node. Selector which must match a node's labels for the pod to be scheduled on that node."),
            Age, .. WideContainers, Selector,
        ],
        (o, now) =>
        [
            o.Str("metadata", "name"), o.Long("status", "desiredNumberScheduled"), o.Long("status", "currentNumberScheduled"),
            o.Long("status", "numberReady"), o.Long("status", "updatedNumberScheduled"), o.Long("status", "numberAvailable"),
            Json.FormatLabels(o.At("spec", "template", "spec", "nodeSelector")), o.Age(now, "metadata", "creationTimestamp"), .. Wide(o),
        ]);

    public static TablePrinter Job { get; } = new(
        [
            Name, Str("Status", "Status of the job."), Str("Completions", "The desired number of successfully finished pods the job should be run with."),
            Str("Duration", "Time required to complete the job."), Age, .. WideContainers, Selector,
        ],
        (o, now) =>
        [
            o.Str("metadata", "name"), JobStatus(o), JobCompletions(o), JobDuration(o, now), o.Age(now, "metadata", "creationTimestamp"), .. Wide(o),
        ]);

    public static TablePrinter CronJob { get; } = new(
        [
            Name, Str("Schedule", "The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron."),
            Str("Timezone", "The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones."),
            Str("Suspend", "This flag tells the controller to suspend subsequent executions."),
            Int("Active", "A list of pointers to currently running jobs."),
            Str("Last Schedule", "Information when was the last time the job was successfully scheduled."), Age,
            .. WideContainers, Selector,
        ],
        (o, now) =>
        [
            o.Str("metadata", "name"), o.Str("spec", "schedule"), Json.OrNone(o.Str("spec", "timeZone")),
            o.At("spec", "suspend").ValueKind == JsonValueKind.True ? "True" : "False", (long)o.Count("status", "active"),
            o.Has("status", "lastScheduleTime") ? o.Age(now, "status", "lastScheduleTime") : "<none>",
            o.Age(now, "metadata", "creationTimestamp"),
            Json.Containers(o.At("spec", "jobTemplate", "spec", "template", "spec"), "name"),
            Json.Containers(o.At("spec", "jobTemplate", "spec", "template", "spec"), "image"),
            Json.FormatSelector(o.At("spec", "jobTemplate", "spec", "selector")),
        ]);

    private static long Desired(JsonElement o) => o.Has("spec", "replicas") ? o.Long("spec", "replicas") : 1;

    private static object?[] Wide(JsonElement o) =>
    [
        Json.Containers(o.At("spec", "template", "spec"), "name"), Json.Containers(o.At("spec", "template", "spec"), "image"),
        Json.FormatSelector(o.At("spec", "selector")),
    ];

    private static bool HasCondition(JsonElement o, string type) =>
        o.Items("status", "conditions").Any(c => c.Str("type") == type && c.Str("status") == "True");

    private static string JobStatus(JsonElement o) =>
        HasCondition(o, "Complete") ? "Complete"
        : HasCondition(o, "Failed") ? "Failed"
        : o.Has("metadata", "deletionTimestamp") ? "Terminating"
        : HasCondition(o, "Suspended") ? "Suspended"
        : HasCondition(o, "FailureTarget") ? "FailureTarget"
        : HasCondition(o, "SuccessCriteriaMet") ? "SuccessCriteriaMet"
        : "Running";

    private static string JobCompletions(JsonElement o)
    {
        long succeeded = o.Long("status", "succeeded");
        if (o.Has("spec", "completions"))
        {
            return $"{succeeded}/{o.Long("spec", "completions")}";
        }

        long parallelism = o.Has("spec", "parallelism") ? o.Long("spec", "parallelism") : 0;
        return parallelism > 1 ? $"{succeeded}/1 of {parallelism}" : $"{succeeded}/1";
    }

    private static string JobDuration(JsonElement o, DateTimeOffset now)
    {
        if (!Storage.Timestamps.TryParse(o.Str("status", "startTime"), out DateTimeOffset start))
        {
            return "";
        }

        DateTimeOffset end = Storage.Timestamps.TryParse(o.Str("status", "completionTime"), out DateTimeOffset done) ? done : now;
        return Json.HumanDuration(end - start);
    }
}
