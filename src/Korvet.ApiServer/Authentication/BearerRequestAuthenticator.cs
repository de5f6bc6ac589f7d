using System.Text.Json;
using Korvet.ApiServer.Security;
using Korvet.Storage;
using Microsoft.AspNetCore.Http;

namespace Korvet.ApiServer.Authentication;

/// <summary>
/// The server's authenticator: <c>Authorization: Bearer</c> (or the WebSocket bearer subprotocol) checked against the
/// admin token, the token file and service-account JWTs. Like upstream's token validator, a service-account token is
/// accepted only while its service account (and a bound pod or secret) still exists with the uid in the token; those
/// objects are read from the backend. Thread-safe.
/// </summary>
public sealed class BearerRequestAuthenticator : IRequestAuthenticator
{
    private readonly BearerTokenAuthenticator _tokens;
    private readonly IBackend _backend;

    public BearerRequestAuthenticator(BearerTokenAuthenticator tokens, IBackend backend)
    {
        _tokens = tokens;
        _backend = backend;
    }

    public ValueTask<UserInfo?> AuthenticateAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (BearerTokenAuthenticator.TryGetBearerToken(request.Headers.Authorization.ToString(), out string token))
        {
            return AuthenticateTokenAsync(token, cancellationToken);
        }

        if (BearerTokenAuthenticator.TryGetWebSocketBearerToken(request.Headers.SecWebSocketProtocol.ToString(), out string wsToken, out _))
        {
            return AuthenticateTokenAsync(wsToken, cancellationToken);
        }

        return ValueTask.FromResult<UserInfo?>(null);
    }

    public async ValueTask<UserInfo?> AuthenticateTokenAsync(string token, CancellationToken cancellationToken)
    {
        AuthenticationResult result = _tokens.AuthenticateToken(token);
        if (result.ServiceAccount is { } principal)
        {
            bool live = await UidMatchesAsync($"/registry/core/serviceaccounts/{principal.Namespace}/{principal.Name}", principal.Uid, cancellationToken)
                && (principal.Pod is null || await UidMatchesAsync($"/registry/core/pods/{principal.Namespace}/{principal.Pod.Name}", principal.Pod.Uid, cancellationToken))
                && (principal.Secret is null || await UidMatchesAsync($"/registry/core/secrets/{principal.Namespace}/{principal.Secret.Name}", principal.Secret.Uid, cancellationToken));
            if (!live)
            {
                return null;
            }
        }

        return result.User;
    }

    private async Task<bool> UidMatchesAsync(string key, string uid, CancellationToken cancellationToken)
    {
        KeyValue? kv = await _backend.GetAsync(key, 0, cancellationToken);
        if (kv is null)
        {
            return false;
        }

        using JsonDocument doc = JsonDocument.Parse(kv.Value);
        return doc.RootElement.TryGetProperty("metadata", out JsonElement meta) && meta.TryGetProperty("uid", out JsonElement u)
            && u.GetString() == uid;
    }
}
