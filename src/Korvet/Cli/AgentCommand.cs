using System.CommandLine;
using Korvet.Agent.Simulation;
using Korvet.Client;
using Microsoft.Extensions.Logging;

namespace Korvet.Cli;

/// <summary>
/// <c>korvet agent</c>: joins a cluster as a client of its API server (<c>--server</c> + <c>--token-file</c> [+
/// <c>--ca-file</c>], or <c>--kubeconfig</c>). With <c>--simulate N</c> it runs N simulated nodes until SIGTERM/SIGINT.
/// </summary>
internal static class AgentCommand
{
    public static Command Build()
    {
        var server = new Option<string?>("--server", "-s") { Description = "API server URL, e.g. https://127.0.0.1:6443" };
        var tokenFile = new Option<string?>("--token-file") { Description = "File holding the bearer token" };
        var caFile = new Option<string?>("--ca-file") { Description = "PEM file of the cluster CA (default: system roots)" };
        var kubeconfig = new Option<string?>("--kubeconfig") { Description = "Kubeconfig to connect with (instead of --server/--token-file)" };
        var simulate = new Option<int>("--simulate") { Description = "Run this many simulated nodes (no containers)" };
        var prefix = new Option<string>("--node-name-prefix") { Description = "Name prefix of simulated nodes", DefaultValueFactory = _ => "korvet-sim" };
        var labels = new Option<string[]>("--node-label") { Description = "Extra node label key=value (repeatable)", AllowMultipleArgumentsPerToken = false };

        var command = new Command("agent", "Run a node agent (today: simulated nodes with --simulate N).");
        foreach (Option option in new Option[] { server, tokenFile, caFile, kubeconfig, simulate, prefix, labels })
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parseResult, cancellationToken) =>
        {
            TextWriter error = parseResult.InvocationConfiguration.Error;
            ClientOptions clientOptions;
            SimulationOptions simulation;
            try
            {
                clientOptions = Connect(parseResult.GetValue(server), parseResult.GetValue(tokenFile), parseResult.GetValue(caFile), parseResult.GetValue(kubeconfig));
                var nodeLabels = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (string label in parseResult.GetValue(labels) ?? [])
                {
                    int eq = label.IndexOf('=', StringComparison.Ordinal);
                    if (eq <= 0)
                    {
                        throw new ArgumentException($"--node-label {label}: expected key=value");
                    }

                    nodeLabels[label[..eq]] = label[(eq + 1)..];
                }

                if (parseResult.GetValue(simulate) <= 0)
                {
                    throw new ArgumentException("only simulated nodes are supported yet: pass --simulate N");
                }

                simulation = new SimulationOptions(parseResult.GetValue(simulate), parseResult.GetValue(prefix)!, Labels: nodeLabels);
                simulation.Validate();
            }
            catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException or UriFormatException)
            {
                await error.WriteLineAsync($"korvet agent: {e.Message}");
                return 2;
            }

            return await RunAsync(clientOptions, simulation, error, cancellationToken);
        });
        return command;
    }

    private static ClientOptions Connect(string? server, string? tokenFile, string? caFile, string? kubeconfig)
    {
        if (!string.IsNullOrEmpty(kubeconfig))
        {
            return ClientOptions.FromKubeconfigFile(kubeconfig) with { UserAgent = "korvet-agent" };
        }

        if (string.IsNullOrEmpty(server) || string.IsNullOrEmpty(tokenFile))
        {
            throw new ArgumentException("need --server and --token-file, or --kubeconfig");
        }

        string token = File.ReadAllText(tokenFile).Trim();
        string? ca = string.IsNullOrEmpty(caFile) ? null : File.ReadAllText(caFile);
        return new ClientOptions(new Uri(server), ca, token, UserAgent: "korvet-agent");
    }

    private static async Task<int> RunAsync(ClientOptions clientOptions, SimulationOptions simulation, TextWriter error, CancellationToken cancellationToken)
    {
        using var lifetime = new ProcessLifetime(cancellationToken);
        CancellationToken stop = lifetime.Stopping;
        using ILoggerFactory loggers = ProcessLifetime.CreateLoggers();
        using var client = new KubernetesClient(clientOptions, loggers);
        await using var simulator = new NodeSimulator(client, simulation, loggerFactory: loggers);
        try
        {
            await simulator.StartAsync(stop);
            await Task.Delay(Timeout.Infinite, stop);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // SIGTERM / SIGINT.
        }
        catch (Exception e) when (e is ApiException or HttpRequestException)
        {
            await error.WriteLineAsync($"korvet agent: {e.Message}");
            return 1;
        }

        return 0;
    }
}
