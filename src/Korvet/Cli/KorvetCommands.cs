using System.CommandLine;
using System.Reflection;

namespace Korvet.Cli;

/// <summary>Builds the command tree of <c>korvet</c>. Each subcommand only parses and hands off to a host library.</summary>
public static class KorvetCommands
{
    public static RootCommand Build()
    {
        var root = new RootCommand("Korvet: a Kubernetes-compatible container orchestrator in one binary.");
        root.Subcommands.Add(BuildVersion());
        root.Subcommands.Add(ServerCommand.Build());
        root.Subcommands.Add(KubeconfigCommand.Build());
        root.Subcommands.Add(ControllerManagerCommand.Build());
        return root;
    }

    /// <summary>The Kubernetes version Korvet's API reports (kubectl picks its client by this minor).</summary>
    public const string KubernetesVersion = "v1.32.4";

    private static Command BuildVersion()
    {
        var command = new Command("version", "Print the Korvet version and the Kubernetes API version it serves.");
        command.SetAction(parseResult =>
        {
            string korvetVersion = typeof(KorvetCommands).Assembly
                .GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
            int plus = korvetVersion.IndexOf('+', StringComparison.Ordinal);
            if (plus >= 0)
            {
                korvetVersion = korvetVersion[..plus];
            }

            parseResult.InvocationConfiguration.Output.WriteLine($"korvet version v{korvetVersion} (kubernetes {KubernetesVersion})");
            return 0;
        });
        return command;
    }
}
