using System.Text.Json.Nodes;
using Korvet.ApiServer.Registry;

namespace Korvet.ApiServer.Codecs;

/// <summary>A decoded request body and the warnings it produced (unknown fields under fieldValidation=Warn).</summary>
public sealed record DecodedBody(JsonObject Object, IReadOnlyList<string> Warnings);

/// <summary>A patch after fieldValidation: unknown fields removed, and the warnings it produced.</summary>
public sealed record DecodedPatch(byte[] Patch, IReadOnlyList<string> Warnings);

/// <summary>
/// Turns a create/update request body into a JSON object. The JSON decoder is built in; YAML and protobuf
/// (<c>k8s\0</c> + runtime.Unknown) decoders and schema-driven fieldValidation (Strict/Warn/Ignore) plug in here.
/// Implementations throw a 400/415/422 <see cref="Errors.StatusException"/> and are thread-safe.
/// </summary>
public interface IBodyDecoder
{
    /// <summary>Media types (without parameters) this decoder accepts.</summary>
    IReadOnlyList<string> SupportedTypes { get; }

    /// <param name="mediaType">The Content-Type without parameters, lower case.</param>
    /// <param name="fieldValidation">"Strict", "Warn", "Ignore" or "" (server default).</param>
    DecodedBody Decode(string mediaType, ReadOnlyMemory<byte> body, ResourceDefinition resource, string fieldValidation);

    /// <summary>
    /// Decodes a meta/v1 options body (e.g. <c>DeleteOptions</c> on DELETE) in any supported encoding: client-go
    /// sends it as protobuf when its content type is protobuf (helm's release-secret purge does). Throws 400 with
    /// <c>error decoding &lt;kind&gt;: …</c> when it is malformed or not an object, 415 for other media types.
    /// </summary>
    /// <param name="mediaType">The Content-Type without parameters, lower case; "" is JSON.</param>
    JsonObject DecodeOptions(string mediaType, ReadOnlySpan<byte> body, string kind);

    /// <summary>Applies fieldValidation to a JSON merge or strategic merge patch body: returns the patch without
    /// unknown fields and the warnings, or throws 400 under Strict. By default patches pass unchecked.</summary>
    /// <param name="patchType">The patch Content-Type without parameters.</param>
    DecodedPatch CheckPatch(string patchType, byte[] patch, ResourceDefinition resource, string fieldValidation) => new(patch, []);
}
