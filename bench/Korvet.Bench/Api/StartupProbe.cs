using System.Diagnostics;
using System.Net;
using System.Security.Cryptography.X509Certificates;

using Korvet.Bench.Support;

namespace Korvet.Bench.Api;

/// <summary>Startup timings (process start to the first <c>/readyz</c> 200) and the idle resident set of a published korvet.</summary>
public sealed record StartupResult(double FirstStartMs, double RestartMedianMs, double RestartMaxMs, int Restarts, long IdleRssBytes);

/// <summary>
/// Spawns the published <c>korvet server</c> (no in-process agent) on a free loopback port with a fresh data dir,
/// polls <c>/readyz</c> every 5 ms, stops it with SIGTERM, restarts it on the same data dir a few times, and reads
/// VmRSS from /proc after the last restart has idled for a few seconds.
/// </summary>
public static class StartupProbe
{
    public static async Task<StartupResult> RunAsync(string korvet, int restarts, TimeSpan idle)
    {
        string dir = Directory.CreateTempSubdirectory("korvet-bench-startup-").FullName;
        try
        {
            using var probe = new HttpClient(new SocketsHttpHandler
            {
                UseProxy = false,
                // The server writes its CA before it listens; /readyz carries no credentials either way.
                SslOptions = { RemoteCertificateValidationCallback = (_, certificate, _, _) => SignedByDataDirCa(dir, certificate) },
            })
            { Timeout = TimeSpan.FromSeconds(2) };
            (double first, _) = await StartOnceAsync(korvet, dir, probe, TimeSpan.Zero);
            var times = new List<double>();
            long rss = 0;
            for (int i = 0; i < restarts; i++)
            {
                bool last = i == restarts - 1;
                (double ms, long r) = await StartOnceAsync(korvet, dir, probe, last ? idle : TimeSpan.Zero);
                times.Add(ms);
                rss = r;
            }

            times.Sort();
            return new StartupResult(first, times[times.Count / 2], times[^1], restarts, rss);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task<(double Ms, long Rss)> StartOnceAsync(string korvet, string dir, HttpClient probe, TimeSpan idle)
    {
        long t0 = Stopwatch.GetTimestamp();
        await using KorvetProcess process = KorvetProcess.Launch(korvet, dir);
        var url = new Uri($"https://127.0.0.1:{process.Port}/readyz");
        double ms;
        string lastError = "";
        while (true)
        {
            if (process.ExitCode is { } exit)
            {
                throw new InvalidOperationException($"korvet server exited with {exit} before /readyz answered");
            }

            if (Stopwatch.GetElapsedTime(t0) > TimeSpan.FromSeconds(60))
            {
                throw new TimeoutException($"korvet server did not become ready within 60 s ({lastError})");
            }

            try
            {
                using HttpResponseMessage response = await probe.GetAsync(url);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    ms = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
                    break;
                }
            }
            catch (HttpRequestException e)
            {
                // Not listening yet.
                lastError = e.InnerException?.Message ?? e.Message;
            }

            await Task.Delay(5);
        }

        long rss = 0;
        if (idle > TimeSpan.Zero)
        {
            await Task.Delay(idle);
            rss = process.Rss();
        }

        return (ms, rss);
    }

    private static bool SignedByDataDirCa(string dir, X509Certificate? certificate)
    {
        string caPath = Path.Combine(dir, "tls", "server-ca.crt");
        if (certificate is null || !File.Exists(caPath))
        {
            return false;
        }

        using X509Certificate2 ca = X509Certificate2.CreateFromPem(File.ReadAllText(caPath));
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var leaf = new X509Certificate2(certificate);
        return chain.Build(leaf);
    }
}
