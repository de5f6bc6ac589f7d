using System.Runtime.ExceptionServices;
using System.Threading.Channels;

namespace Korvet.Storage.Tests.Contract;

/// <summary>Pumps one watch into a buffer in the background so a test can await events one at a time.</summary>
public sealed class WatchProbe : IAsyncDisposable
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);
    private readonly CancellationTokenSource _cts = new();
    private readonly Channel<WatchEvent> _events = Channel.CreateUnbounded<WatchEvent>();
    private readonly Task _pump;

    private WatchProbe(IBackend backend, string prefix, long fromRevision)
    {
        _pump = PumpAsync(backend, prefix, fromRevision);
    }

    public static WatchProbe Start(IBackend backend, string prefix, long fromRevision) =>
        new(backend, prefix, fromRevision);

    /// <summary>The next event; rethrows the error that ended the stream; throws TimeoutException when none comes.</summary>
    public async Task<WatchEvent> NextAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        try
        {
            return await _events.Reader.ReadAsync(cts.Token);
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            throw new TimeoutException("no watch event arrived in time");
        }
        catch (ChannelClosedException e) when (e.InnerException is not null)
        {
            ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            throw;
        }
    }

    /// <summary>Reads <paramref name="count"/> events.</summary>
    public async Task<List<WatchEvent>> NextAsync(int count)
    {
        var events = new List<WatchEvent>(count);
        for (var i = 0; i < count; i++)
        {
            events.Add(await NextAsync());
        }

        return events;
    }

    /// <summary>Waits for the stream to end; returns the error that ended it, or null when it ended normally.</summary>
    public async Task<Exception?> EndAsync(TimeSpan? timeout = null)
    {
        await _pump.WaitAsync(timeout ?? DefaultTimeout);
        try
        {
            await _events.Reader.Completion;
            return null;
        }
        catch (Exception e)
        {
            return e;
        }
    }

    /// <summary>True when no event arrives within <paramref name="quiet"/>.</summary>
    public async Task<bool> IsQuietAsync(TimeSpan quiet)
    {
        try
        {
            await NextAsync(quiet);
            return false;
        }
        catch (TimeoutException)
        {
            return true;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _cts.CancelAsync();
        try
        {
            await _pump.WaitAsync(DefaultTimeout);
        }
        catch (TimeoutException)
        {
        }

        _cts.Dispose();
    }

    private async Task PumpAsync(IBackend backend, string prefix, long fromRevision)
    {
        await Task.Yield();
        try
        {
            await foreach (var change in backend.WatchAsync(prefix, fromRevision, _cts.Token))
            {
                _events.Writer.TryWrite(change);
            }

            _events.Writer.TryComplete();
        }
        catch (OperationCanceledException) when (_cts.IsCancellationRequested)
        {
            _events.Writer.TryComplete();
        }
        catch (Exception e)
        {
            _events.Writer.TryComplete(e);
        }
    }
}
