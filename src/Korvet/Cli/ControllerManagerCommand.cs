using System.CommandLine;
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
        using var lifetime = new ProcessLifetime(cancellationToken);
        CancellationToken stop = lifetime.Stopping;
        using ILoggerFactory loggers = ProcessLifetime.CreateLoggers();
        await using ControllerManagerHost host = ControllerManagerHost.Start(options, loggers);
        await Task.WhenAny(host.Completion, Task.Delay(Timeout.Infinite, stop)); // until a signal (or a crash)
        return host.Completion.IsFaulted ? 1 : 0;
    }
}
