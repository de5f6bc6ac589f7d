using Korvet.Bench.Api;
using Korvet.Bench.Cluster;
using Korvet.Bench.Scheduling;
using Korvet.Bench.Storage;

namespace Korvet.Bench;

/// <summary>Benchmark driver: <c>korvet-bench storage|api|cluster|scheduler [options]</c>. Results are printed as Markdown.</summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help")
        {
            Console.WriteLine("usage: korvet-bench storage [--duration SECONDS] [--etcd PATH] [--watchers N] [--out FILE]");
            Console.WriteLine("       korvet-bench api [--duration SECONDS] [--clients N] [--protocol 1.1|2] [--list-size N] [--watchers N]");
            Console.WriteLine("                        [--watch-rate N] [--korvet PATH-TO-PUBLISHED-EXE] [--only get,create,list,watch,startup] [--get-load wrk|http] [--out FILE]");
            Console.WriteLine("       korvet-bench cluster [--nodes N] [--replicas N] [--memory-nodes N] [--memory-pods N] [--only deploy,memory] [--out FILE]");
            Console.WriteLine("       korvet-bench scheduler [--nodes N] [--existing-pods N] [--pods N] [--creators N] [--timeout SECONDS] [--out FILE]");
            Console.WriteLine("       korvet-bench scheduler-cycle [--nodes N] [--existing-pods N] [--pods N] [--parallelism N]");
            return 2;
        }

        if (args[0] == "cluster")
        {
            return await ClusterBenchmark.RunAsync(args[1..]);
        }

        if (args[0] == "scheduler-cycle")
        {
            return CycleBenchmark.Run(args[1..]);
        }

        if (args[0] == "scheduler")
        {
            return await SchedulerBenchmark.RunAsync(args[1..]);
        }

        var options = BenchOptions.Parse(args.Skip(1).ToArray());
        return args[0] switch
        {
            "storage" => await StorageBenchmark.RunAsync(options),
            "api" => await ApiBenchmark.RunAsync(options),
            _ => Fail($"unknown benchmark {args[0]}"),
        };
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine(message);
        return 2;
    }
}
