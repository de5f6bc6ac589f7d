using System.CommandLine;
using System.Runtime.InteropServices;
using Korvet.Client;
using Korvet.Controllers;
using Microsoft.Extensions.Logging;

namespace Korvet.Cli;

/// <summary><c>korvet controller-manager</c>: the controllers as a separate process, a client of the API server
/// through a kubeconfig (like kube-controller-manager), until SIGTERM/SIGINT.</summary>
internal static class ControllerManagerCommand
{
    public static Command Build()
    {
        var kubeconfig = new Option<string>("--kubeconfig") { Description = "Kubeconfig of the API server to manage", Required = true };
        var leaderElect = new Option<bool>("--leader-elect")
        {
            Description = "Run only while holding Lease kube-system/kube-controller-manager",
            DefaultValueFactory = _ => true,
        };
        var command = new Command("controller-manager", "Run the Korvet controllers against an API server.");
        command.Options.Add(kubeconfig);
        command.Options.Add(leaderElect);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            ClientOptions client;
            try
            {
                client = ClientOptions.FromKubeconfigFile(parseResult.GetValue(kubeconfig)!);
            }
            catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException or FormatException)
            {
                await parseResult.InvocationConfiguration.Error.WriteLineAsync($"korvet controller-manager: {e.Message}");
                return 1;
            }

            return await RunAsync(new ControllerManagerHostOptions(client, parseResult.GetValue(leaderElect)), cancellationToken);
        });
        return command;
    }

    private static async Task<int> RunAsync(ControllerManagerHostOptions options, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }

        using PosixSignalRegistration term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        using PosixSignalRegistration interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using ILoggerFactory loggers = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Information));
        await using ControllerManagerHost host = ControllerManagerHost.Start(options, loggers);
        await Task.WhenAny(host.Completion, Task.Delay(Timeout.Infinite, stop.Token)); // until a signal (or a crash)
        return host.Completion.IsFaulted ? 1 : 0;
    }
}
