namespace Korvet.Storage.Sqlite;

internal enum WriteKind
{
    Create,
    Update,
    Delete,
    /// <summary>Raise the compacted-revision marker to <see cref="WriteRequest.Expected"/>.</summary>
    Compact,
    /// <summary>Physically remove one small batch of superseded rows below the marker.</summary>
    CompactStep,
    /// <summary>Delete keys whose TTL has passed.</summary>
    SweepExpired,
    /// <summary>Return a few free pages to the file system (incremental vacuum).</summary>
    Vacuum,
}

/// <summary>One queued write. The writer loop decides it inside a group transaction and completes it after the
/// commit; completions run continuations asynchronously so callers never run on the writer thread.</summary>
internal sealed class WriteRequest(WriteKind kind, string key, byte[]? name, byte[]? value, long expected, long ttlSeconds)
{
    public WriteKind Kind { get; } = kind;
    public string Key { get; } = key;
    public byte[]? Name { get; } = name;
    public byte[]? Value { get; } = value;
    public long Expected { get; } = expected;
    public long TtlSeconds { get; } = ttlSeconds;

    /// <summary>The revision written (for writes) or a step result (for maintenance).</summary>
    public long Result { get; set; }

    /// <summary>For deletes: the value deleted.</summary>
    public KeyValue? Deleted { get; set; }

    /// <summary>Set when the request was refused; the batch goes on without it.</summary>
    public StorageException? Error { get; set; }

    public TaskCompletionSource<long> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static WriteRequest Maintenance(WriteKind kind, long argument = 0) => new(kind, "", null, null, argument, 0);

    public void Finish()
    {
        if (Error is null)
        {
            Completion.TrySetResult(Result);
        }
        else
        {
            Completion.TrySetException(Error);
        }
    }
}
