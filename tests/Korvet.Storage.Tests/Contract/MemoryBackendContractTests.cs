using Korvet.Storage.Memory;

namespace Korvet.Storage.Tests.Contract;

public sealed class MemoryBackendContractTests : BackendContractTests
{
    protected override Task<IBackend> CreateBackendAsync() =>
        Task.FromResult<IBackend>(new MemoryBackend(new MemoryBackendOptions(TtlSweepInterval: TimeSpan.FromMilliseconds(100))));
}
