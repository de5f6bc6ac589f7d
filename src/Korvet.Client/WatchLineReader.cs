namespace Korvet.Client;

/// <summary>
/// Splits a watch stream into newline-terminated lines over one growable buffer. A returned line is valid until the
/// next call. Not thread-safe (one reader per watch).
/// </summary>
internal sealed class WatchLineReader(Stream stream)
{
    private byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;
    private bool _eof;

    /// <summary>The next line without its newline, or null at the end of the stream.</summary>
    public async ValueTask<ReadOnlyMemory<byte>?> ReadLineAsync(CancellationToken ct)
    {
        while (true)
        {
            int newline = _buffer.AsSpan(_start, _end - _start).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                var line = new ReadOnlyMemory<byte>(_buffer, _start, newline);
                _start += newline + 1;
                return line;
            }

            if (_eof)
            {
                if (_start == _end)
                {
                    return null;
                }

                var rest = new ReadOnlyMemory<byte>(_buffer, _start, _end - _start);
                _start = _end;
                return rest;
            }

            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }

            if (_end == _buffer.Length)
            {
                Array.Resize(ref _buffer, _buffer.Length * 2);
            }

            int read = await stream.ReadAsync(_buffer.AsMemory(_end), ct).ConfigureAwait(false);
            if (read == 0)
            {
                _eof = true;
            }

            _end += read;
        }
    }
}
