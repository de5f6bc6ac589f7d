using System.CommandLine;
using System.Net;
using Korvet.Server;
using Microsoft.Extensions.Logging;

namespace Korvet.Cli;

/// <summary><c>korvet server</c>: parses the k3s-style flags and runs <see cref="ServerHost"/> until SIGTERM/SIGINT.</summary>
internal static class ServerCommand
{
    public const string DefaultDataDir = "/var/lib/korvet/server";

    public static Command Build()
    {
        var dataDir = new Option<string>("--data-dir", "-d") { Description = "Folder to hold state", DefaultValueFactory = _ => DefaultDataDir };
        var bindAddress = new Option<string>("--bind-address") { Description = "The IP address the API server listens on", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int>("--https-listen-port") { Description = "HTTPS listen port", DefaultValueFactory = _ => 6443 };
        var datastore = new Option<string?>("--datastore-endpoint") { Description = "etcd endpoints: etcd://host:port[,...] (default: embedded store)" };
        var tokenFile = new Option<string?>("--token-file") { Description = "Static bearer token file (token,user,uid,\"groups\")" };
        var writeKubeconfig = new Option<string?>("--write-kubeconfig", "-o") { Description = "Also write the admin kubeconfig to this file" };
        var disableAgent = new Option<bool>("--disable-agent") { Description = "Do not run the in-process node agent" };
        var disableScheduler = new Option<bool>("--disable-scheduler") { Description = "Do not run the in-process scheduler" };
        var disableControllers = new Option<bool>("--disable-controller-manager") { Description = "Do not run the in-process controller manager" };
        var simulateNodes = new Option<int>("--simulate-nodes") { Description = "Run this many simulated nodes in-process" };
        var serviceCidr = new Option<string>("--service-cidr") { Description = "IPv4 network CIDR for Service cluster IPs", DefaultValueFactory = _ => "10.43.0.0/16" };
        var nodePortRange = new Option<string>("--service-node-port-range") { Description = "Port range reserved for NodePort Services", DefaultValueFactory = _ => "30000-32767" };

        var command = new Command("server", "Run the Korvet control plane (API server).");
        foreach (Option option in new Option[]
        {
            dataDir, bindAddress, port, datastore, tokenFile, writeKubeconfig, disableAgent, disableScheduler, disableControllers, simulateNodes,
            serviceCidr, nodePortRange,
        })
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parseResult, cancellationToken) =>
        {
            if (!IPAddress.TryParse(parseResult.GetValue(bindAddress), out IPAddress? address))
            {
                await parseResult.InvocationConfiguration.Error.WriteLineAsync("--bind-address must be an IP address");
                return 2;
            }

            try
            {
                _ = new Korvet.ApiServer.Services.Ipv4Range(parseResult.GetValue(serviceCidr)!);
                _ = Korvet.ApiServer.Services.PortRange.Parse(parseResult.GetValue(nodePortRange)!);
            }
            catch (ArgumentException e)
            {
                await parseResult.InvocationConfiguration.Error.WriteLineAsync("korvet server: " + e.Message.Split(" (Parameter", 2)[0]);
                return 2;
            }

            var options = new ServerOptions(
                Path.GetFullPath(parseResult.GetValue(dataDir)!), address, parseResult.GetValue(port), parseResult.GetValue(datastore),
                parseResult.GetValue(tokenFile), parseResult.GetValue(writeKubeconfig), parseResult.GetValue(disableAgent))
            {
                DisableScheduler = parseResult.GetValue(disableScheduler),
                DisableControllers = parseResult.GetValue(disableControllers),
                SimulateNodes = parseResult.GetValue(simulateNodes),
                ServiceCidr = parseResult.GetValue(serviceCidr)!,
                ServiceNodePortRange = parseResult.GetValue(nodePortRange)!,
            };
            return await RunAsync(options, parseResult.InvocationConfiguration.Error, cancellationToken);
        });
        return command;
    }

    private static async Task<int> RunAsync(ServerOptions options, TextWriter error, CancellationToken cancellationToken)
    {
        using var lifetime = new ProcessLifetime(cancellationToken);
        CancellationToken stop = lifetime.Stopping;
        using ILoggerFactory loggers = ProcessLifetime.CreateLoggers(b => b.AddFilter("Microsoft.AspNetCore", LogLevel.Warning));
        ServerHost host;
        try
        {
            host = await ServerHost.StartAsync(options, loggers, stop);
        }
        catch (Exception e) when (e is NotSupportedException or IOException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync($"korvet server: {e.Message}");
            return 1;
        }

        await using (host)
        {
            Task trimmer = new MemoryTrimmer(loggers.CreateLogger<MemoryTrimmer>(), TimeProvider.System).RunAsync(stop);
            try
            {
                await Task.Delay(Timeout.Infinite, stop);
            }
            catch (OperationCanceledException)
            {
                // SIGTERM / SIGINT: stop below.
            }

            await trimmer;
        }

        return 0;
    }
}
