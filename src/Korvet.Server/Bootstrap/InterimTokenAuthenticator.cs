using System.Security.Cryptography;
using System.Text;
using Korvet.ApiServer.Authentication;
using Korvet.ApiServer.Security;
using Microsoft.AspNetCore.Http;

namespace Korvet.Server.Bootstrap;

/// <summary>
/// Bearer-token authentication against the admin token (user <c>admin</c>, group <c>system:masters</c>) and the
/// entries of a static token file (<c>token,user,uid[,"group1,group2"]</c>). Stands in until the security library's
/// authenticators (token file, service-account JWTs) are wired in. Immutable and thread-safe.
/// </summary>
public sealed class InterimTokenAuthenticator : IRequestAuthenticator
{
    private readonly Dictionary<string, UserInfo> _tokens = new(StringComparer.Ordinal);

    public InterimTokenAuthenticator(string adminToken, string? tokenFile)
    {
        _tokens[adminToken] = UserInfo.Create("admin", "", ["system:masters", "system:authenticated"]);
        if (tokenFile is null)
        {
            return;
        }

        foreach (string raw in File.ReadAllLines(tokenFile))
        {
            string line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            string[] head = line.Split(',', 4);
            if (head.Length < 3)
            {
                throw new FormatException($"token file {tokenFile}: a line needs at least token,user,uid");
            }

            string[] groups = head.Length == 4
                ? head[3].Trim('"').Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                : [];
            _tokens[head[0]] = new UserInfo(head[1], head[2], [.. groups, "system:authenticated"],
                new Dictionary<string, IReadOnlyList<string>>());
        }
    }

    public ValueTask<UserInfo?> AuthenticateAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        string header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return ValueTask.FromResult<UserInfo?>(null);
        }

        string token = header[7..].Trim();
        foreach ((string known, UserInfo user) in _tokens)
        {
            if (CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(known), Encoding.UTF8.GetBytes(token)))
            {
                return ValueTask.FromResult<UserInfo?>(user);
            }
        }

        return ValueTask.FromResult<UserInfo?>(null);
    }
}
