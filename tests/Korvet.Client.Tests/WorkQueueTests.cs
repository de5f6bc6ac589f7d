using Korvet.Client.Queue;

namespace Korvet.Client.Tests;

public sealed class WorkQueueTests
{
    [Fact]
    public async Task DuplicatesAreQueuedOnce()
    {
        using var queue = new WorkQueue<string>();
        queue.Add("a");
        queue.Add("b");
        queue.Add("a");
        Assert.Equal(2, queue.Count);
        Assert.Equal(("a", false), await queue.GetAsync(CancellationToken.None));
        Assert.Equal(("b", false), await queue.GetAsync(CancellationToken.None));
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public async Task AKeyBeingProcessedIsNotHandedOutAgainAndRunsAgainAfterDone()
    {
        using var queue = new WorkQueue<string>();
        queue.Add("k");
        (string key, _) = await queue.GetAsync(CancellationToken.None);
        queue.Add("k");
        queue.Add("k");
        Assert.Equal(0, queue.Count);
        using var shortWait = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => queue.GetAsync(shortWait.Token));

        queue.Done(key);
        Assert.Equal(1, queue.Count);
        Assert.Equal(("k", false), await queue.GetAsync(CancellationToken.None));
        queue.Done("k");
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public async Task ConcurrentWorkersNeverProcessTheSameKeyAtOnce()
    {
        using var queue = new WorkQueue<string>();
        var active = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        int violations = 0;
        int processed = 0;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        async Task WorkerAsync()
        {
            while (true)
            {
                (string key, bool shutdown) = await queue.GetAsync(cts.Token);
                if (shutdown)
                {
                    return;
                }

                if (active.AddOrUpdate(key, 1, (_, n) => n + 1) > 1)
                {
                    Interlocked.Increment(ref violations);
                }

                await Task.Delay(1);
                active.AddOrUpdate(key, 0, (_, n) => n - 1);
                Interlocked.Increment(ref processed);
                queue.Done(key);
            }
        }

        Task[] workers = [.. Enumerable.Range(0, 8).Select(_ => Task.Run(WorkerAsync))];
        for (int i = 0; i < 2000; i++)
        {
            queue.Add("key-" + (i % 5));
            if (i % 50 == 0)
            {
                await Task.Delay(1);
            }
        }

        await Wait.UntilAsync(() => queue.Count == 0 && active.Values.All(v => v == 0), "the queue to drain");
        queue.ShutDown();
        await Task.WhenAll(workers);
        Assert.Equal(0, violations);
        Assert.True(processed >= 5);
    }

    [Fact]
    public async Task ShutDownDrainsThenReportsShutdown()
    {
        using var queue = new WorkQueue<string>();
        Task<(string Item, bool Shutdown)> idle = queue.GetAsync(CancellationToken.None);
        queue.Add("x");
        Assert.Equal(("x", false), await idle);
        queue.Add("y");
        queue.ShutDown();
        queue.Add("z");
        Assert.Equal(("y", false), await queue.GetAsync(CancellationToken.None));
        Assert.True((await queue.GetAsync(CancellationToken.None)).Shutdown);
    }

    [Fact]
    public async Task AddAfterDelaysTheKey()
    {
        using var queue = new WorkQueue<string>();
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        queue.AddAfter("later", TimeSpan.FromMilliseconds(150));
        Assert.Equal(0, queue.Count);
        Assert.Equal(("later", false), await queue.GetAsync(CancellationToken.None));
        Assert.True(System.Diagnostics.Stopwatch.GetElapsedTime(start) >= TimeSpan.FromMilliseconds(140));
    }

    [Fact]
    public void RateLimiterBacksOffExponentiallyPerItemUntilForget()
    {
        var limiter = new RateLimiter<string>();
        Assert.Equal(TimeSpan.FromMilliseconds(5), limiter.When("a"));
        Assert.Equal(TimeSpan.FromMilliseconds(10), limiter.When("a"));
        Assert.Equal(TimeSpan.FromMilliseconds(20), limiter.When("a"));
        Assert.Equal(TimeSpan.FromMilliseconds(5), limiter.When("b"));
        Assert.Equal(3, limiter.NumRequeues("a"));
        limiter.Forget("a");
        Assert.Equal(0, limiter.NumRequeues("a"));
        Assert.Equal(TimeSpan.FromMilliseconds(5), limiter.When("a"));
        for (int i = 0; i < 40; i++)
        {
            limiter.When("c");
        }

        Assert.Equal(TimeSpan.FromSeconds(1000), limiter.When("c"));
    }

    [Fact]
    public void RateLimiterBucketAllowsBurstOf100Then10PerSecond()
    {
        var time = new FrozenTime();
        var limiter = new RateLimiter<int>(time);
        for (int i = 0; i < 100; i++)
        {
            Assert.Equal(TimeSpan.FromMilliseconds(5), limiter.When(i));
        }

        Assert.Equal(TimeSpan.FromMilliseconds(100), limiter.When(100));
        Assert.Equal(TimeSpan.FromMilliseconds(200), limiter.When(101));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(TimeSpan.FromMilliseconds(5), limiter.When(102)); // refilled 10 tokens, 8 owed
    }

    [Fact]
    public async Task AddRateLimitedRetriesLaterAndForgetResets()
    {
        using var queue = new WorkQueue<string>();
        queue.AddRateLimited("r");
        queue.AddRateLimited("r");
        Assert.Equal(("r", false), await queue.GetAsync(CancellationToken.None));
        Assert.Equal(2, queue.NumRequeues("r"));
        queue.Forget("r");
        queue.Done("r");
        Assert.Equal(0, queue.NumRequeues("r"));
    }

    /// <summary>A TimeProvider whose clock only moves when told (timestamps only; no timers needed here).</summary>
    private sealed class FrozenTime : TimeProvider
    {
        private long _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Interlocked.Read(ref _ticks);

        public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
    }
}
