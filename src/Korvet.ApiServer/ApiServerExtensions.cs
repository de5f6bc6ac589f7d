using Korvet.ApiServer.Codecs;
using Korvet.ApiServer.Patching;
using Korvet.ApiServer.Storage;
using Korvet.ApiServer.Watch;

namespace Korvet.ApiServer;

/// <summary>
/// The pluggable parts of the API server, each defaulting to the built-in implementation: the selector parser (full
/// label grammar, per-kind fields), the patch applier (JSON, merge, strategic merge), the body decoder (JSON, YAML,
/// protobuf) and per-kind strategies; the service-account token issuer serves <c>serviceaccounts/token</c> (404
/// without). Immutable.
/// </summary>
public sealed record ApiServerExtensions(
    ISelectorParser? Selectors = null,
    IPatchApplier? Patcher = null,
    IBodyDecoder? Decoder = null,
    IReadOnlyDictionary<(string Group, string Plural), IResourceStrategy>? Strategies = null,
    WatchCacheOptions? WatchCache = null,
    Security.ServiceAccountTokens? ServiceAccountTokens = null)
{
    public static ApiServerExtensions Default { get; } = new();
}
