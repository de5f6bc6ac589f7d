namespace Korvet.ApiServer.Security;

/// <summary>A Kubernetes object a token is bound to (pod, secret, node).</summary>
public sealed record BoundObject(string Name, string Uid);

/// <summary>What a TokenRequest asks for. <paramref name="Audiences"/> null or empty = the API audiences.</summary>
public sealed record ServiceAccountTokenRequest(
    string Namespace,
    string Name,
    string Uid,
    TimeSpan Lifetime,
    IReadOnlyList<string>? Audiences = null,
    BoundObject? Pod = null,
    BoundObject? Secret = null,
    BoundObject? Node = null);

/// <summary>A signed token and when it expires (TokenRequest <c>status.expirationTimestamp</c>).</summary>
public sealed record IssuedToken(string Token, DateTimeOffset ExpiresAt);

/// <summary>The verified claims of a service account token. The server still checks that the service account
/// (and a bound pod or secret) exists with the same uid, as upstream's validator does.</summary>
public sealed record ServiceAccountPrincipal(
    string Namespace,
    string Name,
    string Uid,
    IReadOnlyList<string> Audiences,
    DateTimeOffset ExpiresAt,
    string? TokenId,
    BoundObject? Pod,
    BoundObject? Secret,
    BoundObject? Node)
{
    public const string ServiceAccountsGroup = "system:serviceaccounts";

    /// <summary><c>system:serviceaccount:&lt;ns&gt;:&lt;name&gt;</c>.</summary>
    public string UserName => $"system:serviceaccount:{Namespace}:{Name}";

    /// <summary>The user: groups <c>system:serviceaccounts</c>, <c>system:serviceaccounts:&lt;ns&gt;</c>,
    /// <c>system:authenticated</c>; extras name the bound pod/node and the credential id like upstream.</summary>
    public UserInfo ToUserInfo()
    {
        var extra = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        if (Pod is not null)
        {
            extra["authentication.kubernetes.io/pod-name"] = [Pod.Name];
            extra["authentication.kubernetes.io/pod-uid"] = [Pod.Uid];
        }

        if (Node is not null)
        {
            extra["authentication.kubernetes.io/node-name"] = [Node.Name];
            extra["authentication.kubernetes.io/node-uid"] = [Node.Uid];
        }

        if (TokenId is not null)
        {
            extra["authentication.kubernetes.io/credential-id"] = ["JTI=" + TokenId];
        }

        return UserInfo.Create(UserName, Uid, [ServiceAccountsGroup, ServiceAccountsGroup + ":" + Namespace], extra);
    }
}

/// <summary>Outcome of validating a bearer token as a service account token.</summary>
/// <param name="Principal">Set when the token is valid.</param>
/// <param name="Error">Set when the token claims our issuer but is invalid (reject with 401); both null when the
/// token is not one of ours (let other authenticators try).</param>
public sealed record ServiceAccountTokenResult(ServiceAccountPrincipal? Principal, string? Error)
{
    public static ServiceAccountTokenResult NotOurs { get; } = new(null, null);

    public bool IsValid => Principal is not null;
}
