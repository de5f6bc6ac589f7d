namespace Korvet.ApiServer.Security;

/// <summary>Outcome of authenticating a request.</summary>
/// <param name="User">The user, when authenticated.</param>
/// <param name="Error">Why a presented token was rejected (answer 401; for logs, not for the client).</param>
/// <param name="ServiceAccount">The verified claims when the user is a service account; the caller still checks
/// that the service account and bound objects exist with these uids.</param>
public sealed record AuthenticationResult(UserInfo? User, string? Error, ServiceAccountPrincipal? ServiceAccount)
{
    /// <summary>No credentials presented (Korvet rejects anonymous requests with 401).</summary>
    public static AuthenticationResult Anonymous { get; } = new(null, null, null);

    public bool IsAuthenticated => User is not null;
}

/// <summary>
/// Authenticates <c>Authorization: Bearer &lt;token&gt;</c> against the static tokens (admin, token file) and
/// service account JWTs, in that order. Thread-safe.
/// </summary>
public sealed class BearerTokenAuthenticator
{
    private readonly StaticTokenAuthenticator _staticTokens;
    private readonly ServiceAccountTokens _serviceAccountTokens;

    public BearerTokenAuthenticator(StaticTokenAuthenticator staticTokens, ServiceAccountTokens serviceAccountTokens)
    {
        _staticTokens = staticTokens;
        _serviceAccountTokens = serviceAccountTokens;
    }

    /// <summary>Authenticates the value of an Authorization header (null when absent).</summary>
    public AuthenticationResult AuthenticateHeader(string? authorization) =>
        TryGetBearerToken(authorization, out string token) ? AuthenticateToken(token) : AuthenticationResult.Anonymous;

    /// <summary>Authenticates a bare bearer token.</summary>
    public AuthenticationResult AuthenticateToken(string token)
    {
        if (_staticTokens.Authenticate(token) is { } user)
        {
            return new AuthenticationResult(user, null, null);
        }

        ServiceAccountTokenResult result = _serviceAccountTokens.Validate(token);
        if (result.Principal is { } principal)
        {
            return new AuthenticationResult(principal.ToUserInfo(), null, principal);
        }

        return new AuthenticationResult(null, result.Error ?? "invalid bearer token", null);
    }

    /// <summary>The subprotocol prefix browsers use to pass a bearer token on WebSocket upgrades.</summary>
    public const string WebSocketProtocolPrefix = "base64url.bearer.authorization.k8s.io.";

    /// <summary>
    /// Upstream's WebSocket protocol authenticator: finds a <c>base64url.bearer.authorization.k8s.io.&lt;token&gt;</c>
    /// entry in <c>Sec-WebSocket-Protocol</c> (base64url without padding, UTF-8) and returns the header without it,
    /// since the server must not echo the credential back as the negotiated protocol.
    /// </summary>
    public static bool TryGetWebSocketBearerToken(string? secWebSocketProtocol, out string token, out string remainingProtocols)
    {
        token = "";
        remainingProtocols = secWebSocketProtocol ?? "";
        if (string.IsNullOrEmpty(secWebSocketProtocol))
        {
            return false;
        }

        var kept = new List<string>();
        bool found = false;
        foreach (string raw in secWebSocketProtocol.Split(','))
        {
            string protocol = raw.Trim();
            if (!found && protocol.StartsWith(WebSocketProtocolPrefix, StringComparison.Ordinal))
            {
                string encoded = protocol[WebSocketProtocolPrefix.Length..];
                try
                {
                    token = new System.Text.UTF8Encoding(false, true).GetString(System.Buffers.Text.Base64Url.DecodeFromChars(encoded));
                }
                catch (Exception e) when (e is FormatException or System.Text.DecoderFallbackException)
                {
                    return false;
                }

                found = token.Length > 0;
                if (!found)
                {
                    return false;
                }

                continue;
            }

            if (protocol.Length > 0)
            {
                kept.Add(protocol);
            }
        }

        remainingProtocols = string.Join(",", kept);
        return found;
    }

    /// <summary>Upstream's parsing: <c>Bearer</c> (any case), one space, a non-empty token without spaces.</summary>
    public static bool TryGetBearerToken(string? authorization, out string token)
    {
        token = "";
        if (string.IsNullOrEmpty(authorization))
        {
            return false;
        }

        // SplitN(authorization, " ", 3) without the allocations: the second field is the token.
        ReadOnlySpan<char> text = authorization;
        int space = text.IndexOf(' ');
        if (space < 0 || !text[..space].Equals("bearer", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        ReadOnlySpan<char> rest = text[(space + 1)..];
        int end = rest.IndexOf(' ');
        ReadOnlySpan<char> value = end < 0 ? rest : rest[..end];
        if (value.Length == 0)
        {
            return false;
        }

        token = value.ToString();
        return true;
    }
}
