using System.Text;
using Korvet.ApiServer.Storage;

namespace Korvet.ApiServer.Watch;

/// <summary>The watch event types of the Kubernetes watch protocol.</summary>
public enum WatchEventKind
{
    Added,
    Modified,
    Deleted,
}

/// <summary>
/// One change of one object as the watch cache saw it. The newline-terminated JSON line of each event type is built
/// at most once and shared by every watcher (racing first builders produce equal bytes). Immutable otherwise.
/// </summary>
public sealed class CacheEvent
{
    private readonly byte[]?[] _lines = new byte[3][];

    public CacheEvent(WatchEventKind kind, StoredObject obj, StoredObject? previous, long revision)
    {
        Kind = kind;
        Object = obj;
        Previous = previous;
        Revision = revision;
    }

    public WatchEventKind Kind { get; }

    /// <summary>The object after the change; for deletes, the last state with the delete's resourceVersion.</summary>
    public StoredObject Object { get; }

    /// <summary>The object before the change (null for creates and synthetic initial events).</summary>
    public StoredObject? Previous { get; }

    public long Revision { get; }

    /// <summary><c>{"type":"...","object":{...}}\n</c> for <paramref name="kind"/> with <see cref="Object"/>.</summary>
    public byte[] LineFor(WatchEventKind kind) => _lines[(int)kind] ??= BuildLine(kind, Object.Json);

    public static string TypeName(WatchEventKind kind) => kind switch
    {
        WatchEventKind.Added => "ADDED",
        WatchEventKind.Modified => "MODIFIED",
        _ => "DELETED",
    };

    public static byte[] BuildLine(string type, byte[] objectJson)
    {
        byte[] head = Encoding.UTF8.GetBytes("{\"type\":\"" + type + "\",\"object\":");
        byte[] line = new byte[head.Length + objectJson.Length + 2];
        head.CopyTo(line, 0);
        objectJson.CopyTo(line, head.Length);
        line[^2] = (byte)'}';
        line[^1] = (byte)'\n';
        return line;
    }

    private static byte[] BuildLine(WatchEventKind kind, byte[] objectJson) => BuildLine(TypeName(kind), objectJson);
}
