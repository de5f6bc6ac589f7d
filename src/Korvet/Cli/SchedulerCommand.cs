using System.CommandLine;
using Korvet.Client;
using Korvet.Scheduler;
using Microsoft.Extensions.Logging;

namespace Korvet.Cli;

/// <summary><c>korvet scheduler --kubeconfig FILE</c>: runs <see cref="SchedulerHost"/> against any API server until
/// SIGTERM/SIGINT.</summary>
internal static class SchedulerCommand
{
    public static Command Build()
    {
        var kubeconfig = new Option<string>("--kubeconfig") { Description = "Kubeconfig of the API server to schedule for", Required = true };
        var name = new Option<string>("--scheduler-name") { Description = "Schedule pods with this spec.schedulerName", DefaultValueFactory = _ => "default-scheduler" };
        var percentage = new Option<int>("--percentage-of-nodes-to-score") { Description = "0 = adaptive (upstream default)", DefaultValueFactory = _ => 0 };
        var leaderElect = new Option<bool>("--leader-elect") { Description = "Schedule only while holding Lease kube-system/kube-scheduler", DefaultValueFactory = _ => true };
        var command = new Command("scheduler", "Run the Korvet scheduler against an API server.");
        command.Options.Add(kubeconfig);
        command.Options.Add(leaderElect);
        command.Options.Add(name);
        command.Options.Add(percentage);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            ClientOptions client;
            try
            {
                client = ClientOptions.FromKubeconfigFile(parseResult.GetValue(kubeconfig)!);
            }
            catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
            {
                await parseResult.InvocationConfiguration.Error.WriteLineAsync($"korvet scheduler: {e.Message}");
                return 1;
            }

            var options = new SchedulerOptions(parseResult.GetValue(name)!, parseResult.GetValue(percentage), LeaderElect: parseResult.GetValue(leaderElect));
            using var lifetime = new ProcessLifetime(cancellationToken);
            CancellationToken stop = lifetime.Stopping;
            using ILoggerFactory loggers = ProcessLifetime.CreateLoggers();
            await using SchedulerHost host = SchedulerHost.Start(client, options, loggers);
            try
            {
                await host.Completion.WaitAsync(stop);
                return 1;
            }
            catch (OperationCanceledException)
            {
                return 0;
            }
        });
        return command;
    }
}
