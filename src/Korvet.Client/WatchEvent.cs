namespace Korvet.Client;

public enum WatchEventType
{
    Added,
    Modified,
    Deleted,

    /// <summary>Only the object's resourceVersion is meaningful: the watch has seen everything up to it.</summary>
    Bookmark,
}

/// <summary>One event of a watch. ERROR events are not events: the watch throws <see cref="ApiException"/>.</summary>
public sealed record WatchEvent<T>(WatchEventType Type, T Object);

/// <summary>One page of a list: the items, the list's resourceVersion (to watch from) and the continue token.</summary>
public sealed record ResourceList<T>(List<T> Items, string ResourceVersion, string? Continue, long? RemainingItemCount);
