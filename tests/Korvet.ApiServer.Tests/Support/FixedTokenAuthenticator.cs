using Korvet.ApiServer.Authentication;
using Korvet.ApiServer.Security;
using Microsoft.AspNetCore.Http;

namespace Korvet.ApiServer.Tests.Support;

/// <summary>Accepts exactly one bearer token (tests only).</summary>
internal sealed class FixedTokenAuthenticator(string token) : IRequestAuthenticator
{
    public ValueTask<UserInfo?> AuthenticateAsync(HttpRequest request, CancellationToken cancellationToken) =>
        ValueTask.FromResult(request.Headers.Authorization.ToString() == "Bearer " + token
            ? UserInfo.Create("tester", "", [UserInfo.MastersGroup])
            : null);

    public ValueTask<UserInfo?> AuthenticateTokenAsync(string presented, CancellationToken cancellationToken) =>
        ValueTask.FromResult(presented == token ? UserInfo.Create("tester", "", [UserInfo.MastersGroup]) : null);
}
