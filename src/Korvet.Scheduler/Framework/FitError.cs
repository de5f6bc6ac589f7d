using System.Globalization;

namespace Korvet.Scheduler.Framework;

/// <summary>
/// Why no node fit, in upstream's FailedScheduling shape:
/// <c>0/3 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 2 Insufficient cpu. preemption: 0/3
/// nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.</c>
/// Reasons are counted per node and sorted as strings, like upstream's histogram. Immutable.
/// </summary>
public sealed class FitError
{
    public const string NoNodesAvailable = "no nodes available to schedule pods";
    public const string PreemptionNotHelpful = "Preemption is not helpful for scheduling";
    public const string NoPreemptionVictims = "No preemption victims found for incoming pod";

    public FitError(int numAllNodes, string preFilterMessage, IReadOnlyDictionary<string, Status> nodeStatuses, string postFilterMessage)
    {
        NumAllNodes = numAllNodes;
        PreFilterMessage = preFilterMessage;
        NodeStatuses = nodeStatuses;
        PostFilterMessage = postFilterMessage;
    }

    public int NumAllNodes { get; }

    /// <summary>Set when a PreFilter rejected the pod for every node.</summary>
    public string PreFilterMessage { get; }

    /// <summary>Node name → the status of the filter that rejected it.</summary>
    public IReadOnlyDictionary<string, Status> NodeStatuses { get; }

    /// <summary>The preemption (PostFilter) message, appended as is: "preemption: 0/3 nodes are available: ... pod.".</summary>
    public string PostFilterMessage { get; }

    /// <summary>True when every rejection is resolvable only by a cluster change (no node was merely full).</summary>
    public bool AllUnresolvable => NodeStatuses.Values.All(s => s.Code == StatusCode.UnschedulableAndUnresolvable);

    public string Message
    {
        get
        {
            string message = string.Create(CultureInfo.InvariantCulture, $"0/{NumAllNodes} nodes are available:");
            if (PreFilterMessage.Length > 0)
            {
                message += $" {PreFilterMessage}.";
            }
            else
            {
                string histogram = Histogram(NodeStatuses.Values.SelectMany(s => s.Reasons));
                if (histogram.Length > 0)
                {
                    message += $" {histogram}.";
                }
            }

            if (PostFilterMessage.Length > 0)
            {
                message += " " + PostFilterMessage;
            }

            return message;
        }
    }

    /// <summary>"count reason" entries sorted as strings (upstream's sort.Strings), joined by ", ".</summary>
    public static string Histogram(IEnumerable<string> reasons)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (string reason in reasons)
        {
            counts[reason] = counts.GetValueOrDefault(reason) + 1;
        }

        var entries = counts.Select(kv => string.Create(CultureInfo.InvariantCulture, $"{kv.Value} {kv.Key}")).ToList();
        entries.Sort(StringComparer.Ordinal);
        return string.Join(", ", entries);
    }

    public override string ToString() => Message;
}
