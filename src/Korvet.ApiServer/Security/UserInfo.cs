namespace Korvet.ApiServer.Security;

/// <summary>An authenticated user (upstream <c>user.Info</c>). Immutable.</summary>
/// <param name="Name">e.g. <c>system:admin</c>, <c>system:serviceaccount:ns:name</c>.</param>
/// <param name="Uid">Stable id; may be empty.</param>
/// <param name="Groups">Groups, always including <c>system:authenticated</c>.</param>
/// <param name="Extra">Extra attributes (service account tokens: pod name/uid, node, credential id).</param>
public sealed record UserInfo(string Name, string Uid, IReadOnlyList<string> Groups, IReadOnlyDictionary<string, IReadOnlyList<string>> Extra)
{
    public const string AuthenticatedGroup = "system:authenticated";
    public const string MastersGroup = "system:masters";

    private static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> NoExtra = new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>Builds a user, adding <c>system:authenticated</c> unless present (upstream's group adder).</summary>
    public static UserInfo Create(string name, string uid, IEnumerable<string> groups, IReadOnlyDictionary<string, IReadOnlyList<string>>? extra = null)
    {
        List<string> all = [.. groups];
        if (!all.Contains(AuthenticatedGroup, StringComparer.Ordinal))
        {
            all.Add(AuthenticatedGroup);
        }

        return new UserInfo(name, uid, all, extra ?? NoExtra);
    }
}
