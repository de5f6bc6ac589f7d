namespace Korvet.Storage.Sqlite;

/// <summary>The newest log row of one key, kept in memory so that writes decide conflicts and point reads find
/// their row without searching. <see cref="Deleted"/> entries are tombstones, kept until compaction removes the
/// tombstone row (a re-create chains its prev_revision to it).</summary>
internal readonly record struct KeyState(long ModRevision, long CreateRevision, bool Deleted, long ExpiresAtMs);
