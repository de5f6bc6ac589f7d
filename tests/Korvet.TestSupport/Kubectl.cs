using System.Diagnostics;

namespace Korvet.TestSupport;

/// <summary>Locates the bundled kubectl binaries (<c>kubectl.1.NN</c> beside the dispatcher on PATH) and runs them
/// against a kubeconfig. Immutable; safe to share.</summary>
public static class Kubectl
{
    /// <summary>The minor every compatibility test targets.</summary>
    public const string DefaultMinor = "1.32";

    public static string? Path { get; } = Locate(DefaultMinor);

    public const string SkipReason = "kubectl.1.32 not found beside `kubectl` on PATH; kubectl compatibility tests skipped";

    /// <summary>Path of the bundled <c>kubectl.&lt;minor&gt;</c> (e.g. "1.30"), or null when it is not installed.</summary>
    public static string? Locate(string minor)
    {
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = System.IO.Path.Combine(dir, "kubectl");
            if (!File.Exists(candidate))
            {
                continue;
            }

            string real = File.ResolveLinkTarget(candidate, returnFinalTarget: true)?.FullName ?? candidate;
            string bundled = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(real)!, "kubectl." + minor);
            return File.Exists(bundled) ? bundled : null;
        }

        return null;
    }

    public static ProcessStartInfo StartInfo(string kubeconfig, string cacheDir, params string[] args) =>
        StartInfoFor(Path ?? throw new InvalidOperationException(SkipReason), kubeconfig, cacheDir, args);

    /// <summary>Start info for the kubectl binary at <paramref name="binary"/>, with KUBECONFIG and HOME set and its
    /// discovery cache under <paramref name="cacheDir"/> so tests never share a cache.</summary>
    public static ProcessStartInfo StartInfoFor(string binary, string kubeconfig, string cacheDir, params string[] args)
    {
        var info = new ProcessStartInfo(binary)
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

    /// <summary>Runs kubectl 1.32 to completion (60 s limit) and returns exit code, stdout and stderr.</summary>
    public static Task<(int Exit, string Out, string Err)> RunAsync(string kubeconfig, string cacheDir, string? stdin, params string[] args) =>
        ProcessRunner.RunAsync(StartInfo(kubeconfig, cacheDir, args), stdin);
}

/// <summary>A fact that is skipped when the bundled kubectl 1.32 is absent.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class KubectlFactAttribute : FactAttribute
{
    public KubectlFactAttribute()
    {
        if (Kubectl.Path is null)
        {
            Skip = Kubectl.SkipReason;
        }
    }
}

/// <summary>A theory that is skipped when the bundled kubectl 1.32 is absent.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class KubectlTheoryAttribute : TheoryAttribute
{
    public KubectlTheoryAttribute()
    {
        if (Kubectl.Path is null)
        {
            Skip = Kubectl.SkipReason;
        }
    }
}
