namespace Korvet.ApiServer.Security;

/// <summary>Static bearer tokens: the generated admin token and an optional upstream-format token file. Immutable.</summary>
public sealed record TokenAuthOptions
{
    /// <summary>The server data dir; the admin token lives in <c>DataDirectory/admin.token</c> (0600).</summary>
    public required string DataDirectory { get; init; }

    /// <summary><c>--token-file</c>: CSV <c>token,user,uid,"group1,group2"</c>; null for none.</summary>
    public string? TokenFile { get; init; }

    public string AdminUser { get; init; } = "system:admin";

    public string AdminUid { get; init; } = "";

    public IReadOnlyList<string> AdminGroups { get; init; } = [UserInfo.MastersGroup];

    public string AdminTokenPath => Path.Combine(DataDirectory, "admin.token");
}
