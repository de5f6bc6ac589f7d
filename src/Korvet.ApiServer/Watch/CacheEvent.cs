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
/// One change of one object as the watch cache saw it. Immutable. A JSON watch line is never materialized: it is
/// written as <see cref="LinePrefix"/>, the object's own bytes and <see cref="LineSuffix"/>, so the history ring and
/// every watcher share the object's single array.
/// </summary>
public sealed class CacheEvent
{
    private static readonly byte[][] Prefixes =
        [.. new[] { WatchEventKind.Added, WatchEventKind.Modified, WatchEventKind.Deleted }.Select(k => Encoding.UTF8.GetBytes("{\"type\":\"" + TypeName(k) + "\",\"object\":"))];

    private static readonly byte[] Suffix = "}\n"u8.ToArray();

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

    /// <summary>What precedes the object in a JSON watch line: <c>{"type":"ADDED","object":</c>.</summary>
    public static ReadOnlyMemory<byte> LinePrefix(WatchEventKind kind) => Prefixes[(int)kind];

    /// <summary>What follows the object in a JSON watch line.</summary>
    public static ReadOnlyMemory<byte> LineSuffix => Suffix;

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
}
