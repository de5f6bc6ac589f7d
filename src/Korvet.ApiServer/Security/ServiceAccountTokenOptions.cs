namespace Korvet.ApiServer.Security;

/// <summary>Service account token issuing and validation settings. Immutable.</summary>
public sealed record ServiceAccountTokenOptions
{
    /// <summary>The server data dir; the signing key lives in <c>DataDirectory/tls/service.key</c> (0600).</summary>
    public required string DataDirectory { get; init; }

    /// <summary>The <c>iss</c> claim written and required (upstream <c>--service-account-issuer</c>).</summary>
    public string Issuer { get; init; } = "https://kubernetes.default.svc.cluster.local";

    /// <summary>Audiences the API server accepts (upstream <c>--api-audiences</c>); empty = just the issuer.
    /// TokenRequests without audiences get these.</summary>
    public IReadOnlyList<string> ApiAudiences { get; init; } = [];

    /// <summary>Clock skew tolerated on <c>exp</c>, <c>nbf</c> and <c>iat</c> (go-jose's default leeway).</summary>
    public TimeSpan Leeway { get; init; } = TimeSpan.FromMinutes(1);

    public string KeyPath => Path.Combine(DataDirectory, "tls", "service.key");

    /// <summary><see cref="ApiAudiences"/>, or the issuer when none are configured.</summary>
    public IReadOnlyList<string> EffectiveAudiences => ApiAudiences.Count > 0 ? ApiAudiences : [Issuer];
}
