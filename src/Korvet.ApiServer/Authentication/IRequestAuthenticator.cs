using Korvet.ApiServer.Security;
using Microsoft.AspNetCore.Http;

namespace Korvet.ApiServer.Authentication;

/// <summary>
/// Decides who sent a request (bearer token, service-account JWT, ...). Returns null when the request carries no
/// credentials this authenticator accepts; the server then answers 401. Implementations are thread-safe.
/// </summary>
public interface IRequestAuthenticator
{
    ValueTask<UserInfo?> AuthenticateAsync(HttpRequest request, CancellationToken cancellationToken);

    /// <summary>Authenticates a bare bearer token as a request carrying it would be (TokenReview asks this).</summary>
    ValueTask<UserInfo?> AuthenticateTokenAsync(string token, CancellationToken cancellationToken);
}
