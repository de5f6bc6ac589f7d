using System.Globalization;
using System.Text;
using Korvet.Api.Core.V1;

namespace Korvet.Controllers.Job;

/// <summary>
/// Indexed Jobs' completion indexes (upstream pkg/controller/job/indexed_job_utils.go): a pod's index is its
/// <c>batch.kubernetes.io/job-completion-index</c> annotation; <c>status.completedIndexes</c> is a sorted list of
/// intervals such as <c>"0-2,5"</c>. Stateless; thread-safe.
/// </summary>
public static class CompletionIndexes
{
    public const string Key = "batch.kubernetes.io/job-completion-index";

    /// <summary>The pod's completion index, or null when it has none or it is not a number in [0, completions).</summary>
    public static int? Of(Pod pod, int completions)
    {
        string? text = pod.Metadata?.Annotations?.GetValueOrDefault(Key) ?? pod.Metadata?.Labels?.GetValueOrDefault(Key);
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int index) && index < completions ? index : null;
    }

    /// <summary>Reads <c>status.completedIndexes</c>; malformed parts and indexes outside [0, completions) are ignored.</summary>
    public static SortedSet<int> Parse(string? text, int completions)
    {
        var result = new SortedSet<int>();
        foreach (string part in (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string[] bounds = part.Split('-');
            if (bounds.Length is < 1 or > 2
                || !int.TryParse(bounds[0], NumberStyles.None, CultureInfo.InvariantCulture, out int first)
                || !int.TryParse(bounds[^1], NumberStyles.None, CultureInfo.InvariantCulture, out int last))
            {
                continue;
            }

            for (int i = first; i <= Math.Min(last, completions - 1); i++)
            {
                result.Add(i);
            }
        }

        return result;
    }

    /// <summary>Consecutive indexes as "a-b", single ones as "a", comma-separated in order; "" when empty.</summary>
    public static string Format(IEnumerable<int> indexes)
    {
        var text = new StringBuilder();
        int? start = null;
        int previous = 0;
        foreach (int index in indexes.Distinct().Order())
        {
            if (start is not null && index == previous + 1)
            {
                previous = index;
                continue;
            }

            Append(text, start, previous);
            start = index;
            previous = index;
        }

        Append(text, start, previous);
        return text.ToString();
    }

    private static void Append(StringBuilder text, int? start, int last)
    {
        if (start is not int first)
        {
            return;
        }

        if (text.Length > 0)
        {
            text.Append(',');
        }

        text.Append(CultureInfo.InvariantCulture, $"{first}");
        if (last != first)
        {
            text.Append(CultureInfo.InvariantCulture, $"-{last}");
        }
    }
}
