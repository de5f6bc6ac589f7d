using Korvet.ApiServer.Errors;
using Microsoft.AspNetCore.Http;

namespace Korvet.ApiServer.Http;

/// <summary>Reads a request body fully, enforcing the size limit with upstream's 413 before buffering too much.</summary>
internal static class RequestBody
{
    public static async Task<byte[]> ReadAsync(HttpRequest request, long limit, CancellationToken cancellationToken)
    {
        if (request.ContentLength is { } declared && declared > limit)
        {
            throw StatusErrors.RequestEntityTooLarge(limit);
        }

        using var buffer = new MemoryStream(request.ContentLength is { } n ? (int)n : 4096);
        byte[] chunk = new byte[16 * 1024];
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

        return buffer.ToArray();
    }
}
