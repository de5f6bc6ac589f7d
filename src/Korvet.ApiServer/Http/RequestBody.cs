using System.Buffers;
using Korvet.ApiServer.Errors;
using Microsoft.AspNetCore.Http;

namespace Korvet.ApiServer.Http;

/// <summary>Reads a request body fully, enforcing the size limit with upstream's 413 before buffering too much.</summary>
internal static class RequestBody
{
    public static async Task<byte[]> ReadAsync(HttpRequest request, long limit, CancellationToken cancellationToken)
    {
        if (request.ContentLength is { } declared)
        {
            if (declared > limit)
            {
                throw StatusErrors.RequestEntityTooLarge(limit);
            }

            // The common case: Kestrel delivers exactly Content-Length bytes, so read straight into the result.
            byte[] exact = declared == 0 ? [] : new byte[declared];
            int filled = 0;
            while (filled < exact.Length)
            {
                int n = await request.Body.ReadAsync(exact.AsMemory(filled), cancellationToken);
                if (n == 0)
                {
                    return exact[..filled];
                }

                filled += n;
            }

            return exact;
        }

        using var buffer = new MemoryStream(4096);
        byte[] chunk = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            while (true)
            {
                int read = await request.Body.ReadAsync(chunk, cancellationToken);
                if (read == 0)
                {
                    break;
                }

                if (buffer.Length + read > limit)
                {
                    throw StatusErrors.RequestEntityTooLarge(limit);
                }

                buffer.Write(chunk, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        return buffer.ToArray();
    }
}
