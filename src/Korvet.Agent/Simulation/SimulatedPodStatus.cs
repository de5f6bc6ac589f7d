using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Korvet.Api.Core.V1;
using Korvet.Api.Meta.V1;

namespace Korvet.Agent.Simulation;

/// <summary>
/// The statuses a kubelet would report for a pod whose containers start instantly and (for restartPolicy
/// Never/OnFailure) exit after a while. Pure: everything comes from the arguments, so the shapes are table-tested.
/// </summary>
public static class SimulatedPodStatus
{
    /// <summary>Annotation: seconds a run-to-completion pod runs before its containers exit (decimal allowed).</summary>
    public const string RunSecondsAnnotation = "korvet.io/sim-run-seconds";

    /// <summary>Annotation: the exit code the containers exit with (default 0; non-zero fails a Never pod).</summary>
    public const string ExitCodeAnnotation = "korvet.io/sim-exit-code";

    /// <summary>How long the pod runs before its containers exit, or null if it runs until deleted (restartPolicy
    /// Always). The annotation wins over <paramref name="defaultRunTime"/>; a bad annotation value is ignored.</summary>
    public static TimeSpan? RunTime(Pod pod, TimeSpan defaultRunTime)
    {
        if ((pod.Spec?.RestartPolicy ?? "Always") == "Always")
        {
            return null;
        }

        if (pod.Metadata?.Annotations?.GetValueOrDefault(RunSecondsAnnotation) is string text &&
            double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds) && seconds >= 0 && seconds < 1e7)
        {
            return TimeSpan.FromSeconds(seconds);
        }

        return defaultRunTime;
    }

    /// <summary>The exit code from <see cref="ExitCodeAnnotation"/>, 0 by default.</summary>
    public static int ExitCode(Pod pod) =>
        pod.Metadata?.Annotations?.GetValueOrDefault(ExitCodeAnnotation) is string text &&
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int code) ? code : 0;

    /// <summary>
    /// A Running status: every condition True, every container running and ready since <paramref name="started"/>
    /// (init containers completed), the pod's IPs. Keeps transition times of conditions that were already True and the
    /// first startTime.
    /// </summary>
    public static PodStatus Running(Pod pod, string hostIp, string podIp, DateTimeOffset started, DateTimeOffset now, int restartCount = 0)
    {
        PodStatus? old = pod.Status;
        var status = Addresses(old, hostIp, podIp);
        status.Phase = "Running";
        status.StartTime = old?.StartTime ?? new Time(started);
        status.Conditions = Conditions(old, now, ready: true, reason: null, message: null);
        status.InitContainerStatuses = pod.Spec?.InitContainers is { Count: > 0 } init
            ? init.Select(c => Terminated(pod, c, 0, started, started, ready: true)).ToList()
            : null;
        status.ContainerStatuses = (pod.Spec?.Containers ?? []).Select(c => new ContainerStatus
        {
            Name = c.Name,
            Image = c.Image ?? "",
            ImageID = ImageId(c.Image),
            ContainerID = ContainerId(pod, c.Name, restartCount),
            Ready = true,
            Started = true,
            RestartCount = restartCount,
            State = new ContainerState { Running = new ContainerStateRunning { StartedAt = new Time(started) } },
        }).ToList();
        return status;
    }

    /// <summary>
    /// The terminal status after the containers exited with <paramref name="exitCode"/>: Succeeded for 0, else Failed;
    /// Ready and ContainersReady False (reason PodCompleted for success, as the kubelet says).
    /// </summary>
    public static PodStatus Finished(Pod pod, string hostIp, string podIp, int exitCode, DateTimeOffset started, DateTimeOffset now)
    {
        PodStatus? old = pod.Status;
        var status = Addresses(old, hostIp, podIp);
        status.Phase = exitCode == 0 ? "Succeeded" : "Failed";
        status.StartTime = old?.StartTime ?? new Time(started);
        var names = (pod.Spec?.Containers ?? []).Select(c => c.Name).ToList();
        status.Conditions = exitCode == 0
            ? Conditions(old, now, ready: false, "PodCompleted", null)
            : Conditions(old, now, ready: false, "ContainersNotReady", $"containers with unready status: [{string.Join(' ', names)}]");
        status.InitContainerStatuses = old?.InitContainerStatuses;
        status.ContainerStatuses = (pod.Spec?.Containers ?? [])
            .Select(c => Terminated(pod, c, exitCode, started, now, ready: false))
            .ToList();
        return status;
    }

    /// <summary>True when <paramref name="status"/> already says Running with Ready=True (nothing to write).</summary>
    public static bool IsRunningAndReady(PodStatus? status) =>
        status?.Phase == "Running" && status.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true &&
        !string.IsNullOrEmpty(status.PodIP);

    public static bool IsTerminal(PodStatus? status) => status?.Phase is "Succeeded" or "Failed";

    private static PodStatus Addresses(PodStatus? old, string hostIp, string podIp) => new()
    {
        HostIP = hostIp,
        HostIPs = [new HostIP { IP = hostIp }],
        PodIP = podIp,
        PodIPs = [new PodIP { IP = podIp }],
        QosClass = old?.QosClass,
    };

    private static ContainerStatus Terminated(Pod pod, Container c, int exitCode, DateTimeOffset started, DateTimeOffset finished, bool ready) => new()
    {
        Name = c.Name,
        Image = c.Image ?? "",
        ImageID = ImageId(c.Image),
        ContainerID = ContainerId(pod, c.Name, 0),
        Ready = ready,
        Started = false,
        RestartCount = 0,
        State = new ContainerState
        {
            Terminated = new ContainerStateTerminated
            {
                ExitCode = exitCode,
                Reason = exitCode == 0 ? "Completed" : "Error",
                StartedAt = new Time(started),
                FinishedAt = new Time(finished),
                ContainerID = ContainerId(pod, c.Name, 0),
            },
        },
    };

    private static List<PodCondition> Conditions(PodStatus? old, DateTimeOffset now, bool ready, string? reason, string? message)
    {
        PodCondition Make(string type, bool value, string? why = null, string? text = null)
        {
            string status = value ? "True" : "False";
            PodCondition? before = old?.Conditions?.FirstOrDefault(c => c.Type == type);
            return new PodCondition
            {
                Type = type,
                Status = status,
                Reason = why,
                Message = text,
                LastTransitionTime = before is not null && before.Status == status ? before.LastTransitionTime : new Time(now),
            };
        }

        return
        [
            Make("PodReadyToStartContainers", ready || reason != "PodCompleted"),
            Make("Initialized", true, ready ? null : reason == "PodCompleted" ? reason : null),
            Make("Ready", ready, reason, message),
            Make("ContainersReady", ready, reason, message),
            Make("PodScheduled", true),
        ];
    }

    private static string ImageId(string? image)
    {
        string name = string.IsNullOrEmpty(image) ? "unknown" : image;
        return $"{name.Split('@')[0]}@sha256:{Hash(name)}";
    }

    private static string ContainerId(Pod pod, string container, int restart) =>
        "korvet-sim://" + Hash($"{pod.Metadata?.Uid}/{container}/{restart}");

    private static string Hash(string text) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
