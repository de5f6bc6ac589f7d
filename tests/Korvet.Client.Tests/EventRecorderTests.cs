using Korvet.Api.Core.V1;
using Korvet.Api.Meta.V1;
using Korvet.Client.Events;

namespace Korvet.Client.Tests;

public sealed class EventRecorderTests(ClientCluster cluster) : IClassFixture<ClientCluster>
{
    [Fact]
    public async Task RecordsCoreEventsAndAggregatesRepeats()
    {
        ConfigMap subject = await cluster.Client.Resource<ConfigMap>().CreateAsync(
            new ConfigMap { Metadata = new ObjectMeta { Name = "evented", Namespace = "default" } });
        var recorder = new EventRecorder(cluster.Client, "test-controller", "host-1");

        Event first = (await recorder.RecordAsync(subject, EventRecorder.TypeNormal, "Synced", "all good"))!;
        Assert.Equal(1, first.Count);
        Assert.Equal("ConfigMap", first.InvolvedObject!.Kind);
        Assert.Equal(subject.Metadata!.Uid, first.InvolvedObject.Uid);
        Assert.Equal("test-controller", first.Source!.Component);
        Assert.Equal("test-controller", first.ReportingController);
        Assert.NotNull(first.FirstTimestamp);

        Event second = (await recorder.RecordAsync(subject, EventRecorder.TypeNormal, "Synced", "all good"))!;
        Assert.Equal(first.Metadata!.Name, second.Metadata!.Name);
        Assert.Equal(2, second.Count);

        Event other = (await recorder.RecordAsync(subject, EventRecorder.TypeWarning, "Failed", "boom"))!;
        Assert.NotEqual(first.Metadata.Name, other.Metadata!.Name);

        var events = await cluster.Client.Resource<Event>().ListAsync("default");
        var mine = events.Items.Where(e => e.InvolvedObject?.Uid == subject.Metadata.Uid).ToList();
        Assert.Equal(2, mine.Count);
        Assert.Equal(2, mine.Single(e => e.Reason == "Synced").Count);

        // kubectl describe finds events by involvedObject fields.
        var (exit, output, error) = await cluster.RunAsync("describe", "configmap", "evented", "-n", "default");
        Assert.True(exit == 0, error);
        Assert.Contains("Synced", output, StringComparison.Ordinal);
        Assert.Contains("boom", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConcurrentEventsAreAllWrittenAndRepeatsStillAggregate()
    {
        var recorder = new EventRecorder(cluster.Client, "busy-controller");
        // Events only reference their objects: 40 objects with one event each (the spam filter is per object) and
        // one object with 8 occurrences of the same event, all recorded at once.
        ConfigMap[] subjects = [.. Enumerable.Range(0, 41).Select(i => new ConfigMap
        {
            Metadata = new ObjectMeta { Name = $"busy-{i}", Namespace = "default", Uid = Guid.NewGuid().ToString() },
        })];
        Task<Event?>[] distinct = [.. subjects.Take(40).Select(s => recorder.RecordAsync(s, EventRecorder.TypeNormal, "Step", "one step"))];
        Task<Event?>[] repeats = [.. Enumerable.Range(0, 8).Select(_ => recorder.RecordAsync(subjects[40], EventRecorder.TypeWarning, "Again", "same"))];
        await Task.WhenAll(distinct.Concat(repeats));

        Assert.Equal(40, distinct.Select(t => t.Result!.Metadata!.Name).Distinct().Count());
        Assert.Single(repeats.Select(t => t.Result!.Metadata!.Name).Distinct());
        Assert.Equal(Enumerable.Range(1, 8), repeats.Select(t => t.Result!.Count ?? 0).Order());

        var uids = subjects.Select(s => s.Metadata!.Uid).ToHashSet();
        var events = await cluster.Client.Resource<Event>().ListAsync("default");
        var mine = events.Items.Where(e => uids.Contains(e.InvolvedObject?.Uid)).ToList();
        Assert.Equal(41, mine.Count);
        Assert.Equal(8, mine.Single(e => e.Reason == "Again").Count);
    }
}
