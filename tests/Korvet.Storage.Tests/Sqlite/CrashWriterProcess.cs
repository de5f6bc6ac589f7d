using System.Diagnostics;

namespace Korvet.Storage.Tests.Sqlite;

/// <summary>Runs tests/Korvet.Storage.CrashWriter (built alongside the tests) as a real separate process and
/// collects its stdout lines. Disposing kills it (SIGKILL) if it still runs.</summary>
public sealed class CrashWriterProcess : IDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private CrashWriterProcess(params string[] arguments)
    {
        var start = new ProcessStartInfo(ExecutablePath())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                _exited.TrySetResult();
                return;
            }

            if (e.Data == "ready")
            {
                _ready.TrySetResult();
                return;
            }

            lock (_lines)
            {
                _lines.Add(e.Data);
            }
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                _ready.TrySetException(new InvalidOperationException("crash writer failed: " + e.Data));
            }
        };
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public static CrashWriterProcess Write(string databasePath, int writers, string prefix) =>
        new("write", databasePath, writers.ToString(System.Globalization.CultureInfo.InvariantCulture), prefix);

    public static CrashWriterProcess Hold(string databasePath) => new("hold", databasePath);

    public int LineCount
    {
        get
        {
            lock (_lines)
            {
                return _lines.Count;
            }
        }
    }

    public Task ReadyAsync() => _ready.Task.WaitAsync(TimeSpan.FromSeconds(60));

    /// <summary>SIGKILL, then every line the process wrote before dying.</summary>
    public async Task<List<string>> KillAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        await _exited.Task.WaitAsync(TimeSpan.FromSeconds(30));
        lock (_lines)
        {
            return [.. _lines];
        }
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                _process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
    }

    private static string ExecutablePath()
    {
        // bin/<Configuration>/<tfm>/ of this project, mirrored for the sibling project.
        var testBin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var tfm = testBin.Name;
        var configuration = testBin.Parent!.Name;
        var testsDir = testBin.Parent.Parent!.Parent!.Parent!.FullName;
        var path = Path.Combine(testsDir, "Korvet.Storage.CrashWriter", "bin", configuration, tfm, "Korvet.Storage.CrashWriter");
        return File.Exists(path) ? path : throw new FileNotFoundException("build tests/Korvet.Storage.CrashWriter first", path);
    }
}
