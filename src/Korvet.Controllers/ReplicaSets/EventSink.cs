using Korvet.Api;

namespace Korvet.Controllers.ReplicaSets;

/// <summary>
/// Records an event about <paramref name="obj"/>: <paramref name="type"/> is "Normal" or "Warning", reasons and
/// messages are upstream's (SuccessfulCreate, "Created pod: x", ...). Must not throw and must not block.
/// </summary>
public delegate void EventSink(IKubernetesObject obj, string type, string reason, string message);
