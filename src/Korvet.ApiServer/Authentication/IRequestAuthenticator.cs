using Microsoft.AspNetCore.Http;

namespace Korvet.ApiServer.Authentication;

/// <summary>An authenticated user (upstream's user.Info). Immutable.</summary>
public sealed record UserInfo(string Name, string Uid, IReadOnlyList<string> Groups, IReadOnlyDictionary<string, IReadOnlyList<string>> Extra)
{
    public static UserInfo Create(string name, params string[] groups) =>
        new(name, "", groups, new Dictionary<string, IReadOnlyList<string>>());
}

/// <summary>
/// Decides who sent a request (bearer token, service-account JWT, ...). Returns null when the request carries no
/// credentials this authenticator recognises; the server then answers 401. Implementations are thread-safe.
/// </summary>
public interface IRequestAuthenticator
{
    ValueTask<UserInfo?> AuthenticateAsync(HttpRequest request, CancellationToken cancellationToken);
}
