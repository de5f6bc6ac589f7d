using System.CommandLine;
using System.Net;
using System.Runtime.InteropServices;
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
        var disableControllers = new Option<bool>("--disable-controller-manager") { Description = "Do not run the in-process controller manager" };

        var command = new Command("server", "Run the Korvet control plane (API server).");
        foreach (Option option in new Option[] { dataDir, bindAddress, port, datastore, tokenFile, writeKubeconfig, disableAgent, disableControllers })
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

            var options = new ServerOptions(
                Path.GetFullPath(parseResult.GetValue(dataDir)!), address, parseResult.GetValue(port), parseResult.GetValue(datastore),
                parseResult.GetValue(tokenFile), parseResult.GetValue(writeKubeconfig), parseResult.GetValue(disableAgent),
                DisableControllers: parseResult.GetValue(disableControllers));
            return await RunAsync(options, parseResult.InvocationConfiguration.Error, cancellationToken);
        });
        return command;
    }

    private static async Task<int> RunAsync(ServerOptions options, TextWriter error, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }

        using PosixSignalRegistration term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        using PosixSignalRegistration interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using ILoggerFactory loggers = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Information)
            .AddFilter("Microsoft.AspNetCore", LogLevel.Warning));
        ServerHost host;
        try
        {
            host = await ServerHost.StartAsync(options, loggers, stop.Token);
        }
        catch (Exception e) when (e is NotSupportedException or IOException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync($"korvet server: {e.Message}");
            return 1;
        }

        await using (host)
        {
            try
            {
                await Task.Delay(Timeout.Infinite, stop.Token);
            }
            catch (OperationCanceledException)
            {
                // SIGTERM / SIGINT: stop below.
            }
        }

        return 0;
    }
}
