namespace Korvet.Scheduler.Framework;

/// <summary>
/// Per-pod scratch space of one scheduling cycle: PreFilter/PreScore results that Filter/Score read back. Written
/// before filtering starts and only read while nodes are filtered and scored, so readers need no lock.
/// </summary>
public sealed class CycleState
{
    private readonly Dictionary<string, object> _data = new(StringComparer.Ordinal);

    /// <summary>Plugins that returned Skip from PreFilter (their Filter is not called) or PreScore (no Score).</summary>
    public HashSet<string> SkippedFilter { get; } = new(StringComparer.Ordinal);

    public HashSet<string> SkippedScore { get; } = new(StringComparer.Ordinal);

    public void Write<T>(string key, T value)
        where T : class => _data[key] = value;

    public T? Read<T>(string key)
        where T : class => _data.TryGetValue(key, out object? value) ? value as T : null;

    /// <summary>A copy whose entries are shared (plugins that change state per node clone their own entry).</summary>
    public CycleState Clone()
    {
        var copy = new CycleState();
        foreach ((string key, object value) in _data)
        {
            copy._data[key] = value;
        }

        copy.SkippedFilter.UnionWith(SkippedFilter);
        copy.SkippedScore.UnionWith(SkippedScore);
        return copy;
    }
}
