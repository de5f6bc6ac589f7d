using System.Diagnostics;

namespace Korvet.TestSupport;

/// <summary>
/// Locates an unmodified helm 3 binary (<c>KORVET_HELM</c>, then <c>helm</c> on PATH, then <c>.tools/helm/helm</c> in
/// the repository, where <c>scripts/install-helm.sh</c> puts it) and runs it against a kubeconfig with its own cache,
/// config and data folders. Immutable; safe to share.
/// </summary>
public static class Helm
{
    public static string? Path { get; } = Locate();

    public const string SkipReason = "helm not found (KORVET_HELM, PATH or .tools/helm/helm; scripts/install-helm.sh fetches it); helm tests skipped";

    private static string? Locate()
    {
        if (Environment.GetEnvironmentVariable("KORVET_HELM") is { Length: > 0 } explicitPath && File.Exists(explicitPath))
        {
            return explicitPath;
        }

        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = System.IO.Path.Combine(dir, "helm");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = System.IO.Path.Combine(dir.FullName, ".tools", "helm", "helm");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>Runs helm to completion (60 s limit) with KUBECONFIG and HELM_*_HOME under <paramref name="homeDir"/>.</summary>
    public static Task<(int Exit, string Out, string Err)> RunAsync(string kubeconfig, string homeDir, string workDir, params string[] args)
    {
        var info = new ProcessStartInfo(Path ?? throw new InvalidOperationException(SkipReason))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workDir,
        };
        info.Environment["KUBECONFIG"] = kubeconfig;
        info.Environment["HOME"] = homeDir;
        info.Environment["HELM_CACHE_HOME"] = System.IO.Path.Combine(homeDir, "helm-cache");
        info.Environment["HELM_CONFIG_HOME"] = System.IO.Path.Combine(homeDir, "helm-config");
        info.Environment["HELM_DATA_HOME"] = System.IO.Path.Combine(homeDir, "helm-data");
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        return ProcessRunner.RunAsync(info);
    }
}

/// <summary>A fact that is skipped when helm or the bundled kubectl 1.32 is absent.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class HelmFactAttribute : FactAttribute
{
    public HelmFactAttribute()
    {
        if (Helm.Path is null)
        {
            Skip = Helm.SkipReason;
        }
        else if (Kubectl.Path is null)
        {
            Skip = Kubectl.SkipReason;
        }
    }
}
