namespace Korvet.Storage.Tests.Etcd;

/// <summary>A real etcd cluster of 1..n members on 127.0.0.1 with temporary data dirs; disposing kills every
/// member by PID and deletes the data.</summary>
internal sealed class EtcdCluster : IAsyncDisposable
{
    private readonly string _root;

    private EtcdCluster(string root, IReadOnlyList<EtcdMember> members)
    {
        _root = root;
        Members = members;
    }

    public IReadOnlyList<EtcdMember> Members { get; }

    public IReadOnlyList<Uri> ClientUrls => Members.Select(m => m.ClientUrl).ToArray();

    public static async Task<EtcdCluster> StartAsync(int size)
    {
        var root = Path.Combine(Path.GetTempPath(), "korvet-etcd-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(root);
        var ports = EtcdMember.FreePorts(size * 2);
        var initial = string.Join(',', Enumerable.Range(0, size).Select(i => $"m{i}=http://127.0.0.1:{ports[size + i]}"));
        var token = "korvet-" + Path.GetFileName(root);
        var members = Enumerable.Range(0, size)
            .Select(i => new EtcdMember($"m{i}", Path.Combine(root, $"m{i}"), ports[i], ports[size + i], initial, token))
            .ToArray();
        var cluster = new EtcdCluster(root, members);
        try
        {
            foreach (var member in members)
            {
                member.Start();
            }

            await Task.WhenAll(members.Select(m => m.WaitHealthyAsync(TimeSpan.FromSeconds(30))));
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    public ValueTask DisposeAsync()
    {
        foreach (var member in Members)
        {
            member.Kill();
        }

        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // A member's files may linger for a moment after SIGKILL; the temp dir is reclaimed later.
        }

        return ValueTask.CompletedTask;
    }
}

/// <summary>One single-member etcd shared by every test of the <see cref="EtcdCollection"/> (tests use unique key
/// prefixes, so they never see each other's keys). Starts nothing when etcd is not installed.</summary>
public sealed class EtcdSingleMemberFixture : IAsyncLifetime
{
    private EtcdCluster? _cluster;

    internal EtcdCluster Cluster => _cluster ?? throw new InvalidOperationException(EtcdMember.SkipReason);

    public async Task InitializeAsync()
    {
        if (EtcdMember.Available)
        {
            _cluster = await EtcdCluster.StartAsync(1);
        }
    }

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class EtcdCollection : ICollectionFixture<EtcdSingleMemberFixture>
{
    public const string Name = "etcd single member";
}

/// <summary>A fact that needs the real etcd binary; skipped with a clear reason when it is absent.</summary>
public sealed class EtcdFactAttribute : FactAttribute
{
    public EtcdFactAttribute()
    {
        if (!EtcdMember.Available)
        {
            Skip = EtcdMember.SkipReason;
        }
    }
}

/// <summary>A theory that needs the real etcd binary; skipped with a clear reason when it is absent.</summary>
public sealed class EtcdTheoryAttribute : TheoryAttribute
{
    public EtcdTheoryAttribute()
    {
        if (!EtcdMember.Available)
        {
            Skip = EtcdMember.SkipReason;
        }
    }
}
