using Korvet.Controllers.ReplicaSets;

namespace Korvet.Controllers.Tests.ReplicaSets;

public sealed class SlowStartTests
{
    [Theory]
    [InlineData(0, new int[0])]
    [InlineData(1, new[] { 1 })]
    [InlineData(10, new[] { 1, 2, 4, 3 })]
    [InlineData(500, new[] { 1, 2, 4, 8, 16, 32, 64, 128, 245 })]
    public async Task Batches_double_and_each_batch_runs_in_parallel(int count, int[] expectedBatches)
    {
        // Each call notes how many calls had completed when it started: every call of batch k sees the sum of the
        // earlier batches (a call takes 100 ms, far longer than starting a batch).
        var seen = new List<int>();
        int completed = 0;
        var gate = new object();
        (int successes, Exception? error) = await SlowStart.RunAsync(count, 1, async () =>
        {
            lock (gate)
            {
                seen.Add(Volatile.Read(ref completed));
            }

            await Task.Delay(100);
            Interlocked.Increment(ref completed);
        });
        Assert.Null(error);
        Assert.Equal(count, successes);
        Assert.Equal(expectedBatches, seen.GroupBy(c => c).OrderBy(g => g.Key).Select(g => g.Count()));
    }

    [Fact]
    public async Task Stops_after_the_first_batch_with_a_failure()
    {
        int calls = 0;
        (int successes, Exception? error) = await SlowStart.RunAsync(100, 1, () =>
        {
            int n = Interlocked.Increment(ref calls);
            return n == 5 ? Task.FromException(new InvalidOperationException("quota")) : Task.CompletedTask;
        });
        Assert.IsType<InvalidOperationException>(error);
        Assert.Equal(7, calls);
        Assert.Equal(6, successes);
    }

    [Fact]
    public async Task A_batch_runs_concurrently()
    {
        int inFlight = 0;
        int peak = 0;
        await SlowStart.RunAsync(15, 1, async () =>
        {
            int now = Interlocked.Increment(ref inFlight);
            InterlockedMax(ref peak, now);
            await Task.Delay(50);
            Interlocked.Decrement(ref inFlight);
        });
        Assert.True(peak >= 4, $"peak concurrency {peak}");
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
