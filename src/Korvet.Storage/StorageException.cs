namespace Korvet.Storage;

/// <summary>Why a storage call failed. The API server maps each to a Kubernetes Status.</summary>
public enum StorageErrorCode
{
    /// <summary>Create of a live key (HTTP 409 AlreadyExists).</summary>
    KeyExists,
    /// <summary>Update or delete of an absent key (HTTP 404 NotFound).</summary>
    KeyNotFound,
    /// <summary>Compare-and-swap lost: the key's mod revision differs (HTTP 409 Conflict).</summary>
    Conflict,
    /// <summary>The revision asked for was compacted away (HTTP 410 Gone / Expired).</summary>
    Compacted,
    /// <summary>The revision asked for is newer than the store (HTTP 504 / "too large resource version").</summary>
    FutureRevision,
    /// <summary>Empty, oversized or malformed key (HTTP 400/500).</summary>
    InvalidKey,
    /// <summary>Empty or malformed value.</summary>
    InvalidValue,
    /// <summary>Value over <see cref="StorageLimits.MaxValueBytes"/> (HTTP 413 RequestEntityTooLarge).</summary>
    ValueTooLarge,
    /// <summary>The datastore cannot be reached or answered with an error (HTTP 503/500).</summary>
    Unavailable,
    /// <summary>The datastore file is corrupt, locked or otherwise unusable at startup.</summary>
    Corrupt,
}

/// <summary>A typed storage failure. <see cref="Current"/> is set on <see cref="StorageErrorCode.Conflict"/> and
/// <see cref="StorageErrorCode.KeyExists"/> when the backend knows the live value, so callers can retry without a
/// second read.</summary>
public sealed class StorageException : Exception
{
    public StorageException(StorageErrorCode code, string message, KeyValue? current = null, Exception? inner = null)
        : base(message, inner)
    {
        Code = code;
        Current = current;
    }

    public StorageErrorCode Code { get; }

    public KeyValue? Current { get; }

    /// <summary>For <see cref="StorageErrorCode.Compacted"/>: the oldest revision still available, when known.</summary>
    public long CompactedRevision { get; init; }
}

/// <summary>Input limits every backend enforces before writing (etcd's defaults).</summary>
public static class StorageLimits
{
    /// <summary>etcd's default request limit (1.5 MiB); larger values are rejected.</summary>
    public const int MaxValueBytes = 1536 * 1024;

    /// <summary>Keys longer than this are rejected.</summary>
    public const int MaxKeyBytes = 4096;

    /// <summary>Throws the typed error for an invalid key. Keys must be non-empty UTF-8 without NUL characters.</summary>
    public static void ValidateKey(string key)
    {
        if (string.IsNullOrEmpty(key))
        {
            throw new StorageException(StorageErrorCode.InvalidKey, "key must not be empty");
        }

        if (key.Contains('\0', StringComparison.Ordinal))
        {
            throw new StorageException(StorageErrorCode.InvalidKey, "key must not contain NUL characters");
        }

        if (System.Text.Encoding.UTF8.GetByteCount(key) > MaxKeyBytes)
        {
            throw new StorageException(StorageErrorCode.InvalidKey, $"key is longer than {MaxKeyBytes} bytes");
        }
    }

    /// <summary>Throws the typed error for an invalid prefix (empty is allowed: the whole keyspace).</summary>
    public static void ValidatePrefix(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        if (prefix.Contains('\0', StringComparison.Ordinal))
        {
            throw new StorageException(StorageErrorCode.InvalidKey, "prefix must not contain NUL characters");
        }
    }

    /// <summary>Throws the typed error for an empty or oversized value.</summary>
    public static void ValidateValue(byte[] value)
    {
        if (value is null || value.Length == 0)
        {
            throw new StorageException(StorageErrorCode.InvalidValue, "value must not be empty");
        }

        if (value.Length > MaxValueBytes)
        {
            throw new StorageException(StorageErrorCode.ValueTooLarge,
                $"value of {value.Length} bytes is larger than the limit of {MaxValueBytes} bytes");
        }
    }
}
