using System.Text.Json;
using Korvet.ApiServer.Storage;
using static Korvet.ApiServer.Tables.Columns;

namespace Korvet.ApiServer.Tables;

/// <summary>The pod printer: READY, STATUS and RESTARTS computed like upstream's printPod.</summary>
internal static class PodPrinter
{
    public static TablePrinter Printer { get; } = new(
        [
            Name, Str("Ready", "The aggregate readiness state of this pod for accepting traffic."),
            Str("Status", "The aggregate status of the containers in this pod."),
            Str("Restarts", "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted."),
            Age, Str("IP", "IP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.", 1),
            Str("Node", "NodeName is a request to schedule this pod onto a specific node. If it is non-empty, the scheduler simply schedules this pod onto that node, assuming that it fits resource requirements.", 1),
            Str("Nominated Node", "nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods.", 1),
            Str("Readiness Gates", "If specified, all readiness gates will be evaluated for pod readiness.", 1),
        ],
        Cells);

    private static object?[] Cells(JsonElement o, DateTimeOffset now)
    {
        int total = o.Count("spec", "containers");
        int ready = 0;
        long restarts = 0;
        DateTimeOffset? lastRestart = null;
        string reason = o.Str("status", "reason") is { Length: > 0 } r ? r : o.Str("status", "phase");

        bool initializing = false;
        var initStatuses = o.Items("status", "initContainerStatuses").ToList();
        int initCount = o.Count("spec", "initContainers");
        for (int i = 0; i < initStatuses.Count; i++)
        {
            JsonElement c = initStatuses[i];
            restarts += c.Long("restartCount");
            NoteRestart(c, ref lastRestart);
            if (c.Has("state", "terminated") && c.Long("state", "terminated", "exitCode") == 0)
            {
                continue;
            }

            if (c.Has("state", "running") && IsRestartableInit(o, c.Str("name")))
            {
                continue;
            }

            initializing = true;
            if (c.Has("state", "terminated"))
            {
                string tr = c.Str("state", "terminated", "reason");
                reason = tr.Length > 0 ? "Init:" + tr
                    : c.Long("state", "terminated", "signal") != 0 ? $"Init:Signal:{c.Long("state", "terminated", "signal")}"
                    : $"Init:ExitCode:{c.Long("state", "terminated", "exitCode")}";
            }
            else if (c.Str("state", "waiting", "reason") is { Length: > 0 } wr && wr != "PodInitializing")
            {
                reason = "Init:" + wr;
            }
            else
            {
                reason = $"Init:{i}/{initCount}";
            }

            break;
        }

        if (!initializing || HasCondition(o, "Initialized"))
        {
            restarts = initStatuses.Where(c => IsRestartableInit(o, c.Str("name"))).Sum(c => c.Long("restartCount"));
            bool hasRunning = false;
            var statuses = o.Items("status", "containerStatuses").ToList();
            for (int i = statuses.Count - 1; i >= 0; i--)
            {
                JsonElement c = statuses[i];
                restarts += c.Long("restartCount");
                NoteRestart(c, ref lastRestart);
                if (c.Str("state", "waiting", "reason") is { Length: > 0 } waiting)
                {
                    reason = waiting;
                }
                else if (c.Str("state", "terminated", "reason") is { Length: > 0 } terminated)
                {
                    reason = terminated;
                }
                else if (c.Has("state", "terminated"))
                {
                    reason = c.Long("state", "terminated", "signal") != 0
                        ? $"Signal:{c.Long("state", "terminated", "signal")}"
                        : $"ExitCode:{c.Long("state", "terminated", "exitCode")}";
                }
                else if (c.At("ready").ValueKind == JsonValueKind.True && c.Has("state", "running"))
                {
                    hasRunning = true;
                    ready++;
                }
            }

            if (reason == "Completed" && hasRunning)
            {
                reason = HasCondition(o, "Ready") ? "Running" : "NotReady";
            }
        }

        if (o.Has("metadata", "deletionTimestamp"))
        {
            reason = o.Str("status", "reason") == "NodeLost" ? "Unknown" : "Terminating";
        }

        string restartText = restarts.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (lastRestart is { } when)
        {
            restartText += $" ({Json.HumanDuration(now - when)} ago)";
        }

        int gates = o.Count("spec", "readinessGates");
        string gateText = "<none>";
        if (gates > 0)
        {
            var gateTypes = o.Items("spec", "readinessGates").Select(g => g.Str("conditionType")).ToHashSet();
            int trueGates = o.Items("status", "conditions").Count(c => gateTypes.Contains(c.Str("type")) && c.Str("status") == "True");
            gateText = $"{trueGates}/{gates}";
        }

        return
        [
            o.Str("metadata", "name"), $"{ready}/{total}", reason, restartText, o.Age(now, "metadata", "creationTimestamp"),
            Json.OrNone(o.Str("status", "podIP")), Json.OrNone(o.Str("spec", "nodeName")),
            Json.OrNone(o.Str("status", "nominatedNodeName")), gateText,
        ];
    }

    private static void NoteRestart(JsonElement c, ref DateTimeOffset? last)
    {
        if (c.Long("restartCount") > 0 && Timestamps.TryParse(c.Str("lastState", "terminated", "finishedAt"), out DateTimeOffset t)
            && (last is null || t > last))
        {
            last = t;
        }
    }

    private static bool IsRestartableInit(JsonElement pod, string name) =>
        pod.Items("spec", "initContainers").Any(c => c.Str("name") == name && c.Str("restartPolicy") == "Always");

    private static bool HasCondition(JsonElement o, string type) =>
        o.Items("status", "conditions").Any(c => c.Str("type") == type && c.Str("status") == "True");
}
