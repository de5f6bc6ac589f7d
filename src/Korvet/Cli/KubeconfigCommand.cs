using System.CommandLine;

namespace Korvet.Cli;

/// <summary><c>korvet kubeconfig</c>: prints the admin kubeconfig a server wrote to its data dir.</summary>
internal static class KubeconfigCommand
{
    public static Command Build()
    {
        var dataDir = new Option<string>("--data-dir", "-d") { Description = "Folder of the server's state", DefaultValueFactory = _ => ServerCommand.DefaultDataDir };
        var command = new Command("kubeconfig", "Print the admin kubeconfig of the server using this data dir.");
        command.Options.Add(dataDir);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            string path = Path.Combine(Path.GetFullPath(parseResult.GetValue(dataDir)!), "kubeconfig.yaml");
            if (!File.Exists(path))
            {
                await parseResult.InvocationConfiguration.Error.WriteLineAsync(
                    $"korvet kubeconfig: {path} does not exist (start `korvet server --data-dir` with this folder first)");
                return 1;
            }

            await parseResult.InvocationConfiguration.Output.WriteAsync(await File.ReadAllTextAsync(path, cancellationToken));
            return 0;
        });
        return command;
    }
}
