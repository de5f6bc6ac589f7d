namespace Korvet.Scheduler.Framework;

/// <summary>The outcome class of a plugin call, as upstream's framework codes.</summary>
public enum StatusCode
{
    Success,

    /// <summary>An internal failure; the pod is retried with backoff.</summary>
    Error,

    /// <summary>The node does not fit now but might after preemption or a cluster change.</summary>
    Unschedulable,

    /// <summary>The node does not fit and preempting pods on it would not help.</summary>
    UnschedulableAndUnresolvable,

    /// <summary>PreScore/PreFilter only: the plugin has nothing to do for this pod; its later stages are skipped.</summary>
    Skip,
}

/// <summary>
/// A plugin's answer. Unschedulable is a value, not an exception; <see cref="Reasons"/> are upstream's reason strings
/// ("Insufficient cpu") that the FailedScheduling message counts per node. Immutable.
/// </summary>
public sealed class Status
{
    private Status(StatusCode code, IReadOnlyList<string> reasons, string plugin)
    {
        Code = code;
        Reasons = reasons;
        Plugin = plugin;
    }

    public static Status Success { get; } = new(StatusCode.Success, [], "");

    public static Status Skip { get; } = new(StatusCode.Skip, [], "");

    public StatusCode Code { get; }

    public IReadOnlyList<string> Reasons { get; }

    /// <summary>The plugin that answered (set by the framework for failures).</summary>
    public string Plugin { get; }

    public bool IsSuccess => Code == StatusCode.Success;

    public bool IsRejected => Code is StatusCode.Unschedulable or StatusCode.UnschedulableAndUnresolvable;

    public static Status Unschedulable(params string[] reasons) => new(StatusCode.Unschedulable, reasons, "");

    public static Status UnschedulableAndUnresolvable(params string[] reasons) => new(StatusCode.UnschedulableAndUnresolvable, reasons, "");

    public static Status Error(string message) => new(StatusCode.Error, [message], "");

    public Status WithPlugin(string plugin) => Code == StatusCode.Success || Plugin == plugin ? this : new(Code, Reasons, plugin);

    public string Message => string.Join(", ", Reasons);

    public override string ToString() => Reasons.Count == 0 ? Code.ToString() : $"{Code}: {Message}";
}
