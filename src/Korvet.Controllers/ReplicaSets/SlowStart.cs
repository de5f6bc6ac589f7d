namespace Korvet.Controllers.ReplicaSets;

/// <summary>
/// Upstream's slowStartBatch: run <c>count</c> calls in batches of 1, 2, 4, ... (each batch fully in parallel); stop
/// after the first batch with a failure, so a systematic error (quota, forbidden) costs few calls instead of many.
/// </summary>
public static class SlowStart
{
    public const int InitialBatchSize = 1;

    /// <summary>Returns how many calls succeeded and the first failure (null when all succeeded).</summary>
    public static async Task<(int Successes, Exception? Error)> RunAsync(int count, int initialBatchSize, Func<Task> call)
    {
        int successes = 0;
        int remaining = count;
        for (int batch = Math.Min(remaining, initialBatchSize); batch > 0; batch = Math.Min(2 * batch, remaining))
        {
            Task[] tasks = new Task[batch];
            for (int i = 0; i < batch; i++)
            {
                tasks[i] = Task.Run(call);
            }

            try
            {
                await Task.WhenAll(tasks);
            }
            catch (Exception)
            {
                // Inspected per task below.
            }

            Exception? first = tasks.FirstOrDefault(t => t.IsFaulted)?.Exception?.InnerException
                ?? (tasks.Any(t => t.IsCanceled) ? new OperationCanceledException() : null);
            successes += tasks.Count(t => t.IsCompletedSuccessfully);
            if (first is not null)
            {
                return (successes, first);
            }

            remaining -= batch;
        }

        return (successes, null);
    }
}
