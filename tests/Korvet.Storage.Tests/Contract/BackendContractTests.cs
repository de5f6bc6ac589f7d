using System.Text;

namespace Korvet.Storage.Tests.Contract;

/// <summary>
/// The one contract suite every <see cref="IBackend"/> must pass. Subclasses only say how to open a backend.
/// Each test works under its own unique key prefix, so a backend (e.g. an etcd fixture) may be shared, though tests
/// in one class run one after another.
/// </summary>
public abstract partial class BackendContractTests : IAsyncLifetime
{
    private IBackend? _backend;

    /// <summary>Opens the backend under test (fresh, or shared and namespaced by <see cref="Prefix"/>).</summary>
    protected abstract Task<IBackend> CreateBackendAsync();

    /// <summary>Disposes the backend; override to also remove files or stop processes.</summary>
    protected virtual async Task DisposeBackendAsync(IBackend backend) => await backend.DisposeAsync();

    protected IBackend Backend => _backend ?? throw new InvalidOperationException("backend not opened");

    /// <summary>A prefix no other test uses.</summary>
    protected string Prefix { get; } = $"/contract/{Guid.NewGuid():N}/";

    public async Task InitializeAsync() => _backend = await CreateBackendAsync();

    public async Task DisposeAsync()
    {
        if (_backend is not null)
        {
            await DisposeBackendAsync(_backend);
        }
    }

    protected static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    protected static string Text(byte[] value) => Encoding.UTF8.GetString(value);

    protected string K(string name) => Prefix + name;

    protected static async Task<StorageException> ThrowsStorageAsync(StorageErrorCode code, Func<Task> action)
    {
        var error = await Assert.ThrowsAsync<StorageException>(action);
        Assert.Equal(code, error.Code);
        return error;
    }

    [Fact]
    public async Task Create_then_get_returns_the_value_with_create_and_mod_revision()
    {
        var revision = await Backend.CreateAsync(K("a"), Bytes("one"));

        var item = await Backend.GetAsync(K("a"));

        Assert.NotNull(item);
        Assert.Equal(K("a"), item.Key);
        Assert.Equal("one", Text(item.Value));
        Assert.Equal(revision, item.CreateRevision);
        Assert.Equal(revision, item.ModRevision);
        Assert.True(await Backend.CurrentRevisionAsync() >= revision);
        Assert.Null(await Backend.GetAsync(K("missing")));
    }

    [Fact]
    public async Task Create_of_a_live_key_fails_with_KeyExists_and_the_current_value()
    {
        var revision = await Backend.CreateAsync(K("a"), Bytes("one"));

        var error = await ThrowsStorageAsync(StorageErrorCode.KeyExists, () => Backend.CreateAsync(K("a"), Bytes("two")));

        Assert.Equal(revision, error.Current?.ModRevision);
        Assert.Equal("one", Text((await Backend.GetAsync(K("a")))!.Value));
    }

    [Fact]
    public async Task Update_with_the_right_revision_succeeds_and_keeps_the_create_revision()
    {
        var created = await Backend.CreateAsync(K("a"), Bytes("one"));

        var updated = await Backend.UpdateAsync(K("a"), Bytes("two"), created);

        Assert.True(updated > created);
        var item = await Backend.GetAsync(K("a"));
        Assert.Equal("two", Text(item!.Value));
        Assert.Equal(created, item.CreateRevision);
        Assert.Equal(updated, item.ModRevision);
    }

    [Fact]
    public async Task Update_with_a_stale_revision_fails_with_Conflict_carrying_the_current_value()
    {
        var created = await Backend.CreateAsync(K("a"), Bytes("one"));
        var updated = await Backend.UpdateAsync(K("a"), Bytes("two"), created);

        var error = await ThrowsStorageAsync(StorageErrorCode.Conflict,
            () => Backend.UpdateAsync(K("a"), Bytes("three"), created));

        Assert.NotNull(error.Current);
        Assert.Equal(updated, error.Current.ModRevision);
        Assert.Equal("two", Text(error.Current.Value));
        Assert.Equal("two", Text((await Backend.GetAsync(K("a")))!.Value));
    }

    [Fact]
    public async Task Update_or_delete_of_a_missing_key_fails_with_KeyNotFound()
    {
        var before = await Backend.CurrentRevisionAsync();

        await ThrowsStorageAsync(StorageErrorCode.KeyNotFound, () => Backend.UpdateAsync(K("none"), Bytes("x"), 1));
        await ThrowsStorageAsync(StorageErrorCode.KeyNotFound, () => Backend.DeleteAsync(K("none")));
        await ThrowsStorageAsync(StorageErrorCode.KeyNotFound, () => Backend.DeleteAsync(K("none"), 5));

        Assert.Equal(before, await Backend.CurrentRevisionAsync());
    }

    [Fact]
    public async Task Delete_checks_the_expected_revision_and_returns_the_deleted_value()
    {
        var created = await Backend.CreateAsync(K("a"), Bytes("one"));
        var updated = await Backend.UpdateAsync(K("a"), Bytes("two"), created);

        var conflict = await ThrowsStorageAsync(StorageErrorCode.Conflict, () => Backend.DeleteAsync(K("a"), created));
        Assert.Equal(updated, conflict.Current?.ModRevision);

        var deleted = await Backend.DeleteAsync(K("a"), updated);

        Assert.True(deleted.Revision > updated);
        Assert.Equal("two", Text(deleted.Deleted.Value));
        Assert.Equal(updated, deleted.Deleted.ModRevision);
        Assert.Equal(created, deleted.Deleted.CreateRevision);
        Assert.Null(await Backend.GetAsync(K("a")));
        await ThrowsStorageAsync(StorageErrorCode.KeyNotFound, () => Backend.DeleteAsync(K("a")));
    }

    [Fact]
    public async Task Delete_without_expected_revision_deletes_whatever_is_there_and_the_key_can_be_created_again()
    {
        var first = await Backend.CreateAsync(K("a"), Bytes("one"));
        await Backend.DeleteAsync(K("a"));

        var second = await Backend.CreateAsync(K("a"), Bytes("again"));

        var item = await Backend.GetAsync(K("a"));
        Assert.Equal(second, item!.CreateRevision);
        Assert.True(second > first);
        Assert.Equal("again", Text(item.Value));
    }

    [Fact]
    public async Task Revisions_are_strictly_increasing_across_all_kinds_of_writes()
    {
        var revisions = new List<long>
        {
            await Backend.CreateAsync(K("a"), Bytes("1")),
            await Backend.CreateAsync(K("b"), Bytes("1")),
        };
        revisions.Add(await Backend.UpdateAsync(K("a"), Bytes("2"), revisions[0]));
        revisions.Add((await Backend.DeleteAsync(K("b"))).Revision);
        revisions.Add(await Backend.CreateAsync(K("b"), Bytes("3")));

        for (var i = 1; i < revisions.Count; i++)
        {
            Assert.True(revisions[i] > revisions[i - 1], $"revision {revisions[i]} after {revisions[i - 1]}");
        }

        Assert.True(await Backend.CurrentRevisionAsync() >= revisions[^1]);
    }

    [Fact]
    public async Task Get_at_a_past_revision_returns_the_value_then()
    {
        await Backend.CreateAsync(K("other"), Bytes("so revision r1 - 1 is not 0 (= newest)"));
        var r1 = await Backend.CreateAsync(K("a"), Bytes("one"));
        var r2 = await Backend.UpdateAsync(K("a"), Bytes("two"), r1);
        var r3 = (await Backend.DeleteAsync(K("a"))).Revision;
        var r4 = await Backend.CreateAsync(K("a"), Bytes("four"));

        Assert.Null(await Backend.GetAsync(K("a"), r1 - 1));
        Assert.Equal("one", Text((await Backend.GetAsync(K("a"), r1))!.Value));
        Assert.Equal("two", Text((await Backend.GetAsync(K("a"), r2))!.Value));
        Assert.Equal(r2, (await Backend.GetAsync(K("a"), r3 - 1))!.ModRevision);
        Assert.Null(await Backend.GetAsync(K("a"), r3));
        var now = await Backend.GetAsync(K("a"), r4);
        Assert.Equal(r4, now!.CreateRevision);
        await ThrowsStorageAsync(StorageErrorCode.FutureRevision,
            () => Backend.GetAsync(K("a"), r4 + 1_000_000));
    }

    [Fact]
    public async Task List_returns_live_keys_under_the_prefix_in_key_order()
    {
        await Backend.CreateAsync(K("b"), Bytes("b"));
        await Backend.CreateAsync(K("a"), Bytes("a"));
        await Backend.CreateAsync(K("c/x"), Bytes("cx"));
        await Backend.CreateAsync(K("gone"), Bytes("g"));
        await Backend.DeleteAsync(K("gone"));
        await Backend.CreateAsync(Prefix.TrimEnd('/') + "x/outside", Bytes("o"));

        var all = await Backend.ListAsync(Prefix, ListOptions.Default);
        var sub = await Backend.ListAsync(K("c/"), ListOptions.Default);

        Assert.Equal([K("a"), K("b"), K("c/x")], all.Items.Select(i => i.Key));
        Assert.Equal(["a", "b", "cx"], all.Items.Select(i => Text(i.Value)));
        Assert.False(all.More);
        Assert.Equal(0, all.RemainingCount);
        Assert.True(all.Revision >= all.Items.Max(i => i.ModRevision));
        Assert.Equal([K("c/x")], sub.Items.Select(i => i.Key));
        Assert.Empty((await Backend.ListAsync(K("nothing/"), ListOptions.Default)).Items);
    }

    [Fact]
    public async Task List_pages_see_one_consistent_snapshot_even_when_writes_happen_between_pages()
    {
        var revisions = new Dictionary<string, long>();
        for (var i = 0; i < 10; i++)
        {
            revisions[K($"k{i:D2}")] = await Backend.CreateAsync(K($"k{i:D2}"), Bytes($"v{i}"));
        }

        var page = await Backend.ListAsync(Prefix, new ListOptions(Limit: 3));
        Assert.Equal([K("k00"), K("k01"), K("k02")], page.Items.Select(i => i.Key));
        Assert.True(page.More);
        Assert.Equal(7, page.RemainingCount);

        await Backend.CreateAsync(K("k05a"), Bytes("new"));
        await Backend.UpdateAsync(K("k06"), Bytes("changed"), revisions[K("k06")]);
        await Backend.DeleteAsync(K("k07"));
        await Backend.DeleteAsync(K("k01"));

        var seen = new List<KeyValue>(page.Items);
        var snapshot = page.Revision;
        while (page.More)
        {
            page = await Backend.ListAsync(Prefix, new ListOptions(snapshot, 3, page.Items[^1].Key));
            Assert.Equal(snapshot, page.Revision);
            seen.AddRange(page.Items);
        }

        Assert.Equal(Enumerable.Range(0, 10).Select(i => K($"k{i:D2}")), seen.Select(i => i.Key));
        Assert.Equal("v6", Text(seen[6].Value));
        Assert.Equal(0, page.RemainingCount);

        var fresh = await Backend.ListAsync(Prefix, ListOptions.Default);
        Assert.Equal(9, fresh.Items.Count);
        Assert.Contains(fresh.Items, i => i.Key == K("k05a"));
        Assert.DoesNotContain(fresh.Items, i => i.Key == K("k07"));
    }

    [Fact]
    public async Task List_at_a_past_revision_shows_that_snapshot()
    {
        var r1 = await Backend.CreateAsync(K("a"), Bytes("1"));
        await Backend.CreateAsync(K("b"), Bytes("1"));
        await Backend.UpdateAsync(K("a"), Bytes("2"), r1);

        var then = await Backend.ListAsync(Prefix, new ListOptions(Revision: r1));

        Assert.Equal(r1, then.Revision);
        Assert.Equal([K("a")], then.Items.Select(i => i.Key));
        Assert.Equal("1", Text(then.Items[0].Value));
        await ThrowsStorageAsync(StorageErrorCode.FutureRevision,
            () => Backend.ListAsync(Prefix, new ListOptions(Revision: r1 + 1_000_000)));
    }

    [Fact]
    public async Task Count_counts_live_keys_under_the_prefix()
    {
        for (var i = 0; i < 5; i++)
        {
            await Backend.CreateAsync(K($"n{i}"), Bytes("x"));
        }

        await Backend.DeleteAsync(K("n3"));
        await Backend.CreateAsync(K("other/n"), Bytes("x"));

        Assert.Equal(5, await Backend.CountAsync(Prefix));
        Assert.Equal(4, await Backend.CountAsync(K("n")));
        Assert.Equal(0, await Backend.CountAsync(K("zzz")));
    }

    [Fact]
    public async Task Keys_and_values_round_trip_exactly()
    {
        var key = K("ünïcode/名前");
        var value = Enumerable.Range(0, 4096).Select(i => (byte)i).ToArray();

        await Backend.CreateAsync(key, value);

        var item = await Backend.GetAsync(key);
        Assert.Equal(value, item!.Value);
        Assert.Equal(key, (await Backend.ListAsync(K("ü"), ListOptions.Default)).Items.Single().Key);
    }

    [Fact]
    public async Task Bad_input_is_rejected_with_typed_errors_and_nothing_is_stored()
    {
        var before = await Backend.CurrentRevisionAsync();

        await ThrowsStorageAsync(StorageErrorCode.InvalidKey, () => Backend.CreateAsync("", Bytes("x")));
        await ThrowsStorageAsync(StorageErrorCode.InvalidKey, () => Backend.CreateAsync(K("nul\0key"), Bytes("x")));
        await ThrowsStorageAsync(StorageErrorCode.InvalidKey,
            () => Backend.CreateAsync(K(new string('k', StorageLimits.MaxKeyBytes)), Bytes("x")));
        await ThrowsStorageAsync(StorageErrorCode.InvalidValue, () => Backend.CreateAsync(K("empty"), []));
        await ThrowsStorageAsync(StorageErrorCode.ValueTooLarge,
            () => Backend.CreateAsync(K("big"), new byte[StorageLimits.MaxValueBytes + 1]));
        await ThrowsStorageAsync(StorageErrorCode.InvalidKey, () => Backend.GetAsync(""));
        await ThrowsStorageAsync(StorageErrorCode.InvalidKey, () => Backend.DeleteAsync(""));
        await ThrowsStorageAsync(StorageErrorCode.InvalidKey, () => Backend.ListAsync("a\0", ListOptions.Default));

        var r = await Backend.CreateAsync(K("ok"), Bytes("x"));
        await ThrowsStorageAsync(StorageErrorCode.InvalidValue, () => Backend.UpdateAsync(K("ok"), [], r));
        await ThrowsStorageAsync(StorageErrorCode.ValueTooLarge,
            () => Backend.UpdateAsync(K("ok"), new byte[StorageLimits.MaxValueBytes + 1], r));

        Assert.Equal(before + 1, r);
        Assert.Equal(1, await Backend.CountAsync(Prefix));
        Assert.Equal("x", Text((await Backend.GetAsync(K("ok")))!.Value));
    }

    [Fact]
    public async Task A_large_value_under_the_limit_is_stored()
    {
        var value = new byte[1024 * 1024];
        new Random(7).NextBytes(value);

        await Backend.CreateAsync(K("large"), value);

        Assert.Equal(value, (await Backend.GetAsync(K("large")))!.Value);
    }
}
