using Microsoft.Extensions.Logging;

namespace Korvet.Client.Queue;

/// <summary>The standard controller worker loop over a <see cref="WorkQueue{T}"/> (DESIGN.md §4.1).</summary>
public static class QueueWorkers
{
    /// <summary>
    /// Runs <paramref name="workers"/> loops: take a key, <paramref name="syncAsync"/> it; success → Forget, exception →
    /// AddRateLimited (logged); always Done. Returns when <paramref name="ct"/> fires (the queue is shut down then) and
    /// every worker finished its current key.
    /// </summary>
    public static async Task RunAsync<T>(WorkQueue<T> queue, int workers, Func<T, CancellationToken, Task> syncAsync, ILogger logger,
        CancellationToken ct)
        where T : notnull
    {
        using CancellationTokenRegistration stop = ct.Register(queue.ShutDown);
        await Task.WhenAll(Enumerable.Range(0, Math.Max(1, workers)).Select(_ => Task.Run(() => WorkerAsync(queue, syncAsync, logger, ct), CancellationToken.None)))
            .ConfigureAwait(false);
    }

    private static async Task WorkerAsync<T>(WorkQueue<T> queue, Func<T, CancellationToken, Task> syncAsync, ILogger logger, CancellationToken ct)
        where T : notnull
    {
        while (true)
        {
            (T key, bool shutdown) = await queue.GetAsync(CancellationToken.None).ConfigureAwait(false);
            if (shutdown)
            {
                return;
            }

            try
            {
                await syncAsync(key, ct).ConfigureAwait(false);
                queue.Forget(key);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                // stopping
            }
            catch (Exception e)
            {
                if (logger.IsEnabled(LogLevel.Warning))
                {
                    logger.LogWarning(e, "sync of {Key} failed (retry {Retry})", key, queue.NumRequeues(key) + 1);
                }

                queue.AddRateLimited(key);
            }
            finally
            {
                queue.Done(key);
            }
        }
    }
}
