using System.Net;
using System.Net.Sockets;

namespace Korvet.Storage.Tests.Etcd;

/// <summary>
/// A TCP proxy on 127.0.0.1 in front of one etcd member. While <see cref="SwallowResponses"/> is set it still
/// forwards requests but drops everything the server answers and, after <see cref="CutDelay"/> (time for etcd to
/// apply the request), closes the connection: the client's request was applied, yet the client never hears so.
/// </summary>
internal sealed class CuttingProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Uri _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private long _swallowedBytes;

    public CuttingProxy(Uri target)
    {
        _target = target;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public Uri Url => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");

    public volatile bool SwallowResponses;

    public TimeSpan CutDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    public long SwallowedBytes => Interlocked.Read(ref _swallowedBytes);

    private async Task AcceptAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                _ = Task.Run(() => RelayAsync(client));
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (SocketException)
        {
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        using var server = new TcpClient();
        using (client)
        {
            await server.ConnectAsync(_target.Host, _target.Port);
            using var cut = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            var up = PumpAsync(client.GetStream(), server.GetStream(), swallow: false, cut);
            var down = PumpAsync(server.GetStream(), client.GetStream(), swallow: true, cut);
            await Task.WhenAny(up, down);
            await cut.CancelAsync();
        }
    }

    private async Task PumpAsync(NetworkStream from, NetworkStream to, bool swallow, CancellationTokenSource cut)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var n = await from.ReadAsync(buffer, cut.Token);
                if (n == 0)
                {
                    return;
                }

                if (swallow && SwallowResponses)
                {
                    Interlocked.Add(ref _swallowedBytes, n);
                    await Task.Delay(CutDelay);
                    return; // closes both directions: the client sees the connection die mid-call
                }

                await to.WriteAsync(buffer.AsMemory(0, n), cut.Token);
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }
}
