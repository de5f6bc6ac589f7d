using System.Diagnostics;
using Korvet.ApiServer.Tests.Support;

namespace Korvet.ApiServer.Tests.Kubectl;

/// <summary>Locates the bundled kubectl 1.32 (beside the dispatcher on PATH) and runs it against a kubeconfig.</summary>
internal static class Kubectl
{
    public static string? Path { get; } = Locate();

    public const string SkipReason = "kubectl.1.32 not found beside `kubectl` on PATH; kubectl compatibility tests skipped";

    private static string? Locate()
    {
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = System.IO.Path.Combine(dir, "kubectl");
            if (!File.Exists(candidate))
            {
                continue;
            }

            string real = File.ResolveLinkTarget(candidate, returnFinalTarget: true)?.FullName ?? candidate;
            string bundled = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(real)!, "kubectl.1.32");
            return File.Exists(bundled) ? bundled : null;
        }

        return null;
    }

    public static ProcessStartInfo StartInfo(string kubeconfig, string cacheDir, params string[] args)
    {
        var info = new ProcessStartInfo(Path!)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        info.Environment["KUBECONFIG"] = kubeconfig;
        info.Environment["HOME"] = cacheDir;
        info.ArgumentList.Add("--cache-dir");
        info.ArgumentList.Add(System.IO.Path.Combine(cacheDir, "cache"));
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        return info;
    }

    /// <summary>Runs kubectl to completion (60 s limit) and returns exit code, stdout and stderr.</summary>
    public static async Task<(int Exit, string Out, string Err)> RunAsync(string kubeconfig, string cacheDir, string? stdin, params string[] args)
    {
        return await ProcessRunner.RunAsync(StartInfo(kubeconfig, cacheDir, args), stdin);
    }
}

/// <summary>A fact that is skipped when the bundled kubectl 1.32 is absent.</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class KubectlFactAttribute : FactAttribute
{
    public KubectlFactAttribute()
    {
        if (Kubectl.Path is null)
        {
            Skip = Kubectl.SkipReason;
        }
    }
}
