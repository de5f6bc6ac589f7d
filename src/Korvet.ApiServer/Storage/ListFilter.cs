using System.Text.Json;

namespace Korvet.ApiServer.Storage;

/// <summary>
/// A parsed label + field selector for lists, watches and deletecollection. Immutable and thread-safe.
/// <see cref="Name"/> / <see cref="Namespace"/> are set when the field selector pins them with equality, so the watch
/// path can reject events without parsing the object.
/// </summary>
public sealed class ListFilter
{
    private readonly Func<JsonElement, bool>? _labels;
    private readonly Func<JsonElement, bool>? _fields;

    public ListFilter(Func<JsonElement, bool>? labels, Func<JsonElement, bool>? fields, string? name = null, string? ns = null)
    {
        _labels = labels;
        _fields = fields;
        Name = name;
        Namespace = ns;
    }

    public static ListFilter Everything { get; } = new(null, null);

    /// <summary>True when any label or field requirement exists (upstream then omits remainingItemCount).</summary>
    public bool IsEmpty => _labels is null && _fields is null;

    public string? Name { get; }

    public string? Namespace { get; }

    public bool Matches(StoredObject obj)
    {
        if (IsEmpty)
        {
            return true;
        }

        JsonElement root = obj.Root;
        return (_fields is null || _fields(root)) && (_labels is null || _labels(root));
    }
}

/// <summary>
/// Builds a <see cref="ListFilter"/> from the raw <c>labelSelector</c> / <c>fieldSelector</c> query values.
/// Implementations throw a 400 <see cref="Errors.StatusException"/> for a bad selector. The full set-based label
/// selector and per-kind field selectors plug in here.
/// </summary>
public interface ISelectorParser
{
    ListFilter Parse(Registry.ResourceDefinition resource, string? labelSelector, string? fieldSelector);
}
