using System.CommandLine;
using Korvet.Cli;

namespace Korvet;

/// <summary>Entry point of the <c>korvet</c> executable: parses the command line and dispatches, nothing more.</summary>
public static class Program
{
    public static Task<int> Main(string[] args)
    {
        RootCommand root = KorvetCommands.Build();
        return root.Parse(args).InvokeAsync();
    }
}
