namespace Korvet.Storage.Etcd;

/// <summary>
/// How <see cref="EtcdBackend"/> reaches an etcd cluster. Immutable; validated by <see cref="EtcdBackend"/>'s
/// constructor.
/// </summary>
/// <param name="Endpoints">Client URLs of the cluster members (<c>http://host:port/</c>, plaintext HTTP/2). The
/// client starts with the first and moves to the next one when a member fails.</param>
public sealed record EtcdBackendOptions(IReadOnlyList<Uri> Endpoints)
{
    /// <summary>Deadline of one attempt of one call against one member.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Total time a call may spend retrying across members (leader elections take a few seconds)
    /// before it fails with <see cref="StorageErrorCode.Unavailable"/>.</summary>
    public TimeSpan FailoverTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>TCP connect timeout per member.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How long a member that failed is skipped (unless every member failed).</summary>
    public TimeSpan UnhealthyFor { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>HTTP/2 PING interval while streams are open, so that watch streams notice a dead member. Keep it at
    /// or above etcd's <c>--grpc-keepalive-min-time</c> (5 s by default) or etcd drops the connection.</summary>
    public TimeSpan KeepAlivePingDelay { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Parses the <c>--datastore-endpoint</c> syntax: <c>etcd://host:port[,host:port...]</c>; each member may also be
    /// written <c>http://host:port</c> or bare <c>host:port</c>; the port defaults to 2379. TLS (<c>https://</c>) is
    /// not supported and is rejected.
    /// </summary>
    /// <exception cref="FormatException">The text is not a valid endpoint list.</exception>
    public static EtcdBackendOptions Parse(string endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var text = endpoints.Trim();
        if (text.StartsWith("etcd://", StringComparison.OrdinalIgnoreCase))
        {
            text = text["etcd://".Length..];
        }

        var uris = new List<Uri>();
        foreach (var raw in text.Split(',', StringSplitOptions.TrimEntries))
        {
            uris.Add(ParseMember(raw, endpoints));
        }

        return new EtcdBackendOptions(uris);
    }

    private static Uri ParseMember(string raw, string whole)
    {
        var member = raw;
        if (member.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            throw new FormatException($"etcd endpoint '{raw}' uses TLS, which Korvet's etcd client does not support");
        }

        foreach (var scheme in (ReadOnlySpan<string>)["http://", "etcd://"])
        {
            if (member.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
            {
                member = member[scheme.Length..];
            }
        }

        member = member.TrimEnd('/');
        if (member.Length == 0 || member.Contains('/', StringComparison.Ordinal) || member.Contains('@', StringComparison.Ordinal))
        {
            throw new FormatException($"'{whole}' is not a valid etcd endpoint list (expected etcd://host:port[,host:port...])");
        }

        if (!Uri.TryCreate("http://" + member + "/", UriKind.Absolute, out var uri) || uri.Host.Length == 0)
        {
            throw new FormatException($"'{raw}' is not a valid etcd member address (expected host:port)");
        }

        // Uri reports the scheme's default port (80) when none was written; etcd's is 2379.
        var explicitPort = member.LastIndexOf(':') > member.LastIndexOf(']');
        return explicitPort ? uri : new UriBuilder(uri) { Port = 2379 }.Uri;
    }
}
