using System.Runtime.ExceptionServices;

namespace Korvet.Scheduler.Framework;

/// <summary>
/// Runs a body over chunks [0, chunkCount) on the calling thread plus up to <c>parallelism − 1</c> thread-pool
/// workers (upstream's parallelizer with 16 goroutines). Chunks are handed out in increasing order, one at a time;
/// once <c>shouldStop</c> is true no new chunk starts, and every chunk handed out runs to completion — so the chunks
/// that ran always form a prefix [0, k), which lets callers merge results exactly as a sequential loop would.
/// The caller never waits for a worker that had not started (a busy pool only means the caller does more chunks);
/// it waits only for workers still inside a chunk. Returns k, the number of chunks that ran.
/// </summary>
public static class ChunkedParallel
{
    public static int Run(int chunkCount, int parallelism, Action<int> body, Func<bool> shouldStop)
    {
        var job = new Job(chunkCount, body, shouldStop);
        int workers = Math.Min(parallelism, chunkCount) - 1;
        for (int i = 0; i < workers; i++)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static j => j.Work(fromPool: true), job, preferLocal: false);
        }

        job.Work(fromPool: false);
        return job.Finish();
    }

    private sealed class Job(int chunkCount, Action<int> body, Func<bool> shouldStop)
    {
        private int _next = -1;
        private int _active;
        private int _closed;
        private Exception? _error;

        public void Work(bool fromPool)
        {
            if (fromPool)
            {
                Interlocked.Increment(ref _active);
                if (Volatile.Read(ref _closed) != 0)
                {
                    Interlocked.Decrement(ref _active);
                    return;
                }
            }

            try
            {
                while (Volatile.Read(ref _error) is null && !shouldStop())
                {
                    int chunk = Interlocked.Increment(ref _next);
                    if (chunk >= chunkCount)
                    {
                        break;
                    }

                    body(chunk);
                }
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref _error, e, null);
            }
            finally
            {
                if (fromPool)
                {
                    Interlocked.Decrement(ref _active);
                }
            }
        }

        /// <summary>Closes the job to late workers, waits for the running ones, and returns the chunks that ran.</summary>
        public int Finish()
        {
            Interlocked.Exchange(ref _closed, 1);
            var spin = default(SpinWait);
            while (Volatile.Read(ref _active) != 0)
            {
                spin.SpinOnce();
            }

            if (_error is not null)
            {
                ExceptionDispatchInfo.Throw(_error);
            }

            return Math.Min(Volatile.Read(ref _next) + 1, chunkCount);
        }
    }
}
