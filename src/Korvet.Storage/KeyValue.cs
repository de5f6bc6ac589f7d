namespace Korvet.Storage;

/// <summary>One stored key at one revision. <see cref="Value"/> is never mutated after construction.</summary>
/// <param name="Key">The key, e.g. <c>/registry/pods/default/web-1</c>.</param>
/// <param name="Value">The stored bytes.</param>
/// <param name="CreateRevision">The revision that created this incarnation of the key.</param>
/// <param name="ModRevision">The revision of the last write to the key (the object's resourceVersion).</param>
public sealed record KeyValue(string Key, byte[] Value, long CreateRevision, long ModRevision);

/// <summary>Paging and snapshot options for <see cref="IBackend.ListAsync"/>.</summary>
/// <param name="Revision">Snapshot revision; 0 = newest.</param>
/// <param name="Limit">Page size; 0 = no limit.</param>
/// <param name="AfterKey">Start strictly after this key (the last key of the previous page); null = from the start.</param>
public sealed record ListOptions(long Revision = 0, long Limit = 0, string? AfterKey = null)
{
    public static ListOptions Default { get; } = new();
}

/// <summary>A page of a list.</summary>
/// <param name="Items">Live keys in key order.</param>
/// <param name="Revision">The snapshot revision the page was read at; pass it back to read the next page.</param>
/// <param name="More">True when keys remain after the last item.</param>
/// <param name="RemainingCount">How many keys remain after this page (0 when <paramref name="More"/> is false).</param>
public sealed record ListResult(IReadOnlyList<KeyValue> Items, long Revision, bool More, long RemainingCount);

/// <summary>Outcome of a delete: the revision of the delete and the last value the key held.</summary>
public sealed record DeleteResult(long Revision, KeyValue Deleted);

/// <summary>What a watch event reports.</summary>
public enum WatchEventType
{
    Put,
    Delete,
}

/// <summary>
/// One change. For <see cref="WatchEventType.Put"/>, <see cref="Current"/> is the new value and
/// <see cref="Previous"/> the value before (null on create). For <see cref="WatchEventType.Delete"/>,
/// <see cref="Current"/> carries the key with an empty value and the delete's revision as mod revision, and
/// <see cref="Previous"/> is the deleted value.
/// </summary>
public sealed record WatchEvent(WatchEventType Type, KeyValue Current, KeyValue? Previous)
{
    public long Revision => Current.ModRevision;
    public bool IsCreate => Type == WatchEventType.Put && Previous is null;
}
