using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text;

namespace Korvet.ApiServer.Security;

/// <summary>
/// Authenticates bearer tokens known in advance: the admin token (generated on first start, kept in the data dir)
/// and the entries of the token file. Tokens are looked up by their SHA-256 so lookups do not leak timing about
/// the secret. Immutable and thread-safe after construction.
/// </summary>
public sealed class StaticTokenAuthenticator
{
    private const int MaxStackTokenBytes = 1024;

    private readonly FrozenDictionary<string, UserInfo> _usersByTokenHash;
    private readonly FrozenDictionary<string, UserInfo>.AlternateLookup<ReadOnlySpan<char>> _byHashSpan;

    private StaticTokenAuthenticator(string adminToken, FrozenDictionary<string, UserInfo> usersByTokenHash)
    {
        AdminToken = adminToken;
        _usersByTokenHash = usersByTokenHash;
        _byHashSpan = usersByTokenHash.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>The admin's bearer token (for the kubeconfig the server writes).</summary>
    public string AdminToken { get; }

    /// <summary>Reads (or on first start creates) the admin token and reads the token file.</summary>
    /// <exception cref="InvalidDataException">the token file is malformed.</exception>
    public static StaticTokenAuthenticator LoadOrCreate(TokenAuthOptions options)
    {
        string adminToken;
        if (File.Exists(options.AdminTokenPath) && File.ReadAllText(options.AdminTokenPath).Trim() is { Length: > 0 } existing)
        {
            adminToken = existing;
        }
        else
        {
            adminToken = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
            SecureFiles.WriteAllText(options.AdminTokenPath, adminToken + "\n", secret: true);
        }

        var users = new Dictionary<string, UserInfo>(StringComparer.Ordinal);
        if (options.TokenFile is not null)
        {
            foreach ((string token, UserInfo user) in TokenFile.Parse(File.ReadAllText(options.TokenFile), options.TokenFile))
            {
                users[Hash(token)] = user;
            }
        }

        users[Hash(adminToken)] = UserInfo.Create(options.AdminUser, options.AdminUid, options.AdminGroups);
        return new StaticTokenAuthenticator(adminToken, users.ToFrozenDictionary(StringComparer.Ordinal));
    }

    /// <summary>The user a token belongs to, or null when unknown.</summary>
    /// <remarks>Runs on every request: hashes on the stack (no allocation) for tokens of ordinary length.</remarks>
    public UserInfo? Authenticate(string token)
    {
        if (token.Length == 0)
        {
            return null;
        }

        int byteCount = Encoding.UTF8.GetByteCount(token);
        if (byteCount > MaxStackTokenBytes)
        {
            return _usersByTokenHash.GetValueOrDefault(Hash(token));
        }

        Span<byte> utf8 = stackalloc byte[byteCount];
        Encoding.UTF8.GetBytes(token, utf8);
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(utf8, digest);
        Span<char> hex = stackalloc char[SHA256.HashSizeInBytes * 2];
        Convert.TryToHexString(digest, hex, out _);
        return _byHashSpan.TryGetValue(hex, out UserInfo? user) ? user : null;
    }

    private static string Hash(string token) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}
