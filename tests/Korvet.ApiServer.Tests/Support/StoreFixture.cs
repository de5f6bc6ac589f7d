using System.Text;
using System.Text.Json.Nodes;
using Korvet.ApiServer.Patching;
using Korvet.ApiServer.Registry;
using Korvet.ApiServer.Storage;
using Korvet.ApiServer.Watch;
using Korvet.Storage.Memory;

namespace Korvet.ApiServer.Tests.Support;

/// <summary>A GenericStore over a fresh MemoryBackend with the "default" namespace.</summary>
internal sealed class StoreFixture : IAsyncDisposable
{
    public static readonly WriteOptions Write = new(false, "test-manager");

    private StoreFixture(MemoryBackend backend, WatchCacheSet caches, GenericStore store, ResourceRegistry registry)
    {
        Backend = backend;
        Caches = caches;
        Store = store;
        Registry = registry;
    }

    public MemoryBackend Backend { get; }

    public WatchCacheSet Caches { get; }

    public GenericStore Store { get; }

    public ResourceRegistry Registry { get; }

    public ResourceDefinition ConfigMaps => Registry.Find("", "v1", "configmaps")!;

    public ResourceDefinition Deployments => Registry.Find("apps", "v1", "deployments")!;

    public ResourceDefinition Namespaces => Registry.Find("", "v1", "namespaces")!;

    public static async Task<StoreFixture> CreateAsync(WatchCacheOptions? cacheOptions = null, IWriteAllocator? allocator = null)
    {
        var backend = new MemoryBackend();
        var registry = ResourceRegistry.CreateBuiltin();
        var caches = new WatchCacheSet(backend, cacheOptions ?? WatchCacheOptions.Default);
        var store = new GenericStore(backend, caches, StrategyTable.Create(registry), new PatchApplier(Korvet.Api.Generated.ApiSchemas.Kubernetes), registry, TimeProvider.System, allocator);
        var fixture = new StoreFixture(backend, caches, store, registry);
        await store.CreateAsync(fixture.Namespaces, "", Obj("""{"metadata":{"name":"default"}}"""), Write, CancellationToken.None);
        return fixture;
    }

    public static JsonObject Obj(string json) => (JsonObject)JsonNode.Parse(json)!;

    public static JsonObject Parse(byte[] body) => (JsonObject)JsonNode.Parse(body)!;

    public static string Text(byte[] body) => Encoding.UTF8.GetString(body);

    public async ValueTask DisposeAsync()
    {
        await Caches.DisposeAsync();
        await Backend.DisposeAsync();
    }
}
