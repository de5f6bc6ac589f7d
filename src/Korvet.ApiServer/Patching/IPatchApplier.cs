using System.Text.Json.Nodes;
using Korvet.ApiServer.Registry;

namespace Korvet.ApiServer.Patching;

/// <summary>
/// Applies a PATCH body to the current object. The store calls it inside its read-modify-write retry loop, with a
/// private copy of the current object it may mutate. Implementations throw a <see cref="Errors.StatusException"/>
/// (400/422 for a bad patch, 415 for a type they do not handle) and are thread-safe.
/// </summary>
public interface IPatchApplier
{
    /// <summary>Patch media types this applier handles, e.g. "application/merge-patch+json".</summary>
    IReadOnlyList<string> SupportedTypes { get; }

    JsonObject Apply(string patchType, JsonObject current, ReadOnlyMemory<byte> patch, ResourceDefinition resource);
}
