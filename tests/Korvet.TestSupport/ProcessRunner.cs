using System.Diagnostics;

namespace Korvet.TestSupport;

/// <summary>Runs a child process (kubectl) to completion with its output captured, killing it after a time limit.
/// The one place tests start processes, so every harness gets the same timeout and cleanup.</summary>
public static class ProcessRunner
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Starts <paramref name="start"/> (which must redirect stdout and stderr, and stdin when
    /// <paramref name="stdin"/> is given), writes <paramref name="stdin"/>, and returns exit code, stdout and stderr.
    /// Throws <see cref="TimeoutException"/> after killing the process tree when it runs past the limit.</summary>
    public static async Task<(int Exit, string Out, string Err)> RunAsync(ProcessStartInfo start, string? stdin = null)
    {
        using Process process = Process.Start(start)!;
        if (start.RedirectStandardInput)
        {
            if (stdin is not null)
            {
                await process.StandardInput.WriteAsync(stdin);
            }

            process.StandardInput.Close();
        }

        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(DefaultTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{start.FileName} {string.Join(' ', start.ArgumentList)} did not finish in {DefaultTimeout.TotalSeconds} s");
        }

        return (process.ExitCode, await stdout, await stderr);
    }
}
