using System.Text.Json.Nodes;
using Korvet.ApiServer.Errors;
using Korvet.ApiServer.Registry;
using Korvet.ApiServer.Services;
using Korvet.ApiServer.Storage;
using Korvet.ApiServer.Tests.Support;

namespace Korvet.ApiServer.Tests.Unit;

public sealed class ServiceAllocationTests
{
    private static readonly Ipv4Range Range = new("10.43.0.0/16");

    private static async Task<StoreFixture> FixtureAsync() => await StoreFixture.CreateAsync(allocator: new ServiceAllocator("10.43.0.0/16"));

    private static ResourceDefinition Services(StoreFixture f) => f.Registry.Find("", "v1", "services")!;

    private static async Task<JsonObject> CreateAsync(StoreFixture f, string name, string spec, bool dryRun = false)
    {
        JsonObject obj = StoreFixture.Obj($$"""{"metadata":{"name":"{{name}}"},"spec":{{spec}}}""");
        WriteResult result = await f.Store.CreateAsync(Services(f), "default", obj, new WriteOptions(dryRun, "test"), CancellationToken.None);
        return StoreFixture.Parse(result.Body);
    }

    private static async Task<string> CreateErrorAsync(StoreFixture f, string name, string spec)
    {
        var e = await Assert.ThrowsAsync<StatusException>(() => CreateAsync(f, name, spec));
        Assert.Equal(422, e.Code);
        return e.Message;
    }

    private static string Ip(JsonObject svc) => (string)svc["spec"]!["clusterIP"]!;

    private static long NodePort(JsonObject svc, int i = 0) => (long)svc["spec"]!["ports"]![i]!["nodePort"]!;

    [Fact]
    public async Task AllocatesFromRangeNeverTheReservedFirstAddressAndKeepsClusterIpsInSync()
    {
        await using StoreFixture f = await FixtureAsync();
        JsonObject svc = await CreateAsync(f, "a", """{"ports":[{"port":80}]}""");
        string ip = Ip(svc);
        Assert.StartsWith("10.43.", ip, StringComparison.Ordinal);
        Assert.True(Range.Contains(ip));
        Assert.NotEqual("10.43.0.1", ip);
        Assert.Equal(new JsonArray(ip).ToJsonString(), svc["spec"]!["clusterIPs"]!.ToJsonString());
        Assert.Null(svc["spec"]!["ports"]![0]!["nodePort"]);
    }

    [Fact]
    public async Task RequestedIpIsHonouredCheckedForRangeAndConflicts()
    {
        await using StoreFixture f = await FixtureAsync();
        JsonObject kube = await CreateAsync(f, "kubernetes", """{"clusterIP":"10.43.0.1","ports":[{"port":443}]}""");
        Assert.Equal("10.43.0.1", Ip(kube));
        JsonObject svc = await CreateAsync(f, "a", """{"clusterIP":"10.43.7.7","ports":[{"port":80}]}""");
        Assert.Equal("10.43.7.7", Ip(svc));
        Assert.Equal("""["10.43.7.7"]""", svc["spec"]!["clusterIPs"]!.ToJsonString());
        Assert.Equal("Service \"b\" is invalid: spec.clusterIP: Invalid value: \"10.43.7.7\": provided IP is already allocated",
            await CreateErrorAsync(f, "b", """{"clusterIP":"10.43.7.7","ports":[{"port":80}]}"""));
        Assert.Equal("Service \"c\" is invalid: spec.clusterIP: Invalid value: \"10.44.0.5\": provided IP is not in the valid range. The range of valid IPs is 10.43.0.0/16",
            await CreateErrorAsync(f, "c", """{"clusterIP":"10.44.0.5","ports":[{"port":80}]}"""));
        Assert.Contains("not in the valid range", await CreateErrorAsync(f, "d", """{"clusterIP":"10.43.255.255","ports":[{"port":80}]}"""), StringComparison.Ordinal);
    }

    [Fact]
    public async Task HeadlessAndExternalNameGetNoAllocation()
    {
        await using StoreFixture f = await FixtureAsync();
        JsonObject headless = await CreateAsync(f, "h", """{"clusterIP":"None","selector":{"app":"x"},"ports":[{"port":80}]}""");
        Assert.Equal("None", Ip(headless));
        Assert.Equal("""["None"]""", headless["spec"]!["clusterIPs"]!.ToJsonString());
        JsonObject external = await CreateAsync(f, "e", """{"type":"ExternalName","externalName":"example.com"}""");
        Assert.Null(external["spec"]!["clusterIP"]);
    }

    [Fact]
    public async Task DeleteReleasesIpAndNodePort()
    {
        await using StoreFixture f = await FixtureAsync();
        await CreateAsync(f, "a", """{"type":"NodePort","clusterIP":"10.43.1.2","ports":[{"port":80,"nodePort":30080}]}""");
        await Assert.ThrowsAsync<StatusException>(() => CreateAsync(f, "b", """{"clusterIP":"10.43.1.2","ports":[{"port":80}]}"""));
        await f.Store.DeleteAsync(Services(f), "default", "a", new DeleteRequest(), CancellationToken.None);
        JsonObject again = await CreateAsync(f, "b", """{"type":"NodePort","clusterIP":"10.43.1.2","ports":[{"port":80,"nodePort":30080}]}""");
        Assert.Equal("10.43.1.2", Ip(again));
        Assert.Equal(30080, NodePort(again));
    }

    [Fact]
    public async Task DryRunAllocatesNothingLasting()
    {
        await using StoreFixture f = await FixtureAsync();
        JsonObject dry = await CreateAsync(f, "a", """{"type":"NodePort","clusterIP":"10.43.1.3","ports":[{"port":80,"nodePort":30081}]}""", dryRun: true);
        Assert.Equal("10.43.1.3", Ip(dry));
        JsonObject real = await CreateAsync(f, "b", """{"type":"NodePort","clusterIP":"10.43.1.3","ports":[{"port":80,"nodePort":30081}]}""");
        Assert.Equal(30081, NodePort(real));
    }

    [Fact]
    public async Task NodePortsAllocatedInRangeDistinctAndRequestedOnesChecked()
    {
        await using StoreFixture f = await FixtureAsync();
        JsonObject svc = await CreateAsync(f, "a", """{"type":"NodePort","ports":[{"name":"a","port":80},{"name":"b","port":81,"nodePort":30080}]}""");
        long picked = NodePort(svc);
        Assert.InRange(picked, 30000, 32767);
        Assert.NotEqual(30080, picked);
        Assert.Equal(30080, NodePort(svc, 1));
        Assert.Equal("Service \"b\" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated",
            await CreateErrorAsync(f, "b", """{"type":"NodePort","ports":[{"port":80,"nodePort":30080}]}"""));
        Assert.Equal("Service \"c\" is invalid: spec.ports[0].nodePort: Invalid value: 80: provided port is not in the valid range. The range of valid ports is 30000-32767",
            await CreateErrorAsync(f, "c", """{"type":"NodePort","ports":[{"port":80,"nodePort":80}]}"""));
        JsonObject lb = await CreateAsync(f, "lb", """{"type":"LoadBalancer","ports":[{"port":80}]}""");
        Assert.InRange(NodePort(lb), 30000, 32767);
        JsonObject noPorts = await CreateAsync(f, "lb2", """{"type":"LoadBalancer","allocateLoadBalancerNodePorts":false,"ports":[{"port":80}]}""");
        Assert.Null(noPorts["spec"]!["ports"]![0]!["nodePort"]);
    }

    [Fact]
    public async Task UpdateKeepsOwnValuesAndAllocatesWhenTypeBecomesNodePort()
    {
        await using StoreFixture f = await FixtureAsync();
        JsonObject svc = await CreateAsync(f, "a", """{"ports":[{"port":80}]}""");
        string ip = Ip(svc);
        svc["spec"]!["type"] = "NodePort";
        ((JsonObject)svc["metadata"]!).Remove("resourceVersion");
        WriteResult updated = await f.Store.UpdateAsync(Services(f), "default", "a", "", svc, new WriteOptions(false, "test"), CancellationToken.None);
        JsonObject after = StoreFixture.Parse(updated.Body);
        Assert.Equal(ip, Ip(after));
        Assert.InRange(NodePort(after), 30000, 32767);
    }

    [Fact]
    public async Task ParallelCreatesGetDistinctIps()
    {
        await using StoreFixture f = await FixtureAsync();
        JsonObject[] created = await Task.WhenAll(Enumerable.Range(0, 50).Select(i =>
            Task.Run(() => CreateAsync(f, $"s{i}", """{"type":"NodePort","ports":[{"port":80}]}"""))));
        Assert.Equal(50, created.Select(Ip).Distinct().Count());
        Assert.Equal(50, created.Select(s => NodePort(s)).Distinct().Count());
    }

    [Fact]
    public async Task AllocationSurvivesANewAllocatorOverTheSameStore()
    {
        await using StoreFixture f = await FixtureAsync();
        await CreateAsync(f, "a", """{"clusterIP":"10.43.2.2","ports":[{"port":80}]}""");
        var restarted = new ServiceAllocator("10.43.0.0/16");
        var obj = StoreFixture.Obj("""{"metadata":{"name":"b"},"spec":{"type":"ClusterIP","clusterIP":"10.43.2.2","ports":[{"port":80}]}}""");
        var e = await Assert.ThrowsAsync<StatusException>(() => restarted.AllocateAsync(f.Backend, Services(f), "/registry/core/services/default/b", obj, null, CancellationToken.None));
        Assert.Contains("provided IP is already allocated", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RangeRejectsNetworkBroadcastAndForeignAddresses()
    {
        Assert.Equal("10.43.0.1", Range.First);
        Assert.False(Range.Contains("10.43.0.0"));
        Assert.False(Range.Contains("10.43.255.255"));
        Assert.True(Range.Contains("10.43.255.254"));
        Assert.False(Range.Contains("10.42.0.1"));
        Assert.False(Range.Contains("fd00::1"));
        var small = new Ipv4Range("192.168.0.0/29");
        var used = new HashSet<string>();
        for (int i = 0; i < 5; i++)
        {
            string ip = small.PickFree(used)!;
            Assert.True(small.Contains(ip));
            Assert.NotEqual("192.168.0.1", ip);
            Assert.True(used.Add(ip));
        }

        Assert.Null(small.PickFree(used));
    }

    [Fact]
    public async Task ConfiguredRangesAreUsedAndEnforced()
    {
        await using StoreFixture f = await StoreFixture.CreateAsync(allocator: new ServiceAllocator("10.96.0.0/24", PortRange.Parse("31000-31001")));
        JsonObject a = await CreateAsync(f, "a", """{"type":"NodePort","ports":[{"port":80}]}""");
        JsonObject b = await CreateAsync(f, "b", """{"type":"NodePort","ports":[{"port":80}]}""");
        Assert.StartsWith("10.96.0.", Ip(a), StringComparison.Ordinal);
        Assert.Equal([31000L, 31001L], new[] { NodePort(a), NodePort(b) }.Order());
        Assert.Equal("Service \"c\" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is not in the valid range. The range of valid ports is 31000-31001",
            await CreateErrorAsync(f, "c", """{"type":"NodePort","ports":[{"port":80,"nodePort":30080}]}"""));
        await Assert.ThrowsAsync<StatusException>(() => CreateAsync(f, "d", """{"type":"NodePort","ports":[{"port":80}]}"""));
        Assert.Equal(new PortRange(30000, 30100), PortRange.Parse("30000+100"));
        Assert.Throws<ArgumentException>(() => PortRange.Parse("32767-30000"));
        Assert.Throws<ArgumentException>(() => PortRange.Parse("abc"));
    }
}
