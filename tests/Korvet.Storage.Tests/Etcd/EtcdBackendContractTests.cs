using Korvet.Storage.Etcd;
using Korvet.Storage.Tests.Contract;

namespace Korvet.Storage.Tests.Etcd;

/// <summary>
/// The shared contract suite against a real etcd member (shared by the collection; every test uses its own key
/// prefix). Without the etcd binary these tests fail at setup with <see cref="EtcdMember.SkipReason"/>: the shared
/// suite uses plain facts, which xunit 2 cannot skip at run time.
/// </summary>
[Collection(EtcdCollection.Name)]
public sealed class EtcdBackendContractTests(EtcdSingleMemberFixture fixture) : BackendContractTests
{
    protected override Task<IBackend> CreateBackendAsync() =>
        Task.FromResult<IBackend>(new EtcdBackend(new EtcdBackendOptions(fixture.Cluster.ClientUrls)));
}
