using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Korvet.Bench.Support;

namespace Korvet.Bench.Api;

/// <summary>
/// Closed-loop GET load from wrk (Debian's <c>wrk</c> package): a C load generator in its own process, so the 2 cores'
/// share the load generator takes is far smaller than the in-process <see cref="HttpClient"/> loop's, as when a
/// server is measured from another machine. Keep-alive HTTP/1.1 over TLS (wrk does not verify the certificate, which
/// is the server's own self-signed CA here); each connection is one client with one request in flight.
/// </summary>
public static partial class WrkLoad
{
    /// <summary>wrk on PATH, or null.</summary>
    public static string? Locate() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => Path.Combine(d, "wrk")).FirstOrDefault(File.Exists);

    /// <summary>
    /// Runs <paramref name="connections"/> connections on two threads against <paramref name="url"/> for
    /// <paramref name="duration"/> (after a 1 s warm-up run whose figures are dropped) and reads wrk's report:
    /// requests/s, the 50th and 99th latency percentiles and the maximum. Non-2xx answers and socket errors count as
    /// errors.
    /// </summary>
    public static async Task<LoadResult> RunAsync(string wrk, Uri url, string token, int connections, TimeSpan duration)
    {
        await RunOnceAsync(wrk, url, token, connections, TimeSpan.FromSeconds(1));
        string report = await RunOnceAsync(wrk, url, token, connections, duration);
        return Parse(report);
    }

    /// <summary>Reads a wrk <c>--latency</c> report.</summary>
    public static LoadResult Parse(string report)
    {
        double perSecond = double.Parse(Match(RequestsPerSecond(), report), CultureInfo.InvariantCulture);
        long requests = long.Parse(Match(RequestCount(), report), CultureInfo.InvariantCulture);
        double p50 = Milliseconds(Match(Percentile50(), report));
        double p99 = Milliseconds(Match(Percentile99(), report));
        double max = Milliseconds(LatencyMax().Match(report).Groups[1].Value);
        long errors = 0;
        if (Non2xx().Match(report) is { Success: true } non2xx)
        {
            errors += long.Parse(non2xx.Groups[1].Value, CultureInfo.InvariantCulture);
        }

        if (SocketErrors().Match(report) is { Success: true } socket)
        {
            errors += Enumerable.Range(1, 4).Sum(g => long.Parse(socket.Groups[g].Value, CultureInfo.InvariantCulture));
        }

        return new LoadResult(perSecond, new LatencySummary(requests, p50, p99, max), errors);
    }

    private static async Task<string> RunOnceAsync(string wrk, Uri url, string token, int connections, TimeSpan duration)
    {
        var start = new ProcessStartInfo(wrk)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in new[]
                 {
                     "-t", "2", "-c", connections.ToString(CultureInfo.InvariantCulture),
                     "-d", $"{Math.Max(1, (int)duration.TotalSeconds)}s", "--latency", "-H", $"Authorization: Bearer {token}",
                     url.ToString(),
                 })
        {
            start.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(start) ?? throw new InvalidOperationException("wrk did not start");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"wrk exited {process.ExitCode}: {await stderr}");
        }

        return await stdout;
    }

    private static string Match(Regex regex, string report) =>
        regex.Match(report) is { Success: true } m ? m.Groups[1].Value : throw new FormatException($"wrk report lacks {regex}:\n{report}");

    /// <summary>wrk prints durations as e.g. "812.00us", "2.41ms", "1.02s", "1.50m".</summary>
    private static double Milliseconds(string value)
    {
        Match m = Duration().Match(value);
        if (!m.Success)
        {
            throw new FormatException($"not a wrk duration: '{value}'");
        }

        double number = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        return m.Groups[2].Value switch
        {
            "us" => number / 1000,
            "ms" => number,
            "s" => number * 1000,
            "m" => number * 60_000,
            _ => throw new FormatException($"unknown wrk unit in '{value}'"),
        };
    }

    [GeneratedRegex(@"Requests/sec:\s+([0-9.]+)")]
    private static partial Regex RequestsPerSecond();

    [GeneratedRegex(@"(\d+) requests in")]
    private static partial Regex RequestCount();

    [GeneratedRegex(@"^\s+50%\s+(\S+)", RegexOptions.Multiline)]
    private static partial Regex Percentile50();

    [GeneratedRegex(@"^\s+99%\s+(\S+)", RegexOptions.Multiline)]
    private static partial Regex Percentile99();

    [GeneratedRegex(@"Latency\s+\S+\s+\S+\s+(\S+)")]
    private static partial Regex LatencyMax();

    [GeneratedRegex(@"Non-2xx or 3xx responses: (\d+)")]
    private static partial Regex Non2xx();

    [GeneratedRegex(@"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")]
    private static partial Regex SocketErrors();

    [GeneratedRegex(@"^([0-9.]+)(us|ms|s|m)$")]
    private static partial Regex Duration();
}
