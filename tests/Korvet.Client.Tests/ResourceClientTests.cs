using System.Net;
using Korvet.Api.Core.V1;
using Korvet.Api.Meta.V1;

namespace Korvet.Client.Tests;

public sealed class ResourceClientTests(ClientCluster cluster) : IClassFixture<ClientCluster>
{
    private static ConfigMap NewConfigMap(string name, Dictionary<string, string>? data = null, Dictionary<string, string>? labels = null) => new()
    {
        Metadata = new ObjectMeta { Name = name, Namespace = "default", Labels = labels },
        Data = data ?? new() { ["a"] = "1" },
    };

    [Fact]
    public void KubeconfigGivesServerTokenAndCa()
    {
        ClientOptions o = ClientOptions.FromKubeconfigFile(cluster.Kubeconfig);
        Assert.Equal(cluster.Host.BaseAddress.Port, o.Server.Port);
        Assert.Equal(cluster.Host.Credentials.AdminToken, o.BearerToken);
        Assert.Contains("BEGIN CERTIFICATE", o.CaPem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateGetListUpdateDeleteRoundTrip()
    {
        var configMaps = cluster.Client.Resource<ConfigMap>();
        ConfigMap created = await configMaps.CreateAsync(NewConfigMap("crud", labels: new() { ["suite"] = "crud" }));
        Assert.Equal("ConfigMap", created.Kind);
        Assert.False(string.IsNullOrEmpty(created.Metadata!.Uid));

        ConfigMap got = await configMaps.GetAsync("crud", "default");
        Assert.Equal("1", got.Data!["a"]);

        ResourceList<ConfigMap> list = await configMaps.ListAsync("default", new ListOptions { LabelSelector = "suite=crud" });
        Assert.Equal("crud", Assert.Single(list.Items).Metadata!.Name);
        Assert.Equal("ConfigMap", list.Items[0].Kind);
        Assert.True(long.Parse(list.ResourceVersion, System.Globalization.CultureInfo.InvariantCulture) > 0);

        got.Data!["a"] = "2";
        ConfigMap updated = await configMaps.UpdateAsync(got);
        Assert.Equal("2", updated.Data!["a"]);
        Assert.NotEqual(got.Metadata!.ResourceVersion, updated.Metadata!.ResourceVersion);

        await configMaps.DeleteAsync("crud", "default");
        Assert.Null(await configMaps.TryGetAsync("crud", "default"));
    }

    [Fact]
    public async Task DecodedObjectsShareTheirRepeatedStrings()
    {
        var configMaps = cluster.Client.Resource<ConfigMap>();
        await configMaps.CreateAsync(NewConfigMap("pooled-1", labels: new() { ["tier"] = "backend" }));
        await configMaps.CreateAsync(NewConfigMap("pooled-2", labels: new() { ["tier"] = "backend" }));
        ConfigMap first = await configMaps.GetAsync("pooled-1", "default");
        ConfigMap second = await configMaps.GetAsync("pooled-2", "default");
        Assert.Same(first.Metadata!.Namespace, second.Metadata!.Namespace);
        Assert.Same(first.Metadata.Labels!.Keys.Single(), second.Metadata.Labels!.Keys.Single());
        Assert.Same(first.Metadata.Labels["tier"], second.Metadata.Labels["tier"]);
        Assert.Equal("backend", second.Metadata.Labels["tier"]);
        Assert.NotEqual(first.Metadata.Uid, second.Metadata.Uid);
    }

    [Fact]
    public async Task ErrorsCarryTheServerStatus()
    {
        var configMaps = cluster.Client.Resource<ConfigMap>();
        ApiException missing = await Assert.ThrowsAsync<ApiException>(() => configMaps.GetAsync("no-such", "default"));
        Assert.True(missing.IsNotFound);
        Assert.Equal("NotFound", missing.Reason);
        Assert.Equal(404, missing.Status!.Code);

        ConfigMap first = await configMaps.CreateAsync(NewConfigMap("errors"));
        ApiException exists = await Assert.ThrowsAsync<ApiException>(() => configMaps.CreateAsync(NewConfigMap("errors")));
        Assert.True(exists.IsAlreadyExists);
        Assert.Equal(HttpStatusCode.Conflict, exists.StatusCode);

        await configMaps.PatchAsync("errors", "default", PatchType.Merge, """{"data":{"a":"newer"}}""");
        first.Data!["a"] = "stale";
        ApiException conflict = await Assert.ThrowsAsync<ApiException>(() => configMaps.UpdateAsync(first));
        Assert.True(conflict.IsConflict);
        Assert.False(conflict.IsAlreadyExists);
    }

    [Fact]
    public async Task PatchesOfEveryType()
    {
        var configMaps = cluster.Client.Resource<ConfigMap>();
        await configMaps.CreateAsync(NewConfigMap("patches"));
        ConfigMap merged = await configMaps.PatchAsync("patches", "default", PatchType.Merge, """{"data":{"b":"2"}}""");
        Assert.Equal("2", merged.Data!["b"]);
        ConfigMap strategic = await configMaps.PatchAsync("patches", "default", PatchType.StrategicMerge, """{"data":{"c":"3"}}""");
        Assert.Equal(3, strategic.Data!.Count);
        ConfigMap json = await configMaps.PatchAsync("patches", "default", PatchType.Json, """[{"op":"remove","path":"/data/a"}]""");
        Assert.False(json.Data!.ContainsKey("a"));
        ConfigMap applied = await configMaps.PatchAsync("patches", "default", PatchType.Apply,
            """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"patches","namespace":"default"},"data":{"d":"4"}}""",
            fieldManager: "client-test", force: true);
        Assert.Equal("4", applied.Data!["d"]);
        Assert.Contains(applied.Metadata!.ManagedFields!, m => m.Manager == "client-test");
    }

    [Fact]
    public async Task UpdateStatusWritesOnlyStatus()
    {
        var pods = cluster.Client.Resource<Pod>();
        Pod pod = await pods.CreateAsync(new Pod
        {
            Metadata = new ObjectMeta { Name = "status", Namespace = "default" },
            Spec = new PodSpec { Containers = [new Container { Name = "c", Image = "busybox" }] },
        });
        pod.Status = new PodStatus { Phase = "Running" };
        Pod updated = await pods.UpdateStatusAsync(pod);
        Assert.Equal("Running", updated.Status!.Phase);
        Assert.Equal("Running", (await pods.GetAsync("status", "default")).Status!.Phase);
    }

    [Fact]
    public async Task DeleteCollectionWithPreconditionsAndSelector()
    {
        var configMaps = cluster.Client.Resource<ConfigMap>();
        ConfigMap kept = await configMaps.CreateAsync(NewConfigMap("precondition"));
        ApiException wrongUid = await Assert.ThrowsAsync<ApiException>(() => configMaps.DeleteAsync("precondition", "default",
            new DeleteOptions { Preconditions = new Korvet.Api.Meta.V1.Preconditions { Uid = "not-the-uid" } }));
        Assert.Equal(HttpStatusCode.Conflict, wrongUid.StatusCode);
        await configMaps.DeleteAsync("precondition", "default", new DeleteOptions { Preconditions = new Korvet.Api.Meta.V1.Preconditions { Uid = kept.Metadata!.Uid } });

        await configMaps.CreateAsync(NewConfigMap("bulk-1", labels: new() { ["bulk"] = "yes" }));
        await configMaps.CreateAsync(NewConfigMap("bulk-2", labels: new() { ["bulk"] = "yes" }));
        await configMaps.DeleteCollectionAsync("default", new ListOptions { LabelSelector = "bulk=yes" });
        Assert.Empty((await configMaps.ListAsync("default", new ListOptions { LabelSelector = "bulk=yes" })).Items);
    }

    [Fact]
    public async Task ClusterScopedKindsIgnoreTheNamespace()
    {
        var namespaces = cluster.Client.Resource<Namespace>();
        Namespace ns = await namespaces.GetAsync("kube-system");
        Assert.Equal("kube-system", ns.Metadata!.Name);
        Assert.Contains((await namespaces.ListAsync()).Items, n => n.Metadata!.Name == "default");
    }

    [Fact]
    public async Task PagingReturnsContinueTokens()
    {
        var configMaps = cluster.Client.Resource<ConfigMap>();
        for (int i = 0; i < 5; i++)
        {
            await configMaps.CreateAsync(NewConfigMap($"page-{i}", labels: new() { ["paging"] = "yes" }));
        }

        var names = new List<string>();
        string? cont = null;
        int pages = 0;
        do
        {
            ResourceList<ConfigMap> page = await configMaps.ListAsync("default", new ListOptions { LabelSelector = "paging=yes", Limit = 2, Continue = cont });
            names.AddRange(page.Items.Select(c => c.Metadata!.Name!));
            cont = page.Continue;
            pages++;
        }
        while (cont is not null);

        Assert.Equal(3, pages);
        Assert.Equal(["page-0", "page-1", "page-2", "page-3", "page-4"], names.Order());
    }

    [Fact]
    public async Task WatchSeesCreateUpdateDeleteAndBookmarks()
    {
        var configMaps = cluster.Client.Resource<ConfigMap>();
        ResourceList<ConfigMap> start = await configMaps.ListAsync("default", new ListOptions { Limit = 1 });
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var events = new List<WatchEvent<ConfigMap>>();
        Task watching = Task.Run(async () =>
        {
            await foreach (WatchEvent<ConfigMap> e in configMaps.WatchAsync("default",
                new ListOptions { ResourceVersion = start.ResourceVersion, FieldSelector = "metadata.name=watched", AllowWatchBookmarks = true }, cts.Token))
            {
                lock (events)
                {
                    events.Add(e);
                }

                if (e.Type == WatchEventType.Deleted)
                {
                    return;
                }
            }
        });

        await configMaps.CreateAsync(NewConfigMap("watched"));
        await configMaps.PatchAsync("watched", "default", PatchType.Merge, """{"data":{"a":"9"}}""");
        await configMaps.DeleteAsync("watched", "default");
        await watching;
        var types = events.Where(e => e.Type != WatchEventType.Bookmark).Select(e => e.Type).ToList();
        Assert.Equal([WatchEventType.Added, WatchEventType.Modified, WatchEventType.Deleted], types);
        Assert.Equal("9", events.First(e => e.Type == WatchEventType.Modified).Object.Data!["a"]);
    }
}
