using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;

namespace Korvet.Cli;

/// <summary>
/// What every long-running command (server, agent, scheduler, controller-manager) shares: a token that fires on
/// SIGTERM or SIGINT (or when the caller's token does), with the default termination suppressed so the command can
/// stop cleanly, and the single-line console logging the commands print.
/// </summary>
internal sealed class ProcessLifetime : IDisposable
{
    private readonly CancellationTokenSource _stop;
    private readonly PosixSignalRegistration _term;
    private readonly PosixSignalRegistration _interrupt;

    public ProcessLifetime(CancellationToken cancellationToken)
    {
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        _interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
    }

    /// <summary>Fires on SIGTERM/SIGINT or when the token given at construction fires.</summary>
    public CancellationToken Stopping => _stop.Token;

    /// <summary>Single-line console logging at Information; <paramref name="configure"/> adds filters.</summary>
    public static ILoggerFactory CreateLoggers(Action<ILoggingBuilder>? configure = null) => LoggerFactory.Create(b =>
    {
        b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Information);
        configure?.Invoke(b);
    });

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true;
        _stop.Cancel();
    }

    public void Dispose()
    {
        _term.Dispose();
        _interrupt.Dispose();
        _stop.Dispose();
    }
}
