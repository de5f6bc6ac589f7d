using System.Security.Cryptography;

namespace Korvet.ApiServer.Discovery;

/// <summary>A pre-serialized discovery response with its content type and strong ETag. Immutable.</summary>
public sealed class DiscoveryDocument
{
    public DiscoveryDocument(byte[] body, string contentType)
    {
        Body = body;
        ContentType = contentType;
        ETag = "\"" + Convert.ToHexStringLower(SHA256.HashData(body))[..32] + "\"";
    }

    public byte[] Body { get; }

    public string ContentType { get; }

    public string ETag { get; }
}
