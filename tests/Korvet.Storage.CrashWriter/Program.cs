using System.Text;
using Korvet.Storage.Sqlite;

// Usage: write <db> <writers> <prefix> — creates keys under <prefix> as fast as it can and prints
//        "<revision> <key>" per acknowledged write.
//        hold <db>             — opens the database and keeps it open until killed.
if (args.Length < 2 || args[0] is not ("write" or "hold"))
{
    await Console.Error.WriteLineAsync("usage: (write <db> <writers> <prefix> | hold <db>)");
    return 2;
}

var options = new SqliteBackendOptions(args[1], CompactInterval: TimeSpan.Zero, CompactRetainRevisions: 0);
await using var backend = await SqliteBackend.OpenAsync(options);
var output = Console.Out;
output.WriteLine("ready");
if (args[0] == "hold")
{
    await Task.Delay(Timeout.Infinite);
}

var writers = int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture);
var next = 0;
await Task.WhenAll(Enumerable.Range(0, writers).Select(_ => Task.Run(async () =>
{
    while (true)
    {
        var key = $"{args[3]}{Interlocked.Increment(ref next):D9}";
        var revision = await backend.CreateAsync(key, Encoding.UTF8.GetBytes("value of " + key));
        output.WriteLine($"{revision} {key}");
    }
})));
return 0;
