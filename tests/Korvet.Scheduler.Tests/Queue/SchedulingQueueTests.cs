using Korvet.Api.Core.V1;
using Korvet.Scheduler.Queue;

namespace Korvet.Scheduler.Tests.Queue;

public sealed class SchedulingQueueTests
{
    private sealed class ManualTime : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }

    private static async Task<QueuedPodInfo> PopAsync(SchedulingQueue queue)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        return (await queue.PopAsync(cts.Token))!;
    }

    private static async Task AssertEmptyAsync(SchedulingQueue queue)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => queue.PopAsync(cts.Token));
    }

    [Fact]
    public async Task ActiveQueueOrdersByPriorityThenAge()
    {
        var time = new ManualTime();
        var queue = new SchedulingQueue(time);
        queue.Add(Build.Pod("old-low", priority: 0));
        time.Advance(TimeSpan.FromSeconds(1));
        queue.Add(Build.Pod("high", priority: 100));
        queue.Add(Build.Pod("new-low", priority: 0));
        Assert.Equal("high", (await PopAsync(queue)).Info.Name);
        Assert.Equal("old-low", (await PopAsync(queue)).Info.Name);
        Assert.Equal("new-low", (await PopAsync(queue)).Info.Name);
        await AssertEmptyAsync(queue);
    }

    [Fact]
    public void BackoffDoublesFromOneToTenSeconds()
    {
        var queue = new SchedulingQueue(new ManualTime());
        Assert.Equal("1,2,4,8,10,10", string.Join(",", Enumerable.Range(1, 6).Select(a => (int)queue.BackoffDuration(a).TotalSeconds)));
    }

    [Fact]
    public async Task UnschedulablePodsWaitForAnEventThenTheirBackoff()
    {
        var time = new ManualTime();
        var queue = new SchedulingQueue(time);
        queue.Add(Build.Pod("p"));
        QueuedPodInfo popped = await PopAsync(queue);
        long cycle = queue.SchedulingCycle;
        queue.AddUnschedulable(popped, cycle);
        Assert.Equal((0, 0, 1, 0), queue.Counts);

        // An event during the 1 s backoff parks the pod in backoffQ until the backoff ends.
        queue.MoveAllToActiveOrBackoff();
        Assert.Equal((0, 1, 0, 0), queue.Counts);
        queue.FlushBackoffCompleted();
        await AssertEmptyAsync(queue);
        time.Advance(TimeSpan.FromSeconds(1));
        queue.FlushBackoffCompleted();
        QueuedPodInfo again = await PopAsync(queue);
        Assert.Equal(2, again.Attempts);
    }

    [Fact]
    public async Task AnEventDuringTheCycleSendsTheRejectionToBackoff()
    {
        var time = new ManualTime();
        var queue = new SchedulingQueue(time);
        queue.Add(Build.Pod("p"));
        QueuedPodInfo popped = await PopAsync(queue);
        long cycle = queue.SchedulingCycle;
        queue.MoveAllToActiveOrBackoff();
        queue.AddUnschedulable(popped, cycle);
        Assert.Equal((0, 1, 0, 0), queue.Counts);
    }

    [Fact]
    public async Task LeftoversAreRetriedAfterFiveMinutesWithoutEvents()
    {
        var time = new ManualTime();
        var queue = new SchedulingQueue(time);
        queue.Add(Build.Pod("p"));
        queue.AddUnschedulable(await PopAsync(queue), queue.SchedulingCycle);
        time.Advance(TimeSpan.FromMinutes(4));
        queue.FlushUnschedulableLeftover();
        Assert.Equal((0, 0, 1, 0), queue.Counts);
        time.Advance(TimeSpan.FromMinutes(1));
        queue.FlushUnschedulableLeftover();
        Assert.Equal("p", (await PopAsync(queue)).Info.Name);
    }

    [Fact]
    public async Task DeletesAndUpdatesReachEveryPlace()
    {
        var time = new ManualTime();
        var queue = new SchedulingQueue(time);
        queue.Add(Build.Pod("a"));
        queue.Delete(Build.Pod("a"));
        await AssertEmptyAsync(queue);

        // Deleted while in flight: the rejection is dropped.
        queue.Add(Build.Pod("b"));
        QueuedPodInfo b = await PopAsync(queue);
        queue.Delete(Build.Pod("b"));
        queue.AddUnschedulable(b, queue.SchedulingCycle);
        Assert.Equal((0, 0, 0, 0), queue.Counts);

        // An update of an unschedulable pod moves it (past its backoff) to activeQ with the new spec.
        queue.Add(Build.Pod("c"));
        queue.AddUnschedulable(await PopAsync(queue), queue.SchedulingCycle);
        time.Advance(TimeSpan.FromSeconds(2));
        Pod changed = Build.Pod("c", "1");
        queue.Update(changed);
        QueuedPodInfo c = await PopAsync(queue);
        Assert.Equal(1000, c.Info.Requests.MilliCpu);
        queue.Done(c.Info.Key);
        Assert.Equal((0, 0, 0, 0), queue.Counts);
    }

    [Fact]
    public async Task CloseWakesWaiters()
    {
        var queue = new SchedulingQueue(new ManualTime());
        Task<QueuedPodInfo?> waiting = queue.PopAsync(CancellationToken.None);
        queue.Close();
        Assert.Null(await waiting.WaitAsync(TimeSpan.FromSeconds(5)));
    }
}
