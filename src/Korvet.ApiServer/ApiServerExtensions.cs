using Korvet.ApiServer.Codecs;
using Korvet.ApiServer.Patching;
using Korvet.ApiServer.Storage;
using Korvet.ApiServer.Watch;

namespace Korvet.ApiServer;

/// <summary>
/// The pluggable parts of the API server, each defaulting to the built-in interim implementation: the selector parser
/// (equality labels, metadata.name/namespace fields), the patch applier (JSON, merge and strategic merge patch), the body decoder (JSON
/// only) and per-kind strategies. Immutable.
/// </summary>
public sealed record ApiServerExtensions(
    ISelectorParser? Selectors = null,
    IPatchApplier? Patcher = null,
    IBodyDecoder? Decoder = null,
    IReadOnlyDictionary<(string Group, string Plural), IResourceStrategy>? Strategies = null,
    WatchCacheOptions? WatchCache = null)
{
    public static ApiServerExtensions Default { get; } = new();
}
